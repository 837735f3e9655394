// htpasswd files made by Apache's own `htpasswd -B` (apache2-utils), so the tests prove Anvil reads what
// operators really produce rather than what our own code writes.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const HTPASSWD = '/usr/bin/htpasswd';

/** Writes `path` with one bcrypt entry per user (cost 5 keeps the tests fast). */
export function writeHtpasswd(path: string, users: Readonly<Record<string, string>>): void {
  if (!existsSync(HTPASSWD)) throw new Error(`${HTPASSWD} is missing: install apache2-utils (scripts/install-deps.sh --test)`);
  let first = true;
  for (const [user, password] of Object.entries(users)) {
    execFileSync(HTPASSWD, [...(first ? ['-c'] : []), '-B', '-C', '5', '-b', path, user, password], { stdio: 'pipe' });
    first = false;
  }
}
