import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { displayWidth, fill, wrapLines } from './text.js';

const golden = JSON.parse(readFileSync(new URL('./__fixtures__/textwrap.json', import.meta.url), 'utf8')) as Array<{
  text: string;
  width: number;
  expected: string[];
}>;

describe('wrapLines matches Python textwrap.wrap', () => {
  it.each(golden.map((c, i) => [i, c] as const))('case %i', (_i, c) => {
    expect(wrapLines(c.text, c.width)).toEqual(c.expected);
  });

  it('breaks after the last hyphen of an over-long word', () => {
    expect(wrapLines('2026-11-25T13:27:04.313798+00:00', 10)).toEqual(['2026-11-', '25T13:27:0', '4.313798+0', '0:00']);
  });
});

describe('fill', () => {
  it('joins wrapped lines like textwrap.fill(width=70)', () => {
    const text =
      'Requested API version 1.999 is not supported by the server, client, or the requested operation ' +
      'is not supported by the requested version. Supported version range is 1.1 to 1.78';
    expect(fill(text, 70)).toBe(
      'Requested API version 1.999 is not supported by the server, client, or\n' +
        'the requested operation is not supported by the requested version.\n' +
        'Supported version range is 1.1 to 1.78',
    );
  });
});

describe('displayWidth', () => {
  it.each<[string, number]>([
    ['abc', 3],
    ['é', 1],
    ['日本', 4],
    ['e\u0301', 1],
  ])('%j is %i columns', (s, w) => {
    expect(displayWidth(s)).toBe(w);
  });
});
