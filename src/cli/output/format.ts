// Output formatters with cliff's behaviour: one object (`show`: table/json/yaml/value/shell) or a
// list of rows (`list`: table/json/yaml/value/csv), `-c` column selection and `--sort-column`.

import { CliError } from '../errors.js';
import { pyJsonDumps } from './py-json.js';
import { pyYamlDump } from './py-yaml.js';
import { pyNumber, pyStr, pyStrRepr } from './python-repr.js';
import { renderTable, type Align } from './table.js';

export const SHOW_FORMATS = ['json', 'shell', 'table', 'value', 'yaml'] as const;
export const LIST_FORMATS = ['csv', 'json', 'table', 'value', 'yaml'] as const;
export const QUOTE_MODES = ['all', 'minimal', 'none', 'nonnumeric'] as const;

export type QuoteMode = (typeof QUOTE_MODES)[number];

export interface OutputOptions {
  readonly format: string;
  readonly columns: readonly string[];
  readonly noindent: boolean;
  readonly maxWidth: number;
  readonly fitWidth: boolean;
  readonly printEmpty: boolean;
  readonly terminalWidth?: number | undefined;
  readonly prefix: string;
  readonly quote: QuoteMode;
  readonly sortColumns: readonly string[];
  readonly sortDirection?: 'asc' | 'desc' | undefined;
}

export type Write = (text: string) => void;

/** Python's rendering of a tuple of strings, used in cliff's error message. */
function pyTuple(items: readonly string[]): string {
  return items.length === 1 ? `(${pyStrRepr(items[0] ?? '')},)` : `(${items.map(pyStrRepr).join(', ')})`;
}

/** Indexes of the columns `-c` keeps, in the command's own column order. */
function selectColumns(names: readonly string[], wanted: readonly string[]): number[] {
  if (wanted.length === 0) return names.map((_, i) => i);
  const keep = names.flatMap((n, i) => (wanted.includes(n) ? [i] : []));
  if (keep.length === 0) {
    throw new CliError(
      `No recognized column names in [${wanted.map(pyStrRepr).join(', ')}]. Recognized columns are ${pyTuple(names)}.`,
    );
  }
  return keep;
}

const pick = <T>(items: readonly T[], idx: readonly number[]): T[] => idx.map((i) => items[i] as T);

/** Prints a single object (column names with their values). */
export function emitOne(write: Write, opts: OutputOptions, names: readonly string[], values: readonly unknown[]): void {
  const idx = selectColumns(names, opts.columns);
  const cols = pick(names, idx);
  const vals = pick(values, idx);
  switch (opts.format) {
    case 'json':
      write(pyJsonDumps(Object.fromEntries(cols.map((c, i) => [c, vals[i]])), opts.noindent ? null : 2) + '\n');
      return;
    case 'yaml':
      write(cols.map((c, i) => pyYamlDump({ [c]: vals[i] })).join(''));
      return;
    case 'value':
      write(vals.map((v) => pyStr(v) + '\n').join(''));
      return;
    case 'shell':
      write(
        cols
          .map((c, i) => {
            const name = c.toLowerCase().replace(/ /g, '_').replace(/[:-]/g, '_');
            const v = vals[i];
            const text = typeof v === 'string' ? v.replace(/"/g, '\\"') : pyStr(v);
            return `${opts.prefix}${name}="${text}"\n`;
          })
          .join(''),
      );
      return;
    default: {
      // cliff never prints an empty Field/Value table, whatever --print-empty says.
      const table = renderTable(['Field', 'Value'], cols.map((c, i) => [c, pyStr(vals[i])]), ['l', 'l'], { ...opts, printEmpty: false }, 16);
      write(table + '\n');
    }
  }
}

/** Python's ordering for sort keys of one type; undefined when Python would raise TypeError. */
function compareValues(a: unknown, b: unknown): number | undefined {
  const na = typeof a === 'boolean' ? Number(a) : a;
  const nb = typeof b === 'boolean' ? Number(b) : b;
  if (typeof na === 'number' && typeof nb === 'number') return na - nb;
  if (typeof na === 'string' && typeof nb === 'string') return na < nb ? -1 : na > nb ? 1 : 0;
  return undefined;
}

/** cliff's --sort-column: later columns first so earlier ones win; None sorts last. */
function sortRows(rows: unknown[][], names: readonly string[], opts: OutputOptions, warn: Write): unknown[][] {
  const indexes = opts.sortColumns.flatMap((c) => {
    const i = names.indexOf(c);
    return i >= 0 ? [i] : [];
  });
  const sign = opts.sortDirection === 'desc' ? -1 : 1;
  let sorted = rows;
  for (const index of [...indexes].reverse()) {
    let comparable = true;
    const attempt = [...sorted].sort((ra, rb) => {
      const a = ra[index] ?? null;
      const b = rb[index] ?? null;
      if (a === null || b === null) return sign * (Number(a === null) - Number(b === null));
      const c = compareValues(a, b);
      if (c === undefined) comparable = false;
      return sign * (c ?? 0);
    });
    if (comparable) sorted = attempt;
    else warn(`Could not sort on field '${names[index] ?? ''}'; unsortable types\n`);
  }
  return sorted;
}

function csvField(v: unknown, mode: QuoteMode): string {
  const numeric = typeof v === 'number' || typeof v === 'boolean';
  const text = v === null || v === undefined ? '' : typeof v === 'number' ? pyNumber(v) : pyStr(v);
  if (mode === 'none') return text.replace(/[\\,"\r\n]/g, (c) => '\\' + c);
  const escaped = text.replace(/\\/g, '\\\\');
  const quoted = `"${escaped.replace(/"/g, '""')}"`;
  if (mode === 'all') return quoted;
  if (mode === 'nonnumeric') return numeric ? text : quoted;
  return /[,"\r\n]/.test(text) ? quoted : escaped;
}

/** Prints rows under the given column headers. */
export function emitList(
  write: Write,
  warn: Write,
  opts: OutputOptions,
  names: readonly string[],
  rows: readonly (readonly unknown[])[],
): void {
  const sorted = opts.sortColumns.length > 0 ? sortRows(rows.map((r) => [...r]), names, opts, warn) : rows;
  const idx = selectColumns(names, opts.columns);
  const cols = pick(names, idx);
  const data = sorted.map((r) => pick(r, idx));
  switch (opts.format) {
    case 'json':
      write(pyJsonDumps(data.map((r) => Object.fromEntries(cols.map((c, i) => [c, r[i]]))), opts.noindent ? null : 2) + '\n');
      return;
    case 'yaml':
      write(pyYamlDump(data.map((r) => Object.fromEntries(cols.map((c, i) => [c, r[i]])))));
      return;
    case 'value':
      write(data.map((r) => r.map(pyStr).join(' ') + '\n').join(''));
      return;
    case 'csv':
      write([cols, ...data].map((r) => r.map((v) => csvField(v, opts.quote)).join(',') + '\n').join(''));
      return;
    default: {
      // Alignment follows the first row's value types (numbers right), as cliff sets it.
      const first = data[0];
      const aligns: Align[] = cols.map((_, i) =>
        first === undefined ? 'c' : typeof first[i] === 'number' ? 'r' : 'l',
      );
      write(renderTable(cols, data.map((r) => r.map(pyStr)), aligns, opts, 8) + '\n');
    }
  }
}

