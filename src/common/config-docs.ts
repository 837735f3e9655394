// Renders the settings table of docs/configuration.md from the one declaration in config.ts, so the
// documented defaults, allowed values and meanings cannot drift from what the service enforces.
import { SETTINGS, envName, flagName, type SettingName } from './config.js';
import { allowedText, type SettingSpec } from './config-schema.js';

export const TABLE_BEGIN = '<!-- settings table: generated from src/common/config.ts by `npm run docs`; do not edit -->';
export const TABLE_END = '<!-- end of settings table -->';

/** A setting's default as people read it: the documented wording, else the computed value (plain text). */
export function defaultText(spec: SettingSpec): string {
  if (spec.shownDefault !== undefined) return spec.shownDefault;
  const value = spec.default();
  const text = Array.isArray(value) ? value.join(',') : String(value);
  return text === '' ? '(empty)' : text;
}

function shownDefault(spec: SettingSpec): string {
  const text = defaultText(spec);
  return spec.shownDefault !== undefined || text === '(empty)' ? text : `\`${text}\``;
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function renderSettingsTable(): string {
  const rows = (Object.entries(SETTINGS) as [SettingName, SettingSpec][]).map(([name, spec]) =>
    `| ${name} | \`${envName(name)}\` | ${spec.secret ? `(refused: \`${flagName(name)}\` would show the key in the process list)` : `\`${flagName(name)}\``} | ${cell(shownDefault(spec))} | ${cell(allowedText(spec))} | ${cell(spec.doc)} |`);
  return [TABLE_BEGIN, '| setting | environment | flag | default | allowed | meaning |', '|---|---|---|---|---|---|', ...rows, TABLE_END].join('\n');
}

/** `doc` with its settings table (between the markers, or the first table when none yet) replaced. */
export function withSettingsTable(doc: string): string {
  const begin = doc.indexOf(TABLE_BEGIN);
  const end = doc.indexOf(TABLE_END);
  if (begin >= 0 && end > begin) return doc.slice(0, begin) + renderSettingsTable() + doc.slice(end + TABLE_END.length);
  const lines = doc.split('\n');
  const first = lines.findIndex((l) => l.startsWith('| setting |'));
  if (first < 0) throw new Error('no settings table found');
  let last = first;
  while (lines[last + 1]?.startsWith('|')) last++;
  return [...lines.slice(0, first), renderSettingsTable(), ...lines.slice(last + 1)].join('\n');
}
