// RFC 6902 JSON Patch restricted the way Ironic restricts it: only add/replace/remove, paths made of
// word characters, an allow-list of root fields, no new root attributes. Applied op by op on a copy, with
// own-property access only; a path segment that names a prototype (`__proto__`, `prototype`, `constructor`)
// is refused before anything is walked (common/safe-json.ts).
import { PatchError } from '../common/errors.js';
import { getOwn, isReservedKey, setOwn } from '../common/safe-json.js';

export interface PatchOp {
  readonly op: 'add' | 'replace' | 'remove';
  readonly path: string;
  readonly value?: unknown;
}

const OPS = ['add', 'replace', 'remove'];
const PATH_RE = /^(\/[\w-]+)+$/;

export function pyRepr(v: unknown): string {
  // Ironic quotes the offending op as a Python dict; mimic the shape so messages read the same.
  if (typeof v === 'string') return `'${v}'`;
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    return '{' + Object.entries(v).map(([k, x]) => `'${k}': ${pyRepr(x)}`).join(', ') + '}';
  }
  if (Array.isArray(v)) return '[' + v.map(pyRepr).join(', ') + ']';
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  return String(v);
}

/** Checks the shape of a patch document. @throws PatchError (400). */
export function parsePatch(body: unknown): PatchOp[] {
  if (!Array.isArray(body)) throw new PatchError('Schema error for patch: the body must be a JSON array of patch operations');
  if (body.length === 0) throw new PatchError('Schema error for patch: the patch must hold at least one operation');
  return body.map((raw) => {
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
      throw new PatchError(`Schema error for patch: ${pyRepr(raw)} is not of type 'object'`);
    }
    const op = raw as Record<string, unknown>;
    for (const k of Object.keys(op)) {
      if (!['op', 'path', 'value'].includes(k)) {
        throw new PatchError(`Schema error for patch: Additional properties are not allowed ('${k}' was unexpected)`);
      }
    }
    if (typeof op.op !== 'string' || !OPS.includes(op.op)) {
      throw new PatchError(`Schema error for patch: ${pyRepr(op.op)} is not one of ['add', 'replace', 'remove']`);
    }
    if (typeof op.path !== 'string') throw new PatchError(`Schema error for patch: 'path' is a required property`);
    if (!PATH_RE.test(op.path)) throw new PatchError(`Schema error for patch: '${op.path}' does not match '^(/[\\\\w-]+)+$'`);
    const reserved = op.path.split('/').find(isReservedKey);
    if (reserved !== undefined) {
      throw new PatchError(`Schema error for patch: '${op.path}' contains the segment '${reserved}', which can never be patched`);
    }
    if (op.op !== 'remove' && !('value' in op)) throw new PatchError(`Schema error for patch: 'value' is a required property`);
    return op as unknown as PatchOp;
  });
}

function fail(op: PatchOp, reason: string): never {
  const shown: Record<string, unknown> = { op: op.op, path: op.path };
  if ('value' in op) shown.value = op.value;
  throw new PatchError(`Couldn't apply patch '${pyRepr(shown)}'. Reason: ${reason}`);
}

export interface PatchRules {
  /** Root fields that may be patched. */
  readonly allowed: readonly string[];
  /** Root fields that exist in the document (so `add` on them replaces rather than creates). */
  readonly roots: readonly string[];
}

/**
 * Applies `ops` to a deep copy of `doc` and returns it together with the root fields touched.
 * @throws PatchError (400) naming the first failing operation.
 */
export function applyPatch(doc: Record<string, unknown>, ops: readonly PatchOp[], rules: PatchRules): { doc: Record<string, unknown>; touched: Set<string> } {
  const out = structuredClone(doc);
  const touched = new Set<string>();
  for (const op of ops) {
    const parts = op.path.slice(1).split('/');
    const root = parts[0]!;
    if (!rules.allowed.includes(root)) {
      throw new PatchError(`Cannot patch /${root}. Only the following can be updated: ${rules.allowed.map((a) => '/' + a).join(', ')}`);
    }
    touched.add(root);
    if (parts.length === 1) {
      if (op.op === 'add' && !rules.roots.includes(root)) fail(op, `Adding a new attribute (/${root}) to the root of the resource is not allowed`);
      setOwn(out, root, op.op === 'remove' ? null : structuredClone(op.value));
      continue;
    }
    let parent: unknown = out;
    for (const seg of parts.slice(0, -1)) {
      const next = container(parent)?.get(seg);
      if (next === undefined || next === null || typeof next !== 'object') fail(op, `can't find the member '${seg}' on the way to ${op.path}`);
      parent = next;
    }
    const last = parts[parts.length - 1]!;
    if (Array.isArray(parent)) {
      const idx = last === '-' ? parent.length : /^\d+$/.test(last) ? Number(last) : NaN;
      if (Number.isNaN(idx) || idx > parent.length || (op.op !== 'add' && idx >= parent.length)) fail(op, `invalid array index '${last}'`);
      if (op.op === 'add') parent.splice(idx, 0, structuredClone(op.value));
      else if (op.op === 'replace') parent[idx] = structuredClone(op.value);
      else parent.splice(idx, 1);
      continue;
    }
    const obj = parent as Record<string, unknown>;
    const exists = Object.prototype.hasOwnProperty.call(obj, last);
    if (op.op === 'remove') {
      if (!exists) fail(op, `can't remove a non-existent object '${last}'`);
      delete obj[last];
    } else if (op.op === 'replace') {
      if (!exists) fail(op, `can't replace a non-existent object '${last}'`);
      setOwn(obj, last, structuredClone(op.value));
    } else {
      setOwn(obj, last, structuredClone(op.value));
    }
  }
  return { doc: out, touched };
}

function container(v: unknown): { get(seg: string): unknown } | null {
  if (Array.isArray(v)) return { get: (seg) => (/^\d+$/.test(seg) ? v[Number(seg)] : undefined) };
  if (v && typeof v === 'object') return { get: (seg) => getOwn(v, seg) };
  return null;
}
