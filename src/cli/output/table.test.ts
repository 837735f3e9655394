import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { emitList, emitOne, type OutputOptions } from './format.js';
import { renderTable } from './table.js';

interface GoldenTable {
  kind: 'one' | 'list';
  names: string[];
  values?: unknown[];
  rows?: unknown[][];
  maxWidth: number;
  printEmpty: boolean;
  expected: string;
}

const golden = JSON.parse(
  readFileSync(new URL('./__fixtures__/cliff-tables.json', import.meta.url), 'utf8'),
) as GoldenTable[];

function tableOptions(maxWidth: number, printEmpty: boolean): OutputOptions {
  return {
    format: 'table', columns: [], noindent: false, maxWidth, fitWidth: false, printEmpty,
    prefix: '', quote: 'nonnumeric', sortColumns: [],
  };
}

describe('tables match cliff + prettytable output', () => {
  it.each(golden.map((c, i) => [i, c.kind, c.maxWidth, c] as const))('case %i (%s, max-width %i)', (_i, _k, _w, c) => {
    let out = '';
    const opts = tableOptions(c.maxWidth, c.printEmpty);
    if (c.kind === 'one') emitOne((s) => (out += s), opts, c.names, c.values ?? []);
    else emitList((s) => (out += s), () => undefined, opts, c.names, c.rows ?? []);
    expect(out).toBe(c.expected);
  });
});

describe('renderTable', () => {
  const layout = { maxWidth: 0, fitWidth: false, printEmpty: false };

  it('pads cells and right-aligns numeric columns', () => {
    expect(renderTable(['A', 'Count'], [['x', '7'], ['yy', '12']], ['l', 'r'], layout, 8)).toBe(
      ['+----+-------+', '| A  | Count |', '+----+-------+', '| x  |     7 |', '| yy |    12 |', '+----+-------+'].join('\n'),
    );
  });

  it('renders nothing for an empty list unless asked to', () => {
    expect(renderTable(['A'], [], ['c'], layout, 8)).toBe('');
    expect(renderTable(['A'], [], ['c'], { ...layout, printEmpty: true }, 8)).toBe('+---+\n| A |\n+---+\n+---+');
  });

  it('shrinks to --fit-width using the terminal width', () => {
    const out = renderTable(['Field', 'Value'], [['k', 'a long value that will wrap']], ['l', 'l'], {
      maxWidth: 0, fitWidth: true, terminalWidth: 30, printEmpty: false,
    }, 16);
    expect(out.split('\n').every((l) => l.length <= 30)).toBe(true);
  });
});
