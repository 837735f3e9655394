// Reading request bodies and query parameters safely: content type, size and JSON syntax are checked here
// so every handler sees either a parsed value or a 4xx.
import { InvalidError, InvalidParameterValueError, UnsupportedMediaTypeError } from '../common/errors.js';
import { RESERVED_KEYS, findReservedKeyInText } from '../common/safe-json.js';
import type { Ctx } from './context.js';

export async function readJson(c: Ctx): Promise<unknown> {
  const type = c.req.header('content-type');
  if (type !== undefined && type !== '' && !/^application\/([\w.+-]*\+)?json\b/i.test(type.trim())) {
    throw new UnsupportedMediaTypeError(`The request content type "${type}" is not supported; send application/json.`);
  }
  const text = await c.req.text();
  if (text.trim() === '') throw new InvalidError('The request body is empty; a JSON document is required.');
  return parseJsonBody(text);
}

/**
 * Parses a request body: JSON syntax, nesting depth and keys that could reach an object prototype
 * (`__proto__`, `prototype`, `constructor`, see common/safe-json.ts) are checked here. @throws InvalidError (400)
 */
export function parseJsonBody(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new InvalidError(`The request body is not valid JSON: ${(err as Error).message}`);
  }
  // Handlers, the patcher and the store walk documents recursively; thousands of levels overflow the stack.
  if (exceedsDepth(text, MAX_JSON_DEPTH)) {
    throw new InvalidError(`The request body nests arrays or objects deeper than ${MAX_JSON_DEPTH} levels.`);
  }
  const reserved = findReservedKeyInText(text, value);
  if (reserved !== null) throw new InvalidError(reservedKeyMessage(reserved));
  return value;
}

/** The refusal of a reserved key, shared by request bodies, PATCH paths and query parameters. */
export function reservedKeyMessage(where: string): string {
  const key = where.split('/').pop();
  return `The key "${key}" (at ${where}) is not allowed: ${[...RESERVED_KEYS].join(', ')} can never be used as names in a request.`;
}

/** Deepest nesting a request document may have (real Ironic documents stay below 10). */
export const MAX_JSON_DEPTH = 100;

/** Whether valid JSON `text` nests arrays/objects more than `limit` deep (brackets inside strings ignored). */
function exceedsDepth(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 0x5c) i++; // backslash: skip the escaped character
      else if (ch === 0x22) inString = false;
    } else if (ch === 0x22) {
      inString = true;
    } else if (ch === 0x5b || ch === 0x7b) {
      if (++depth > limit) return true;
    } else if (ch === 0x5d || ch === 0x7d) {
      depth--;
    }
  }
  return false;
}

const TRUE_WORDS = ['true', '1', 'yes', 'on', 't', 'y'];
const FALSE_WORDS = ['false', '0', 'no', 'off', 'f', 'n'];

/** Ironic's args.boolean: a JSON boolean or one of oslo's boolean words; null for anything else. */
export function asBoolean(value: unknown): boolean | null {
  if (typeof value === 'boolean') return value;
  if (typeof value !== 'string') return null;
  const v = value.trim().toLowerCase();
  return TRUE_WORDS.includes(v) ? true : FALSE_WORDS.includes(v) ? false : null;
}

/** Optional boolean query parameter ("true"/"false", also 1/0/yes/no as oslo accepts). */
export function boolParam(c: Ctx, name: string): boolean | undefined {
  const raw = c.req.query(name);
  if (raw === undefined) return undefined;
  const v = asBoolean(raw);
  if (v !== null) return v;
  throw new InvalidParameterValueError(`Invalid value for ${name}: "${raw}". It must be a boolean (true or false).`);
}
