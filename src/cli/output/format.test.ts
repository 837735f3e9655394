import { describe, expect, it } from 'vitest';
import { CliError } from '../errors.js';
import { emitList, emitOne, type OutputOptions } from './format.js';

const base: OutputOptions = {
  format: 'table', columns: [], noindent: false, maxWidth: 0, fitWidth: false, printEmpty: false,
  prefix: '', quote: 'nonnumeric', sortColumns: [],
};

function one(opts: Partial<OutputOptions>, names: string[], values: unknown[]): string {
  let out = '';
  emitOne((s) => (out += s), { ...base, ...opts }, names, values);
  return out;
}

function list(opts: Partial<OutputOptions>, names: string[], rows: unknown[][]): { out: string; err: string } {
  let out = '';
  let err = '';
  emitList((s) => (out += s), (s) => (err += s), { ...base, ...opts }, names, rows);
  return { out, err };
}

const NAMES = ['extra', 'maintenance', 'name', 'uuid'];
const VALUES = [{ a: 'b"c' }, false, null, 'u-1'];

describe('emitOne formats', () => {
  it.each<[string, Partial<OutputOptions>, string]>([
    ['value', { format: 'value' }, `{'a': 'b"c'}\nFalse\nNone\nu-1\n`],
    ['shell', { format: 'shell', prefix: 'n_' }, `n_extra="{'a': 'b"c'}"\nn_maintenance="False"\nn_name="None"\nn_uuid="u-1"\n`],
    ['json', { format: 'json' }, '{\n  "extra": {\n    "a": "b\\"c"\n  },\n  "maintenance": false,\n  "name": null,\n  "uuid": "u-1"\n}\n'],
    ['json --noindent', { format: 'json', noindent: true }, '{"extra": {"a": "b\\"c"}, "maintenance": false, "name": null, "uuid": "u-1"}\n'],
    ['yaml', { format: 'yaml' }, "extra:\n  a: b\"c\nmaintenance: false\nname: null\nuuid: u-1\n"],
    ['-c keeps command order', { format: 'value', columns: ['uuid', 'name'] }, 'None\nu-1\n'],
  ])('%s', (_name, opts, expected) => {
    expect(one(opts, NAMES, VALUES)).toBe(expected);
  });

  it('escapes double quotes in shell strings only', () => {
    expect(one({ format: 'shell' }, ['Last Error'], ['say "x"'])).toBe('last_error="say \\"x\\""\n');
  });

  it('rejects -c with no known column like cliff', () => {
    expect(() => one({ columns: ['Bogus'] }, ['a', 'b'], [1, 2])).toThrow(
      new CliError("No recognized column names in ['Bogus']. Recognized columns are ('a', 'b')."),
    );
  });
});

describe('emitList formats', () => {
  const names = ['UUID', 'Name', 'Count', 'Flag'];
  const rows = [
    ['u2', 'b,c', 3, true],
    ['u1', null, 10, false],
  ];

  it.each<[string, Partial<OutputOptions>, string]>([
    ['value', { format: 'value' }, 'u2 b,c 3 True\nu1 None 10 False\n'],
    ['csv nonnumeric', { format: 'csv' }, '"UUID","Name","Count","Flag"\n"u2","b,c",3,True\n"u1","",10,False\n'],
    ['csv minimal', { format: 'csv', quote: 'minimal' }, 'UUID,Name,Count,Flag\nu2,"b,c",3,True\nu1,,10,False\n'],
    ['csv none', { format: 'csv', quote: 'none' }, 'UUID,Name,Count,Flag\nu2,b\\,c,3,True\nu1,,10,False\n'],
    ['csv all', { format: 'csv', quote: 'all' }, '"UUID","Name","Count","Flag"\n"u2","b,c","3","True"\n"u1","","10","False"\n'],
    ['json', { format: 'json', noindent: true }, '[{"UUID": "u2", "Name": "b,c", "Count": 3, "Flag": true}, {"UUID": "u1", "Name": null, "Count": 10, "Flag": false}]\n'],
    ['yaml', { format: 'yaml' }, "- Count: 3\n  Flag: true\n  Name: b,c\n  UUID: u2\n- Count: 10\n  Flag: false\n  Name: null\n  UUID: u1\n"],
    ['--sort-column', { format: 'value', sortColumns: ['UUID'] }, 'u1 None 10 False\nu2 b,c 3 True\n'],
    ['--sort-column desc', { format: 'value', sortColumns: ['Count'], sortDirection: 'desc' }, 'u1 None 10 False\nu2 b,c 3 True\n'],
    ['-c', { format: 'value', columns: ['Flag', 'UUID'] }, 'u2 True\nu1 False\n'],
    ['empty table', {}, ''],
  ])('%s', (name, opts, expected) => {
    expect(list(opts, names, name === 'empty table' ? [] : rows).out).toBe(expected === '' ? '\n' : expected);
  });

  it('right-aligns columns whose first value is a number', () => {
    expect(list({}, ['N', 'S'], [[5, 'a'], [123, 'bcd']]).out).toBe(
      '+-----+-----+\n|   N | S   |\n+-----+-----+\n|   5 | a   |\n| 123 | bcd |\n+-----+-----+\n',
    );
  });

  it('warns and keeps order when a sort column mixes types', () => {
    const { out, err } = list({ format: 'value', sortColumns: ['Name'] }, names, [['u1', { x: 1 }, 1, true], ['u2', 'a', 2, true]]);
    expect(out).toBe("u1 {'x': 1} 1 True\nu2 a 2 True\n");
    expect(err).toBe("Could not sort on field 'Name'; unsortable types\n");
  });
});
