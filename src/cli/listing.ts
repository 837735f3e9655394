// Helpers shared by list/show commands: query strings as ironicclient writes them, following
// `next` links, client-side `--sort`, and turning API objects into rows and Field/Value pairs.

import { CliError, HttpError } from './errors.js';
import type { ApiClient } from './http-client.js';
import { pyStr as pyStrOf } from './output/python-repr.js';

export type ApiObject = Record<string, unknown>;

/** A query parameter; undefined values are left out, booleans are spelt True/False like Python. */
export type QueryParam = readonly [string, string | number | boolean | undefined];

// Commas and colons stay literal so `fields=a,b` and sort specs read like the stock client's URLs.
function encodeValue(v: string): string {
  return encodeURIComponent(v).replace(/%2C/gi, ',').replace(/%3A/gi, ':');
}

export function buildQuery(params: readonly QueryParam[]): string {
  const parts = params.flatMap(([k, v]) => {
    if (v === undefined) return [];
    const text = typeof v === 'boolean' ? (v ? 'True' : 'False') : String(v);
    return [`${k}=${encodeValue(text)}`];
  });
  return parts.length > 0 ? `?${parts.join('&')}` : '';
}

/** Path segment for a user-supplied identifier (UUID, name, MAC, hostname). */
export function seg(ident: string): string {
  return encodeURIComponent(ident);
}

/**
 * Fetches a collection, following `next` links until the server stops sending them. With a
 * positive `limit` the server is asked for that page size and collection stops at `limit` items.
 */
export async function fetchCollection(
  client: ApiClient,
  path: string,
  key: string,
  limit: number | undefined,
): Promise<ApiObject[]> {
  const items: ApiObject[] = [];
  const seen = new Set<string>();
  let next: string | undefined = path;
  while (next !== undefined && !seen.has(next)) {
    seen.add(next);
    const { body } = await client.get(next);
    const page = (body as Record<string, unknown> | undefined)?.[key];
    for (const item of Array.isArray(page) ? page : []) {
      items.push(item as ApiObject);
      if (limit && items.length >= limit) return items;
    }
    const link = (body as { next?: unknown } | undefined)?.next;
    next = typeof link === 'string' && link !== '' ? client.nextPath(link) : undefined;
  }
  return items;
}

/** GET of a single object. */
export async function fetchObject(client: ApiClient, path: string): Promise<ApiObject> {
  const { body } = await client.get(path);
  return (typeof body === 'object' && body !== null ? body : {}) as ApiObject;
}

/** Looks an object up through a list filter that must match exactly one (`--address`, `--instance`). */
export async function fetchOneByFilter(client: ApiClient, path: string, key: string): Promise<ApiObject> {
  const { body } = await client.get(path);
  const page = (body as Record<string, unknown> | undefined)?.[key];
  if (Array.isArray(page) && page.length === 1) return page[0] as ApiObject;
  throw new HttpError(404, 'Not Found');
}

function compareSortValues(a: unknown, b: unknown): number {
  const x = typeof a === 'boolean' ? Number(a) : a;
  const y = typeof b === 'boolean' ? Number(b) : b;
  if (typeof x === 'number' && typeof y === 'number') return x - y;
  if (typeof x === 'string' && typeof y === 'string') return x < y ? -1 : x > y ? 1 : 0;
  // Python cannot order mixed types (e.g. None against str); keep their relative order instead.
  return 0;
}

/** `--sort key[:asc|desc][,key2...]` applied to the fetched objects, last key first. */
export function sortItems(items: ApiObject[], spec: string | undefined): ApiObject[] {
  if (!spec) return items;
  let out = [...items];
  for (const part of spec.trim().split(',').reverse()) {
    let key = part;
    let reverse = false;
    const colon = part.indexOf(':');
    if (colon >= 0) {
      key = part.slice(0, colon);
      const direction = part.slice(colon + 1);
      if (key === '') throw new CliError("'<empty string>'' is not a valid sort key");
      if (direction !== 'asc' && direction !== 'desc') {
        throw new CliError(
          `'${direction || '<empty string>'}' is not a valid sort direction for sort key ${key}, use 'asc' or 'desc' instead`,
        );
      }
      reverse = direction === 'desc';
    }
    for (const item of out) {
      if (!(key in item)) throw new CliError(`Resource doesn't have field ${key}`);
    }
    const sign = reverse ? -1 : 1;
    out = out.sort((a, b) => sign * compareSortValues(a[key], b[key]));
  }
  return out;
}

/** Row values for the given fields; absent fields show as an empty string, as in the stock client. */
export function rowOf(item: ApiObject, fields: readonly string[], formatters: Readonly<Record<string, (v: unknown) => unknown>> = {}): unknown[] {
  return fields.map((f) => {
    if (!(f in item)) return '';
    const v = item[f];
    const format = formatters[f];
    return format && v !== null && v !== undefined ? format(v) : v;
  });
}

/** Field/Value pairs of an object, keys sorted, after dropping link arrays and the like. */
export function showColumns(obj: ApiObject, drop: readonly string[] = []): [string[], unknown[]] {
  const keys = Object.keys(obj).filter((k) => !drop.includes(k)).sort();
  return [keys, keys.map((k) => obj[k])];
}

/** osc-lib's format_dict: `a='1', b.c='2'` with keys sorted and nested dicts flattened. */
export function formatDict(data: unknown, prefix?: string): string {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return String(data);
  const parts = Object.keys(data).sort().map((k) => {
    const key = prefix ? `${prefix}.${k}` : k;
    const v = (data as Record<string, unknown>)[k];
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) return formatDict(v, key);
    return v === null || v === undefined ? `${key}=` : `${key}='${pyStrOf(v)}'`;
  });
  return parts.join(', ');
}

/** Lists rendered as comma-separated text (drivers' hosts and interface lists). */
export function commaLists(obj: ApiObject): ApiObject {
  return Object.fromEntries(
    Object.entries(obj).map(([k, v]) => [k, Array.isArray(v) ? v.map((x) => pyStrOf(x)).join(', ') : v]),
  );
}

