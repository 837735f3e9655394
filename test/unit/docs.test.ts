// The configuration reference must list every setting the code knows (and nothing it doesn't).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SETTINGS, envName, flagName, type SettingName } from '../../src/common/config.js';
import { withSettingsTable } from '../../src/common/config-docs.js';

describe('docs/configuration.md', () => {
  const doc = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
  const rows = doc.split('\n').filter((l) => /^\| [a-z]\w* \|/.test(l)).map((l) => l.split('|')[1]!.trim()).filter((n) => n !== 'setting');

  it('documents every setting with its environment variable and flag', () => {
    expect(rows.sort()).toEqual(Object.keys(SETTINGS).sort());
    for (const name of Object.keys(SETTINGS) as SettingName[]) {
      const row = doc.split('\n').find((l) => l.startsWith(`| ${name} |`))!;
      expect(row).toContain(`\`${envName(name)}\``);
      expect(row).toContain(`\`${flagName(name)}\``);
      if ((SETTINGS[name] as { secret?: boolean }).secret) expect(row).toContain('(refused:');
    }
  });

  it('holds the settings table exactly as generated from the declaration (regenerate with `npm run docs`)', () => {
    expect(withSettingsTable(doc)).toBe(doc);
  });
});
