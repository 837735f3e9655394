// Turns rows into records and back: JSON text columns become objects, 0/1 columns become booleans, and
// secret values are sealed/opened with the store's SecretBox on the way through.
import { openSecrets, sealSecrets, type SecretBox } from '../common/secrets.js';

export interface TableCodec {
  readonly json: readonly string[];
  readonly flags: readonly string[];
  /** JSON columns whose secret-keyed values are encrypted at rest. */
  readonly sealed?: readonly string[];
}

const ENCRYPTED_MARK = 'anvil-enc:';

const CAMEL = new Map<string, string>();

/** snake_case column -> camelCase property, cached: the same few dozen names recur in every row. */
export function camelKey(column: string): string {
  let k = CAMEL.get(column);
  if (k === undefined) {
    k = column.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
    CAMEL.set(column, k);
  }
  return k;
}

/** Row from the driver (snake_case keys) -> object with camelCase keys. */
export function camelRow(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key in row) out[camelKey(key)] = row[key];
  return out;
}

/**
 * Decodes a driver row in one copy (keys camelCased on the way): lists of a thousand nodes make every extra
 * copy show up in response times.
 */
export function decodeRow<T>(raw: Record<string, unknown>, codec: TableCodec, box: SecretBox | null): T {
  const row = camelRow(raw);
  const sealed = codec.sealed ?? [];
  for (const k of codec.json) {
    const v = row[k];
    if (typeof v !== 'string') continue;
    // Most dict columns are empty; skip the parser for them.
    if (v === '{}') row[k] = {};
    else if (v === '[]') row[k] = [];
    else {
      const parsed: unknown = JSON.parse(v);
      // Only text that holds ciphertext needs the recursive walk.
      row[k] = sealed.includes(k) && v.includes(ENCRYPTED_MARK) ? openSecrets(parsed, box) : parsed;
    }
  }
  for (const k of codec.flags) if (row[k] !== null && row[k] !== undefined) row[k] = Boolean(row[k]);
  return row as T;
}

export function encodeRow(record: Record<string, unknown>, codec: TableCodec, box: SecretBox | null): Record<string, unknown> {
  const out: Record<string, unknown> = { ...record };
  const sealed = new Set(codec.sealed ?? []);
  for (const k of codec.json) {
    if (!(k in record)) continue;
    out[k] = JSON.stringify(sealed.has(k) ? sealSecrets(record[k], box) : record[k]);
  }
  for (const k of codec.flags) {
    const v = record[k];
    if (v !== undefined) out[k] = v === null ? null : v ? 1 : 0;
  }
  return out;
}
