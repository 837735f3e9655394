import { describe, expect, it } from 'vitest';
import { pyFloatRepr, pyNumber, pyRepr, pyStr } from './python-repr.js';

describe('pyStr (Python str() of decoded JSON)', () => {
  it.each<[unknown, string]>([
    [null, 'None'],
    [undefined, 'None'],
    [true, 'True'],
    [false, 'False'],
    [0, '0'],
    [-3, '-3'],
    [12345678901234, '12345678901234'],
    [1.5, '1.5'],
    [123.456, '123.456'],
    ['plain text', 'plain text'],
    ['', ''],
    [[], '[]'],
    [{}, '{}'],
    [['x'], "['x']"],
    [{ a: [1, { b: null }], c: 'd' }, "{'a': [1, {'b': None}], 'c': 'd'}"],
    [{ ipmi_password: '******', flag: true }, "{'ipmi_password': '******', 'flag': True}"],
  ])('%j -> %s', (value, expected) => {
    expect(pyStr(value)).toBe(expected);
  });
});

describe('pyRepr of strings', () => {
  it.each<[string, string]>([
    ["it's", `"it's"`],
    ['say "hi"', `'say "hi"'`],
    [`both ' and "`, `'both \\' and "'`],
    ['tab\tnl\nbs\\', "'tab\\tnl\\nbs\\\\'"],
    ['\x00\x7f', "'\\x00\\x7f'"],
    ['é日本', "'é日本'"],
    ['\u200b', "'\\u200b'"],
    ['\u00a0', "'\\xa0'"],
    ['😀', "'😀'"],
  ])('%j -> %s', (value, expected) => {
    expect(pyRepr(value)).toBe(expected);
  });
});

describe('pyFloatRepr', () => {
  it.each<[number, string]>([
    [1.5, '1.5'],
    [0.0001, '0.0001'],
    [1e-5, '1e-05'],
    [1.5e-7, '1.5e-07'],
    [1e16, '1e+16'],
    [2.5e20, '2.5e+20'],
    [1, '1.0'],
    [-0, '-0.0'],
    [Number.NaN, 'nan'],
    [Number.POSITIVE_INFINITY, 'inf'],
  ])('%d -> %s', (value, expected) => {
    expect(pyFloatRepr(value)).toBe(expected);
  });

  it('prints integral JSON numbers as Python ints, including large ones', () => {
    expect(pyNumber(1e21)).toBe('1000000000000000000000');
    expect(pyNumber(4096)).toBe('4096');
  });
});
