// Python-style rendering of decoded JSON values (str() and repr()): the stock client prints table
// cells with Python's str(), so users see None/True/False and dicts as {'a': 'b'}.

/** A JSON value as decoded from an API response. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

// Characters Python's str.isprintable() rejects: control, format, surrogate, private use,
// unassigned and separators other than the plain space.
const NON_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;

function hex(cp: number, digits: number): string {
  return cp.toString(16).padStart(digits, '0');
}

/** repr() of a Python str. */
export function pyStrRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    if (ch === quote || ch === '\\') out += '\\' + ch;
    else if (ch === '\t') out += '\\t';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (cp < 0x20 || cp === 0x7f) out += '\\x' + hex(cp, 2);
    else if (cp < 0x7f || ch === ' ') out += ch;
    else if (NON_PRINTABLE.test(ch)) {
      if (cp <= 0xff) out += '\\x' + hex(cp, 2);
      else if (cp <= 0xffff) out += '\\u' + hex(cp, 4);
      else out += '\\U' + hex(cp, 8);
    } else out += ch;
  }
  return out + quote;
}

/**
 * repr() of a Python float: shortest round-trip digits, exponent form outside [1e-4, 1e16)
 * with at least two exponent digits ("1e-05", "1.5e+16").
 */
export function pyFloatRepr(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (n === Infinity) return 'inf';
  if (n === -Infinity) return '-inf';
  if (n === 0) return Object.is(n, -0) ? '-0.0' : '0.0';
  const [mantissa = '0', expText = '0'] = n.toExponential().split('e');
  const exp = Number(expText);
  if (exp < -4 || exp >= 16) {
    const sign = exp < 0 ? '-' : '+';
    return `${mantissa}e${sign}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  const fixed = String(n);
  return fixed.includes('.') ? fixed : `${fixed}.0`;
}

/**
 * JSON numbers carry no int/float distinction once decoded; integral values are shown as Python
 * ints, which is what json.loads yields for the integer literals Ironic sends.
 */
export function pyNumber(n: number): string {
  if (Number.isInteger(n)) return BigInt(n).toString();
  return pyFloatRepr(n);
}

/** repr() of a decoded JSON value. */
export function pyRepr(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'number') return pyNumber(v);
  if (typeof v === 'string') return pyStrRepr(v);
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`;
  if (typeof v === 'object') {
    const parts = Object.entries(v as Record<string, unknown>).map(([k, val]) => `${pyStrRepr(k)}: ${pyRepr(val)}`);
    return `{${parts.join(', ')}}`;
  }
  return String(v);
}

/** str() of a decoded JSON value: strings as-is, everything else as repr(). */
export function pyStr(v: unknown): string {
  return typeof v === 'string' ? v : pyRepr(v);
}
