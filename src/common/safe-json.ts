// Free-form JSON (request bodies, stored dict columns, agent and BMC answers) kept away from object
// prototypes. JSON.parse itself is safe (a `"__proto__"` key becomes an own property), but a walker that
// reads `obj[key]` or writes `out[key] = v` with such a key reaches Object.prototype: one PATCH of
// `/extra/__proto__/x` would then change every object of the process. The API refuses these keys outright
// (Ironic stores them, but no real document needs them), and the walkers use own-property access only.

/** Keys that name or lead to a prototype: refused in PATCH paths and request documents. */
export const RESERVED_KEYS: ReadonlySet<string> = new Set(['__proto__', 'prototype', 'constructor']);

export function isReservedKey(key: string): boolean {
  return RESERVED_KEYS.has(key);
}

/** A JSON text that may hold a reserved key: one of the names, or an escape that could spell one. */
function mayHoldReservedKey(text: string): boolean {
  return text.includes('__proto__') || text.includes('constructor') || text.includes('prototype') || text.includes('\\u');
}

/** JSON-pointer path of the first reserved key inside `value`, or null when there is none. */
export function findReservedKey(value: unknown, path = ''): string | null {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findReservedKey(value[i], `${path}/${i}`);
      if (found !== null) return found;
    }
    return null;
  }
  if (value === null || typeof value !== 'object') return null;
  for (const key of Object.keys(value)) {
    if (isReservedKey(key)) return `${path}/${key}`;
    const found = findReservedKey((value as Record<string, unknown>)[key], `${path}/${key}`);
    if (found !== null) return found;
  }
  return null;
}

/** Like findReservedKey for a parsed document, skipping the walk when its text cannot hold such a key. */
export function findReservedKeyInText(text: string, parsed: unknown): string | null {
  return mayHoldReservedKey(text) ? findReservedKey(parsed) : null;
}

/** `obj[key] = value` as an own data property, also for `__proto__` (which plain assignment treats as the prototype). */
export function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
  else obj[key] = value;
}

/** `obj[key]` only when it is an own property: never something inherited from a prototype. */
export function getOwn(obj: object, key: string): unknown {
  return Object.hasOwn(obj, key) ? (obj as Record<string, unknown>)[key] : undefined;
}
