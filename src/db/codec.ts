// Turns rows into records and back: JSON text columns become objects, 0/1 columns become booleans, and
// secret values are sealed/opened with the store's SecretBox on the way through.
import { openSecrets, sealSecrets, type SecretBox } from '../common/secrets.js';

export interface TableCodec {
  readonly json: readonly string[];
  readonly flags: readonly string[];
  /** JSON columns whose secret-keyed values are encrypted at rest. */
  readonly sealed?: readonly string[];
}

export function decodeRow<T>(row: Record<string, unknown>, codec: TableCodec, box: SecretBox | null): T {
  const out: Record<string, unknown> = { ...row };
  for (const k of codec.json) {
    const v = row[k];
    if (typeof v === 'string') out[k] = JSON.parse(v);
  }
  for (const k of codec.flags) if (row[k] !== null && row[k] !== undefined) out[k] = Boolean(row[k]);
  for (const k of codec.sealed ?? []) out[k] = openSecrets(out[k], box);
  return out as T;
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
