// Access to the requests/responses recorded from a real Ironic 21.4 server (test/fixtures/ironic).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'ironic');

export interface RecordedExchange {
  case: string;
  request: { method: string; path: string; headers: Record<string, string>; body: unknown };
  response: { status: number; headers: Record<string, string>; header_names: string[]; body: any };
}

export function fixture(name: string): RecordedExchange {
  return JSON.parse(readFileSync(join(DIR, `${name}.json`), 'utf8')) as RecordedExchange;
}

/** The microversion the recorded server answered at (its maximum, 1.82). */
export const FIXTURE_VERSION = '1.82';

export function keysOf(v: unknown): string[] {
  return Object.keys(v as object).sort();
}
