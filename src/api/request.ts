// Reading request bodies and query parameters safely: content type, size and JSON syntax are checked here
// so every handler sees either a parsed value or a 4xx.
import { InvalidError, InvalidParameterValueError, UnsupportedMediaTypeError } from '../common/errors.js';
import type { Ctx } from './context.js';

export async function readJson(c: Ctx): Promise<unknown> {
  const type = c.req.header('content-type');
  if (type !== undefined && type !== '' && !/^application\/([\w.+-]*\+)?json\b/i.test(type.trim())) {
    throw new UnsupportedMediaTypeError(`The request content type "${type}" is not supported; send application/json.`);
  }
  const text = await c.req.text();
  if (text.trim() === '') throw new InvalidError('The request body is empty; a JSON document is required.');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new InvalidError(`The request body is not valid JSON: ${(err as Error).message}`);
  }
}

/** Optional boolean query parameter ("true"/"false", also 1/0/yes/no as oslo accepts). */
export function boolParam(c: Ctx, name: string): boolean | undefined {
  const raw = c.req.query(name);
  if (raw === undefined) return undefined;
  const v = raw.trim().toLowerCase();
  if (['true', '1', 'yes', 'on', 't', 'y'].includes(v)) return true;
  if (['false', '0', 'no', 'off', 'f', 'n'].includes(v)) return false;
  throw new InvalidParameterValueError(`Invalid value for ${name}: "${raw}". It must be a boolean (true or false).`);
}
