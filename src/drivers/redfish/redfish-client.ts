// One connection per BMC (address, credentials, TLS and auth settings): undici keep-alive sockets with the
// node's certificate policy, a Redfish session logged in once and reused by every call until the BMC drops
// it (a 401 logs in again, once), per-request timeouts, bounded retries of connection errors and 5xx
// answers, and ETag/If-Match on PATCH. Failures come out as RedfishError with a secret-free message.
// Hand-written over undici because no kept Redfish client exists for Node; undici does the HTTP and TLS.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Agent, request, type Dispatcher } from 'undici';
import { log } from '../../common/log.js';
import { scrubKnownSecrets } from '../../common/secrets.js';
import { explainErrorBody, RedfishError } from './redfish-error.js';
import type { RedfishSettings } from './redfish-settings.js';

type Dict = Record<string, unknown>;
const isDict = (v: unknown): v is Dict => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface RedfishTuning {
  /** Seconds one HTTP exchange may take (connect, headers, body). */
  readonly requestTimeoutS: number;
  /** Tries of one call when the BMC cannot be reached or answers 5xx (Ironic's [redfish]connection_attempts). */
  readonly attempts: number;
  /** First pause between tries, doubled each time up to maxBackoffMs (Ironic's connection_retry_interval). */
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
}

export const DEFAULT_TUNING: RedfishTuning = { requestTimeoutS: 30, attempts: 5, initialBackoffMs: 500, maxBackoffMs: 4000 };

export interface CallOptions {
  /** Epoch ms after which no new try starts. */
  readonly deadline?: number;
  /** For POST: whether sending it twice is harmless. Non-idempotent calls are only retried when the BMC
   * certainly did not act (connection refused, connect timeout, 503). */
  readonly idempotent?: boolean;
}

export interface RedfishResponse {
  readonly status: number;
  readonly body: unknown;
  readonly etag: string | null;
  readonly location: string | null;
}

// Statuses that mean "the BMC did not act; ask again later".
const NOT_DONE = new Set([502, 503, 504]);
const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|ALTNAME|UNABLE_TO_GET_ISSUER/;
const MAX_BODY = 16 * 1024 * 1024;

function loadCa(path: string): string[] {
  const st = statSync(path);
  const files = st.isDirectory()
    ? readdirSync(path).filter((f) => /\.(pem|crt|cer)$/i.test(f)).map((f) => join(path, f))
    : [path];
  return files.map((f) => readFileSync(f, 'utf8'));
}

type Exchanged = RedfishResponse & { readonly headersToken: string | null };

/** Failures after which the BMC certainly did nothing (no connection was made). */
const NOT_SENT = new WeakSet<RedfishError>();
const notSent = (e: RedfishError) => (NOT_SENT.add(e), e);

function retryable(err: RedfishError, idempotent: boolean): boolean {
  if (err.kind === 'http') return NOT_DONE.has(err.status ?? 0) || (idempotent && (err.status ?? 0) >= 500);
  if (err.kind === 'unreachable' || err.kind === 'timeout') return idempotent || NOT_SENT.has(err);
  return false;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** undici/Node error codes of a failed exchange, outermost first. */
function codesOf(err: unknown): string[] {
  const out: string[] = [];
  for (let e: unknown = err, i = 0; e && i < 5; e = (e as { cause?: unknown }).cause, i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') out.push(code);
  }
  return out;
}

export class RedfishConnection {
  readonly settings: RedfishSettings;
  readonly #tuning: RedfishTuning;
  readonly #agent: Agent;
  #token: string | null = null;
  #sessionUri: string | null = null;
  /** Decided on first use for `auto`: session when the service offers one, else basic. */
  #mode: 'basic' | 'session' | 'none' | null;
  #login: Promise<void> | null = null;
  #root: Dict | null = null;

  constructor(settings: RedfishSettings, tuning: RedfishTuning = DEFAULT_TUNING) {
    this.settings = settings;
    this.#tuning = tuning;
    const verify = settings.verifyCa !== false;
    this.#agent = new Agent({
      connect: {
        rejectUnauthorized: verify,
        ...(typeof settings.verifyCa === 'string' ? { ca: loadCa(settings.verifyCa) } : {}),
        timeout: tuning.requestTimeoutS * 1000,
      },
      keepAliveTimeout: 10_000,
      headersTimeout: tuning.requestTimeoutS * 1000,
      bodyTimeout: tuning.requestTimeoutS * 1000,
    });
    this.#mode = !settings.username ? 'none' : settings.authType === 'auto' ? null : settings.authType;
  }

  /** The BMC session this connection holds (its Location), null with basic auth or before the first call. */
  get sessionPath(): string | null {
    return this.#token ? this.#sessionUri : null;
  }

  /** Where messages say the call went; never carries credentials. */
  get bmc(): string {
    return this.settings.origin;
  }

  #scrub(text: string): string {
    return scrubKnownSecrets(text, [this.settings.password, this.#token]);
  }

  async get(path: string, opts: CallOptions = {}): Promise<RedfishResponse> {
    return this.#call('GET', path, undefined, {}, { ...opts, idempotent: true });
  }

  async post(path: string, body: Dict, opts: CallOptions = {}): Promise<RedfishResponse> {
    return this.#call('POST', path, body, {}, opts);
  }

  async delete(path: string, opts: CallOptions = {}): Promise<RedfishResponse> {
    return this.#call('DELETE', path, undefined, {}, { ...opts, idempotent: true });
  }

  /**
   * PATCH with the resource's ETag in If-Match when it has one (some BMCs refuse a PATCH without it, 428).
   * A weak ETag refused with 412 is retried in its strong form, as BMCs differ on what they compare.
   */
  async patch(path: string, body: Dict, etag: string | null, opts: CallOptions = {}): Promise<RedfishResponse> {
    const headers: Record<string, string> = etag ? { 'if-match': etag } : {};
    try {
      return await this.#call('PATCH', path, body, headers, { ...opts, idempotent: true });
    } catch (err) {
      const weak = etag?.match(/^W\/(".*")$/);
      if (!(err instanceof RedfishError) || err.status !== 412 || !weak) throw err;
      return this.#call('PATCH', path, body, { 'if-match': weak[1]! }, { ...opts, idempotent: true });
    }
  }

  /** The service root (cached): links to Systems, Managers, SessionService. Readable without credentials. */
  async root(opts: CallOptions = {}): Promise<Dict> {
    if (!this.#root) {
      const res = await this.#call('GET', '/redfish/v1/', undefined, {}, { ...opts, idempotent: true }, false);
      if (!isDict(res.body)) throw new RedfishError(`BMC ${this.bmc} answered the service root with no JSON object.`, 'protocol');
      this.#root = res.body;
    }
    return this.#root;
  }

  /** Logs out of the BMC session (best effort) and closes the sockets. */
  async close(): Promise<void> {
    const uri = this.#sessionUri;
    if (uri && this.#token) {
      await this.#exchange('DELETE', uri, undefined, {}).catch(() => undefined);
    }
    this.#token = null;
    this.#sessionUri = null;
    await this.#agent.close().catch(() => undefined);
  }

  #authHeaders(): Record<string, string> {
    if (this.#mode === 'basic') {
      const creds = Buffer.from(`${this.settings.username ?? ''}:${this.settings.password ?? ''}`).toString('base64');
      return { authorization: `Basic ${creds}` };
    }
    if (this.#mode === 'session' && this.#token) return { 'x-auth-token': this.#token };
    return {};
  }

  /** Logs in once for all concurrent callers; `auto` falls back to basic when the service has no sessions. */
  async #ensureAuth(opts: CallOptions, renew: boolean): Promise<void> {
    if (this.#mode === 'basic' || this.#mode === 'none') return;
    if (this.#mode === 'session' && this.#token && !renew) return;
    this.#login ??= this.#createSession(opts).finally(() => (this.#login = null));
    await this.#login;
  }

  async #createSession(opts: CallOptions): Promise<void> {
    const auto = this.#mode === null;
    this.#token = null;
    let sessions = '/redfish/v1/SessionService/Sessions';
    try {
      const root = await this.root(opts);
      const link = isDict(root.Links) && isDict(root.Links.Sessions) ? root.Links.Sessions['@odata.id'] : undefined;
      if (typeof link === 'string') sessions = link;
      else if (auto) {
        this.#mode = 'basic'; // no session service advertised: Ironic's `auto` uses basic then
        return;
      }
    } catch (err) {
      if (!auto) throw err;
      this.#mode = 'basic';
      return;
    }
    let res: Exchanged;
    try {
      res = await this.#call('POST', sessions, { UserName: this.settings.username, Password: this.settings.password ?? '' }, {},
        { ...opts, idempotent: false }, false);
    } catch (err) {
      if (err instanceof RedfishError && err.kind === 'http' && auto && [404, 405, 501].includes(err.status ?? 0)) {
        this.#mode = 'basic';
        return;
      }
      throw err;
    }
    const token = res.headersToken;
    if (!token) throw new RedfishError(`BMC ${this.bmc} created a session without an X-Auth-Token.`, 'protocol');
    this.#token = token;
    this.#sessionUri = res.location ?? (isDict(res.body) && typeof res.body['@odata.id'] === 'string' ? res.body['@odata.id'] : null);
    this.#mode = 'session';
  }

  async #call(method: string, path: string, body: Dict | undefined, headers: Record<string, string>, opts: CallOptions,
    authenticated = true): Promise<Exchanged> {
    const what = `${method} ${path}`;
    const deadline = opts.deadline ?? Infinity;
    let backoff = this.#tuning.initialBackoffMs;
    let renewed = false;
    for (let attempt = 1; ; attempt++) {
      let failure: RedfishError;
      try {
        if (authenticated) await this.#ensureAuth(opts, false);
        const res = await this.#exchange(method, path, body, { ...headers, ...(authenticated ? this.#authHeaders() : {}) }, deadline);
        if (res.status < 400) return res;
        // A session the BMC dropped (timeout, reboot, too many sessions): log in again, once per call.
        if (authenticated && res.status === 401 && this.#mode === 'session' && !renewed) {
          renewed = true;
          await this.#ensureAuth(opts, true);
          attempt--;
          continue;
        }
        failure = this.#httpError(method, path, res, authenticated);
      } catch (err) {
        if (!(err instanceof RedfishError)) throw err;
        failure = err;
      }
      if (!retryable(failure, opts.idempotent === true)) throw failure;
      const left = deadline - Date.now();
      if (attempt >= this.#tuning.attempts || left <= 0) {
        if (attempt > 1) failure.message = `${failure.message} (after ${attempt} tries)`;
        throw failure;
      }
      log.warn('Redfish call failed, retrying', { bmc: this.bmc, call: what, attempt, error: failure.message });
      await sleep(Math.min(backoff, left));
      backoff = Math.min(backoff * 2, this.#tuning.maxBackoffMs);
    }
  }

  #httpError(method: string, path: string, res: RedfishResponse, authenticated: boolean): RedfishError {
    const explained = explainErrorBody(res.body);
    const detail = explained.text ? `: ${this.#scrub(explained.text)}` : '';
    if (res.status === 401 || (res.status === 403 && !authenticated)) {
      const login = !authenticated && method === 'POST';
      // "…password: <text>" would read as a secret to the log scrubber, so the BMC's words come first.
      return new RedfishError(`${login ? 'Login to' : 'Authentication with'} BMC ${this.bmc} failed with HTTP ${res.status}${detail} `
        + '(check redfish_username and redfish_password)', 'auth', res.status, explained.messageIds);
    }
    return new RedfishError(`Redfish ${method} ${path} on BMC ${this.bmc} failed with HTTP ${res.status}${detail}`, 'http', res.status,
      explained.messageIds);
  }

  /** One HTTP exchange; transport failures become RedfishError (unreachable / timeout / tls). */
  async #exchange(method: string, path: string, body: Dict | undefined, headers: Record<string, string>, deadline = Infinity): Promise<Exchanged> {
    // The caller's deadline (a power action's timeout) bounds the wait for an answer, not only the request timeout.
    const timeoutMs = Math.max(1, Math.min(this.#tuning.requestTimeoutS * 1000, deadline - Date.now()));
    const url = new URL(path, this.settings.origin);
    if (url.origin !== this.settings.origin) {
      throw new RedfishError(`BMC ${this.bmc} linked to another host (${url.origin}); refusing to send credentials there.`, 'protocol');
    }
    let res: Dispatcher.ResponseData;
    try {
      res = await request(url, {
        method: method as Dispatcher.HttpMethod,
        dispatcher: this.#agent,
        headers: {
          accept: 'application/json', 'odata-version': '4.0', 'accept-encoding': 'identity',
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...headers,
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
    } catch (err) {
      throw this.#transportError(method, path, err, timeoutMs);
    }
    let text: string;
    try {
      text = await res.body.text();
    } catch (err) {
      throw this.#transportError(method, path, err, timeoutMs);
    }
    if (text.length > MAX_BODY) throw new RedfishError(`BMC ${this.bmc} answered ${method} ${path} with more than ${MAX_BODY} bytes.`, 'protocol');
    let parsed: unknown = null;
    if (text.trim()) {
      try {
        parsed = JSON.parse(text);
      } catch {
        if (res.statusCode < 400) {
          throw new RedfishError(`BMC ${this.bmc} answered ${method} ${path} with HTTP ${res.statusCode} but no JSON.`, 'protocol');
        }
        parsed = { error: { message: text.trim().slice(0, 200) } };
      }
    }
    const header = (name: string) => {
      const v = res.headers[name];
      return typeof v === 'string' ? v : Array.isArray(v) ? v[0] ?? null : null;
    };
    const etag = header('etag') ?? (isDict(parsed) && typeof parsed['@odata.etag'] === 'string' ? parsed['@odata.etag'] : null);
    const location = header('location');
    return {
      status: res.statusCode, body: parsed, etag, headersToken: header('x-auth-token'),
      location: location ? new URL(location, this.settings.origin).pathname : null,
    };
  }

  #transportError(method: string, path: string, err: unknown, timeoutMs: number): RedfishError {
    const codes = codesOf(err);
    const raw = this.#scrub((err as Error)?.message ?? String(err));
    const where = `Redfish ${method} ${path} on BMC ${this.bmc}`;
    if (codes.some((c) => TLS_CODES.test(c))) {
      return new RedfishError(`${where} failed: the BMC's TLS certificate is not trusted (${codes.find((c) => TLS_CODES.test(c))}: ${raw}); `
        + 'give its CA in redfish_verify_ca, or set redfish_verify_ca to false to skip verification', 'tls');
    }
    if (codes.includes('UND_ERR_CONNECT_TIMEOUT')) return notSent(new RedfishError(`${where} failed: could not connect within ${this.#tuning.requestTimeoutS} s`, 'timeout'));
    if (codes.some((c) => /TIMEOUT/.test(c))) return new RedfishError(`${where} failed: no answer within ${timeoutMs / 1000} s`, 'timeout');
    if (codes.includes('ECONNREFUSED')) return notSent(new RedfishError(`${where} failed: connection refused`, 'unreachable'));
    return new RedfishError(`${where} failed: ${codes[0] ? `${codes[0]}: ` : ''}${raw}`, 'unreachable');
  }
}

/** Connections by everything that makes them differ (not the system id: one BMC may serve several nodes),
 * so sessions are shared by all calls to one BMC. */
const connections = new Map<string, RedfishConnection>();
const MAX_CONNECTIONS = 1000; // Ironic's [redfish]connection_cache_size

function keyOf(s: RedfishSettings, tuning: RedfishTuning): string {
  const secret = createHash('sha256').update(`${s.username ?? ''}\0${s.password ?? ''}`).digest('hex');
  return JSON.stringify([s.origin, secret, s.verifyCa, s.authType, tuning]);
}

/** The shared connection for these settings (least recently used ones are closed beyond the cache size). */
export function redfishConnection(settings: RedfishSettings, tuning: RedfishTuning = DEFAULT_TUNING): RedfishConnection {
  const key = keyOf(settings, tuning);
  let conn = connections.get(key);
  if (conn) {
    connections.delete(key);
  } else {
    conn = new RedfishConnection(settings, tuning);
    while (connections.size >= MAX_CONNECTIONS) {
      const [oldKey, old] = connections.entries().next().value as [string, RedfishConnection];
      connections.delete(oldKey);
      void old.close();
    }
  }
  connections.set(key, conn);
  return conn;
}

/** Closes every cached connection (tests, shutdown). */
export async function closeRedfishConnections(): Promise<void> {
  const all = [...connections.values()];
  connections.clear();
  await Promise.all(all.map((c) => c.close()));
}
