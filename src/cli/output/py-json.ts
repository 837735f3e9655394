// JSON text exactly as Python's json.dumps(..., indent=2) writes it (", " / ": " separators,
// ASCII-only escapes), so `-f json` output is byte-identical to the stock client's.

import { pyFloatRepr } from './python-repr.js';

const SHORT_ESCAPES: Readonly<Record<string, string>> = {
  '"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f',
};

/** A JSON string literal with every non-ASCII code unit escaped as \uXXXX (ensure_ascii). */
export function pyJsonString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i] as string;
    const code = s.charCodeAt(i);
    const short = SHORT_ESCAPES[ch];
    if (short !== undefined) out += short;
    else if (code < 0x20 || code > 0x7e) out += '\\u' + code.toString(16).padStart(4, '0');
    else out += ch;
  }
  return out + '"';
}

function scalar(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (v === true) return 'true';
  if (v === false) return 'false';
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return 'NaN';
    if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity';
    return Number.isInteger(v) ? BigInt(v).toString() : pyFloatRepr(v);
  }
  if (typeof v === 'string') return pyJsonString(v);
  return pyJsonString(String(v));
}

function dump(v: unknown, indent: number | null, level: number): string {
  const isArray = Array.isArray(v);
  if (!isArray && (v === null || typeof v !== 'object')) return scalar(v);
  const entries: string[] = isArray
    ? (v as unknown[]).map((item) => dump(item, indent, level + 1))
    : Object.entries(v as Record<string, unknown>).map(
        ([k, item]) => `${pyJsonString(k)}: ${dump(item, indent, level + 1)}`,
      );
  const [open, close] = isArray ? ['[', ']'] : ['{', '}'];
  if (entries.length === 0) return open + close;
  if (indent === null) return open + entries.join(', ') + close;
  const inner = ' '.repeat(indent * (level + 1));
  const outer = ' '.repeat(indent * level);
  return `${open}\n${inner}${entries.join(`,\n${inner}`)}\n${outer}${close}`;
}

/** json.dumps(value, indent=indent); `null` indent gives the single-line form. */
export function pyJsonDumps(value: unknown, indent: number | null = 2): string {
  return dump(value, indent, 0);
}
