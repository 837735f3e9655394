// Who may talk to a Redfish BMC: HTTP Basic with the BMC's one account, or a session made by POSTing the
// same credentials to SessionService/Sessions, whose token comes back in X-Auth-Token (DSP0266 "Session
// login"). Sessions live in memory and expire after the session timeout without use, as on real BMCs;
// a client must then log in again on the 401.
import { randomBytes, randomUUID, timingSafeEqual, createHash } from 'node:crypto';

export interface Session {
  readonly id: string;
  readonly token: string;
  readonly userName: string;
  readonly createdAt: string;
  lastUsed: number;
}

function sameSecret(a: string, b: string): boolean {
  // Hash first: timingSafeEqual needs equal lengths, and the length must not leak either.
  const h = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(h(a), h(b));
}

export class Authenticator {
  readonly #sessions = new Map<string, Session>();

  constructor(
    readonly username: string,
    readonly password: string,
    /** Seconds a session lives without being used. */
    readonly sessionTimeoutS: number,
  ) {}

  credentialsMatch(user: unknown, password: unknown): boolean {
    return typeof user === 'string' && typeof password === 'string' && sameSecret(user, this.username) && sameSecret(password, this.password);
  }

  /** True when the request's X-Auth-Token or Basic credentials are valid; refreshes the session used. */
  allows(headers: { token: string | undefined; authorization: string | undefined }): boolean {
    if (headers.token !== undefined) return this.sessionFor(headers.token) !== undefined;
    const m = /^Basic\s+(\S+)$/i.exec(headers.authorization ?? '');
    if (!m) return false;
    const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon >= 0 && this.credentialsMatch(decoded.slice(0, colon), decoded.slice(colon + 1));
  }

  sessionFor(token: string): Session | undefined {
    this.#expire();
    for (const s of this.#sessions.values()) {
      if (sameSecret(s.token, token)) {
        s.lastUsed = Date.now();
        return s;
      }
    }
    return undefined;
  }

  create(userName: string): Session {
    const s: Session = {
      id: randomUUID().replace(/-/g, '').slice(0, 16), token: randomBytes(24).toString('hex'), userName,
      createdAt: new Date().toISOString(), lastUsed: Date.now(),
    };
    this.#sessions.set(s.id, s);
    return s;
  }

  get(id: string): Session | undefined {
    this.#expire();
    return this.#sessions.get(id);
  }

  delete(id: string): boolean {
    return this.#sessions.delete(id);
  }

  list(): Session[] {
    this.#expire();
    return [...this.#sessions.values()];
  }

  #expire(): void {
    const cutoff = Date.now() - this.sessionTimeoutS * 1000;
    for (const [id, s] of this.#sessions) if (s.lastUsed < cutoff) this.#sessions.delete(id);
  }
}
