import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { chooseStyle, pyYamlDump } from './py-yaml.js';

const golden = JSON.parse(
  readFileSync(new URL('./__fixtures__/pyyaml-safe-dump.json', import.meta.url), 'utf8'),
) as Array<{ input: unknown; expected: string }>;

describe('pyYamlDump matches PyYAML safe_dump', () => {
  it.each(golden.map((c) => [JSON.stringify(c.input).slice(0, 60), c] as const))('%s', (_name, c) => {
    expect(pyYamlDump(c.input)).toBe(c.expected);
  });

  it('closes a bare plain scalar document with "..."', () => {
    expect(pyYamlDump('abc')).toBe('abc\n...\n');
    expect(pyYamlDump(null)).toBe('null\n...\n');
    expect(pyYamlDump('yes')).toBe("'yes'\n");
  });

  it('never emits multi-line single quotes for keys', () => {
    expect(chooseStyle('a\nb', true)).toBe('double');
    expect(chooseStyle('a\nb', false)).toBe('single');
  });
});
