// Where the lab's shell helpers live (scripts/lab), from the compiled or the source tree alike.
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
export const LAB_SCRIPTS = join(REPO_ROOT, 'scripts', 'lab');
