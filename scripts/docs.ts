// Regenerates the settings table of docs/configuration.md from src/common/config.ts (`npm run docs`).
import { readFileSync, writeFileSync } from 'node:fs';
import { withSettingsTable } from '../src/common/config-docs.js';

const path = new URL('../docs/configuration.md', import.meta.url);
writeFileSync(path, withSettingsTable(readFileSync(path, 'utf8')));
