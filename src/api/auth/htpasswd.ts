// Apache htpasswd files with bcrypt hashes, as Ironic's `http_basic` strategy reads them: one `user:hash` per
// line. Only bcrypt (`$2a$`, `$2b$`, `$2y$`) is accepted, as in Ironic; the hashing itself is bcryptjs (a kept
// pure-JavaScript implementation), never our own code. The file is re-read when it changes, so users can be
// added without a restart.
import bcrypt from 'bcryptjs';
import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { ConfigError } from '../../common/config.js';

const BCRYPT_RE = /^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$/;
// Compared against when the user does not exist, so an unknown name costs as long as a wrong password.
const DUMMY_HASH = '$2b$10$9fMBVqyr/RCls6FOr6kJReeAeiQmEXLndBownT7JGUpA/VkMo4SHS';
// A successful check is remembered for a while: bcrypt costs tens of milliseconds of CPU per request
// otherwise. Keyed by an HMAC under a per-process key, so the cache never holds a password.
const CACHE_TTL_MS = 5 * 60_000;
const CACHE_MAX = 1000;

export function parseHtpasswd(text: string, source: string): Map<string, string> {
  const users = new Map<string, string>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const colon = line.indexOf(':');
    const user = line.slice(0, colon);
    const hash = line.slice(colon + 1);
    if (colon < 1) throw new ConfigError(`${source} line ${i + 1}: expected user:bcrypt-hash`);
    if (!BCRYPT_RE.test(hash)) {
      throw new ConfigError(`${source} line ${i + 1}: the hash of user ${user} is not bcrypt (create it with \`htpasswd -B\`)`);
    }
    users.set(user, hash);
  });
  return users;
}

export class HtpasswdFile {
  #users: Map<string, string>;
  #mtimeMs: number;
  readonly #cacheKey = randomBytes(32);
  readonly #verified = new Map<string, number>();

  /** Reads and checks the file now: a missing or malformed file stops the start-up. */
  constructor(readonly path: string) {
    if (!path) throw new ConfigError('authStrategy http_basic needs httpBasicAuthUserFile (an htpasswd file with bcrypt hashes)');
    this.#mtimeMs = this.#stat();
    this.#users = this.#read();
  }

  #stat(): number {
    try {
      return statSync(this.path).mtimeMs;
    } catch (err) {
      throw new ConfigError(`cannot read httpBasicAuthUserFile ${this.path}: ${(err as Error).message}`);
    }
  }

  #read(): Map<string, string> {
    return parseHtpasswd(readFileSync(this.path, 'utf8'), this.path);
  }

  /** Re-reads a changed file; a broken edit keeps the last good user list rather than locking everyone out. */
  #refresh(): void {
    let mtime: number;
    try {
      mtime = this.#stat();
      if (mtime === this.#mtimeMs) return;
      this.#users = this.#read();
      this.#mtimeMs = mtime;
      this.#verified.clear();
    } catch {
      // keep the previous list
    }
  }

  async verify(user: string, password: string): Promise<boolean> {
    this.#refresh();
    const hash = this.#users.get(user);
    const key = createHmac('sha256', this.#cacheKey).update(`${user}\0${password}\0${hash ?? ''}`).digest('base64');
    const until = this.#verified.get(key);
    if (hash && until !== undefined && until > Date.now()) return true;
    const ok = await bcrypt.compare(password, hash ?? DUMMY_HASH);
    if (!ok || !hash) return false;
    if (this.#verified.size >= CACHE_MAX) this.#verified.clear();
    this.#verified.set(key, Date.now() + CACHE_TTL_MS);
    return true;
  }
}
