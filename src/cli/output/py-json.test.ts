import { describe, expect, it } from 'vitest';
import { pyJsonDumps } from './py-json.js';

describe('pyJsonDumps (json.dumps with indent=2 / no indent)', () => {
  it.each<[unknown, string]>([
    [null, 'null'],
    [true, 'true'],
    [1.5e-7, '1.5e-07'],
    ['é日本', '"\\u00e9\\u65e5\\u672c"'],
    ['😀', '"\\ud83d\\ude00"'],
    ['\x00\x7f"\\', '"\\u0000\\u007f\\"\\\\"'],
    [[], '[]'],
    [{}, '{}'],
  ])('scalar %j', (value, expected) => {
    expect(pyJsonDumps(value)).toBe(expected);
  });

  it('indents nested containers by two spaces and keeps key order', () => {
    expect(pyJsonDumps({ b: [1, { c: null }], a: {} })).toBe(
      '{\n  "b": [\n    1,\n    {\n      "c": null\n    }\n  ],\n  "a": {}\n}',
    );
  });

  it('uses ", " and ": " separators without indent (--noindent)', () => {
    expect(pyJsonDumps({ a: [1, 2], b: 'x' }, null)).toBe('{"a": [1, 2], "b": "x"}');
  });
});
