// Command-line value parsing shared by commands: `key=value` pairs (values JSON-decoded when they
// parse, as ironicclient does), JSON Patch construction, `--fields` lists and JSON/YAML arguments.

import { existsSync, readFileSync, statSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { setOwn } from '../common/safe-json.js';
import { CliError, UsageError } from './errors.js';
import type { JsonValue } from './output/python-repr.js';
import { pyStrRepr } from './output/python-repr.js';

export type PatchOp =
  | { readonly op: 'add' | 'replace'; readonly path: string; readonly value: JsonValue }
  | { readonly op: 'remove'; readonly path: string };

/** Commander reducer for repeatable options (`--extra a=1 --extra b=2`). */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/**
 * JSON-decodes a value the way Python's json.loads would accept it, else keeps the string.
 * Integers beyond 2^53 stay strings: JavaScript would silently round them, Python would not.
 */
export function deserializeValue(raw: string): JsonValue {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return raw;
  }
  if (typeof parsed === 'number' && Number.isInteger(parsed) && !Number.isSafeInteger(parsed)) return raw;
  return parsed as JsonValue;
}

/** Splits `KEY=VALUE` at the first `=` and JSON-decodes VALUE when possible. */
export function splitAndDeserialize(pair: string): [string, JsonValue] {
  const eq = pair.indexOf('=');
  if (eq < 0) throw new CliError(`Attributes must be a list of PATH=VALUE not "${pair}"`);
  return [pair.slice(0, eq), deserializeValue(pair.slice(eq + 1))];
}

/** `['a=1', 'b=x']` -> `{a: 1, b: 'x'}`; a repeated key keeps its last value. */
export function keyValuePairsToDict(pairs: readonly string[] | undefined): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  for (const pair of pairs ?? []) {
    const [k, v] = splitAndDeserialize(pair);
    setOwn(out, k, v);
  }
  return out;
}

/**
 * JSON Patch ops from `path=value` (add/replace) or `path` (remove) strings; a leading `/` is
 * added when missing, so `extra/foo=1` patches `/extra/foo`.
 */
export function argsToPatch(op: 'add' | 'replace' | 'remove', attributes: readonly string[]): PatchOp[] {
  return attributes.map((attr) => {
    const path = attr.startsWith('/') ? attr : `/${attr}`;
    if (op === 'remove') return { op, path };
    const [p, value] = splitAndDeserialize(path);
    return { op, path: p, value };
  });
}

/** Patch ops for a dict-valued field: `--extra k=v` -> add `/extra/k`. */
export function dictPatch(op: 'add' | 'remove', field: string, items: readonly string[] | undefined): PatchOp[] {
  return items && items.length > 0 ? argsToPatch(op, items.map((i) => `${field}/${i}`)) : [];
}

/**
 * `--fields` values: commander collects space-separated words, and comma lists are accepted too.
 * Unknown names fail like argparse's `choices` check.
 */
export function parseFields(values: readonly string[] | undefined, choices: readonly string[]): string[] | undefined {
  if (!values || values.length === 0) return undefined;
  const fields = values.flatMap((v) => v.split(',')).map((f) => f.trim()).filter((f) => f !== '');
  for (const f of fields) {
    if (!choices.includes(f)) {
      throw new UsageError(
        `argument --fields: invalid choice: ${pyStrRepr(f)} (choose from ${choices.map(pyStrRepr).join(', ')})`,
      );
    }
  }
  return fields;
}

/** Non-negative integer option (`--limit`). */
export function parseLimit(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^-?\d+$/.test(raw.trim())) throw new UsageError(`argument --limit: invalid int value: ${pyStrRepr(raw)}`);
  const n = Number(raw);
  if (n < 0) throw new CliError(`Expected non-negative --limit, got ${n}`);
  return n;
}

/**
 * A structured argument given as a JSON string, a path to a JSON/YAML file, or `-` for stdin.
 * `readStdin` is injected so commands stay testable.
 */
export async function handleJsonArg(arg: string, what: string, readStdin: () => Promise<string>): Promise<unknown> {
  let text = arg;
  if (arg === '-') {
    try {
      text = (await readStdin()).trim();
    } catch (err) {
      throw new CliError(`Cannot get ${what} from standard input. Error: ${String(err)}`);
    }
  }
  if (text === '') return text;
  if (existsSync(text) && statSync(text).isFile()) {
    try {
      return parseYaml(readFileSync(text, 'utf8'));
    } catch (err) {
      throw new CliError(`Cannot get JSON/YAML from file '${text}'. Error: ${(err as Error).message}`);
    }
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new CliError(`Value '${text}' is not a file and cannot be parsed as JSON: '${(err as Error).message}'`);
  }
}

/** Commander's key for the option spelling a field (`driver_info` -> `driverInfo`). */
export function optionKey(field: string): string {
  return field.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
}
