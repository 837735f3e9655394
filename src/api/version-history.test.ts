// The advertised maximum is backed by the history: every microversion up to MAX_MINOR is listed with the
// place that implements it (which must exist), and docs/api-versions.md shows the same table.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MAX_MINOR } from './versions.js';
import { VERSION_HISTORY } from './version-history.js';

export function renderVersionTable(): string {
  const rows = VERSION_HISTORY.map((v) => `| 1.${v.minor} | ${v.adds} | ${v.where === '-' ? '—' : v.where.split(', ').map((w) => `\`src/${w}\``).join(', ')} |`);
  return ['| version | adds | implemented in |', '|---|---|---|', ...rows].join('\n');
}

describe('microversion history', () => {
  it('lists every version from 1.1 to the advertised maximum, in order', () => {
    expect(VERSION_HISTORY.map((v) => v.minor)).toEqual(Array.from({ length: MAX_MINOR }, (_, i) => i + 1));
  });

  it('names places that exist', () => {
    for (const v of VERSION_HISTORY) {
      if (v.where === '-') continue;
      for (const w of v.where.split(', ')) expect(existsSync(new URL(`../${w}`, import.meta.url)), `1.${v.minor}: src/${w}`).toBe(true);
    }
  });

  it('is the table in docs/api-versions.md', () => {
    const doc = readFileSync(new URL('../../docs/api-versions.md', import.meta.url), 'utf8');
    expect(doc).toContain(renderVersionTable());
  });
});
