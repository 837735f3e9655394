// Resource fields declared as data: wire name, the microversion that introduced it, its type, whether
// clients may write it. One table per resource drives output, `fields=`, create validation, PATCH and
// sorting, so a new field is added in one place.
import { InvalidParameterValueError, InvalidError, NotAcceptableError } from '../common/errors.js';
import { normalizeUuid } from '../common/ids.js';

export type WireKind = 'string' | 'uuid' | 'dict' | 'list' | 'bool' | 'int' | 'timestamp';

export interface FieldSpec<R> {
  readonly name: string;
  readonly since: number;
  readonly kind: WireKind;
  /** Record property; defaults to the camelCase of `name`. Absent for computed fields (see `get`). */
  readonly prop?: keyof R & string;
  readonly get?: (record: R) => unknown;
  /** Accepted in POST and/or PATCH. */
  readonly write?: 'both' | 'create' | 'patch';
  readonly nullable?: boolean;
  readonly maxLength?: number;
  /** Value a root `remove` resets the field to (defaults: {} / [] / null / false). */
  readonly empty?: unknown;
  /** Extra check/normalisation after the type check; throw InvalidParameterValueError to refuse. */
  readonly check?: (value: unknown, minor: number) => unknown;
  readonly sortable?: boolean;
}

export const camel = (s: string) => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

const PROPS = new Map<string, string>();

/** Record property of a field; cached because serialising a list asks this for every field of every row. */
export function propOf<R>(spec: FieldSpec<R>): string {
  if (spec.prop) return spec.prop;
  let p = PROPS.get(spec.name);
  if (p === undefined) {
    p = camel(spec.name);
    PROPS.set(spec.name, p);
  }
  return p;
}

export function visible<R>(specs: readonly FieldSpec<R>[], minor: number): FieldSpec<R>[] {
  return specs.filter((s) => s.since <= minor);
}

export function emptyValue<R>(spec: FieldSpec<R>): unknown {
  if ('empty' in spec) return spec.empty;
  return spec.kind === 'dict' ? {} : spec.kind === 'list' ? [] : spec.kind === 'bool' && !spec.nullable ? false : null;
}

/** The fields one request shape shows, in order: name, record property or computed getter. */
type WirePlan = readonly { readonly name: string; readonly prop: string; readonly get?: (record: never) => unknown }[];

const PLANS = new WeakMap<readonly FieldSpec<never>[], Map<string, WirePlan>>();

/**
 * Which fields `minor` and `only` leave, worked out once per shape: a detailed list of a thousand nodes asked
 * this for 64 fields of every row (version checks, `only` scans, property-name lookups), ~10 µs a node.
 */
function wirePlan<R>(specs: readonly FieldSpec<R>[], minor: number, only?: readonly string[]): WirePlan {
  let plans = PLANS.get(specs as readonly FieldSpec<never>[]);
  if (!plans) {
    plans = new Map();
    PLANS.set(specs as readonly FieldSpec<never>[], plans);
  }
  const key = only ? `${minor}|${only.join(',')}` : `${minor}`;
  let plan = plans.get(key);
  if (!plan) {
    plan = specs.filter((s) => s.since <= minor && (!only || only.includes(s.name)))
      .map((s) => ({ name: s.name, prop: propOf(s), get: s.get as ((record: never) => unknown) | undefined }));
    // Field lists come from clients: bound what they can make this hold.
    if (plans.size >= 500) plans.clear();
    plans.set(key, plan);
  }
  return plan;
}

/** Wire dict of `record` at `minor`; `only` restricts to the named fields (already validated). */
export function toWire<R>(record: R, specs: readonly FieldSpec<R>[], minor: number, only?: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const rec = record as Record<string, unknown>;
  for (const f of wirePlan(specs, minor, only)) out[f.name] = f.get ? f.get(record as never) : rec[f.prop] ?? null;
  return out;
}

/** Validates the `fields` query parameter. @throws InvalidParameterValueError (400) / NotAcceptableError (406). */
export function parseFieldsParam<R>(raw: string | undefined, specs: readonly FieldSpec<R>[], minor: number, extra: readonly string[] = []): string[] | undefined {
  if (raw === undefined) return undefined;
  if (minor < 8) throw new NotAcceptableError('The fields parameter requires API version 1.8 or later.');
  const names = raw.split(',').map((s) => s.trim()).filter(Boolean);
  for (const n of names) {
    const spec = specs.find((s) => s.name === n);
    if (!spec && !extra.includes(n)) throw new InvalidParameterValueError(`Field ${n} is not a valid field.`);
    if (spec && spec.since > minor) throw new NotAcceptableError(`Field ${n} is not available before API version 1.${spec.since}.`);
  }
  return names;
}

/**
 * Largest JSON text of one free-form field (`extra`, `properties`, `driver_info`, `instance_info`, …): Ironic
 * stores them in TEXT columns, which hold 64 KiB on MySQL; a field table may set its own `maxLength` (bytes).
 */
export const MAX_JSON_FIELD_BYTES = 65_535;

function checkJsonSize<R>(spec: FieldSpec<R>, v: unknown, bad: (why: string) => never): void {
  const max = spec.maxLength ?? MAX_JSON_FIELD_BYTES;
  const size = Buffer.byteLength(JSON.stringify(v));
  if (size > max) bad(`${spec.name} is ${size} bytes of JSON, more than the limit of ${max}`);
}

function typeName(kind: WireKind): string {
  return { string: 'string', uuid: 'UUID string', dict: 'object', list: 'array', bool: 'boolean', int: 'integer', timestamp: 'timestamp' }[kind];
}

/** Type-checks and normalises one incoming value. */
export function coerceField<R>(spec: FieldSpec<R>, value: unknown, minor: number, resource: string): unknown {
  const bad = (why?: string): never => {
    throw new InvalidError(`Schema error for ${resource}: ${why ?? `${JSON.stringify(value)} is not a valid ${typeName(spec.kind)} for ${spec.name}`}`);
  };
  let v = value;
  if (v === null) {
    if (spec.kind === 'dict' || spec.kind === 'list') v = emptyValue(spec);
    else if (!spec.nullable) bad(`${spec.name} may not be null`);
    else return spec.check ? spec.check(null, minor) : null;
  }
  switch (spec.kind) {
    case 'string':
      if (typeof v !== 'string') bad();
      // PostgreSQL text cannot hold NUL; refuse it here rather than fail in the store.
      if ((v as string).includes('\u0000')) bad(`${spec.name} must not contain NUL characters`);
      if (spec.maxLength !== undefined && (v as string).length > spec.maxLength) bad(`${spec.name} is longer than ${spec.maxLength} characters`);
      break;
    case 'uuid': {
      const u = typeof v === 'string' ? normalizeUuid(v) : null;
      if (!u) throw new InvalidParameterValueError(`Expected a UUID for ${spec.name} but received ${JSON.stringify(v)}.`);
      v = u;
      break;
    }
    case 'dict':
      if (typeof v !== 'object' || v === null || Array.isArray(v)) bad();
      checkJsonSize(spec, v, bad);
      break;
    case 'list':
      if (!Array.isArray(v)) bad();
      checkJsonSize(spec, v, bad);
      break;
    case 'bool':
      if (typeof v === 'string' && ['true', 'false'].includes(v.toLowerCase())) v = v.toLowerCase() === 'true';
      if (typeof v !== 'boolean') bad();
      break;
    case 'int':
      if (typeof v === 'string' && /^-?\d+$/.test(v)) v = Number(v);
      if (!Number.isInteger(v)) bad();
      break;
    case 'timestamp':
      bad(`${spec.name} is read-only`);
  }
  return spec.check ? spec.check(v, minor) : v;
}

/**
 * Validates a POST body against the writable fields. Unknown or read-only keys are refused (400), keys newer
 * than the request version are refused (406). Returns record properties.
 */
export function parseCreateBody<R>(body: unknown, specs: readonly FieldSpec<R>[], minor: number, resource: string): Partial<Record<string, unknown>> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new InvalidError(`Schema error for ${resource}: the request body must be a JSON object`);
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
    const spec = specs.find((s) => s.name === key && (s.write === 'both' || s.write === 'create'));
    if (!spec) throw new InvalidError(`Schema error for ${resource}: Additional properties are not allowed ('${key}' was unexpected)`);
    if (spec.since > minor) {
      if (value === null || value === undefined) continue;
      throw new NotAcceptableError('Request not acceptable.');
    }
    out[propOf(spec)] = coerceField(spec, value, minor, resource);
  }
  return out;
}

export function patchableFields<R>(specs: readonly FieldSpec<R>[], minor: number): string[] {
  return specs.filter((s) => s.since <= minor && (s.write === 'both' || s.write === 'patch')).map((s) => s.name).sort();
}

/** Sort key validation: known, visible, scalar. Returns the record property to sort on. */
export function parseSortKey<R>(raw: string | undefined, specs: readonly FieldSpec<R>[], minor: number): string | undefined {
  if (raw === undefined) return undefined;
  const spec = specs.find((s) => s.name === raw && s.since <= minor);
  if (!spec || spec.get) throw new InvalidParameterValueError(`The sort_key value "${raw}" is an invalid field for sorting`);
  if (spec.kind === 'dict' || spec.kind === 'list' || spec.sortable === false) {
    throw new InvalidParameterValueError(`The sort_key value "${raw}" is an invalid field for sorting`);
  }
  return propOf(spec);
}
