// HTTP client for the bare metal API as the `baremetal` CLI uses it: microversion header and
// negotiation, ironicclient's retry policy (409/503/connection failures), and error decoding.

import { ConnectionError, CliError, HttpError, UnsupportedVersionError } from './errors.js';
import { fill } from './output/text.js';
import { MASK, isSecretKey, maskSecrets, scrubText } from '../common/secrets.js';

export const VERSION_HEADER = 'X-OpenStack-Ironic-API-Version';
const MIN_HEADER = 'X-OpenStack-Ironic-API-Minimum-Version';
const MAX_HEADER = 'X-OpenStack-Ironic-API-Maximum-Version';

// Default wording per status when the body carries no fault string (as ironicclient words it).
const STATUS_TEXT: Readonly<Record<number, string>> = {
  300: 'Multiple Choices', 400: 'Bad Request', 401: 'Unauthorized', 402: 'Payment Required',
  403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 406: 'Not Acceptable',
  407: 'Proxy Authentication Required', 408: 'Request Timeout', 409: 'Conflict', 410: 'Gone',
  411: 'Length Required', 412: 'Precondition Failed', 413: 'Request Entity Too Large',
  414: 'Request-URI Too Long', 415: 'Unsupported Media Type', 416: 'Requested Range Not Satisfiable',
  417: 'Expectation Failed', 422: 'Unprocessable Entity', 500: 'Internal Server Error',
  501: 'Not Implemented', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout',
  505: 'HTTP Version Not Supported',
};

export interface ApiClientLog {
  readonly debug?: ((line: string) => void) | undefined;
  readonly error: (line: string) => void;
}

export interface ApiClientOptions {
  /** Base URL, with or without a trailing `/v1`. */
  readonly endpoint: string;
  /** `latest` (negotiated down on 406) or an explicit `1.N` (406 is then an error). */
  readonly apiVersion: string;
  /** Credentials for `--os-auth-type http_basic`. */
  readonly basicAuth?: { readonly username: string; readonly password: string } | undefined;
  readonly maxRetries?: number | undefined;
  readonly retryDelayMs?: number | undefined;
  readonly timeoutMs?: number | undefined;
  readonly log: ApiClientLog;
  readonly fetch?: typeof fetch | undefined;
  readonly sleep?: ((ms: number) => Promise<void>) | undefined;
}

export interface ApiResponse {
  readonly status: number;
  readonly headers: Headers;
  /** Decoded JSON body; undefined for empty or non-JSON responses. */
  readonly body: unknown;
}

/** Extracts the user-facing fault text from an Ironic error body (`error_message` holds JSON text). */
export function decodeFault(text: string): string | undefined {
  let outer: unknown;
  try {
    outer = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof outer !== 'object' || outer === null || !('error_message' in outer)) return undefined;
  const raw = (outer as { error_message: unknown }).error_message;
  let inner: unknown = raw;
  if (typeof raw === 'string') {
    try {
      inner = JSON.parse(raw);
    } catch {
      return raw;
    }
  }
  if (typeof inner === 'object' && inner !== null) {
    const { faultstring, description } = inner as { faultstring?: unknown; description?: unknown };
    const msg = faultstring || description;
    if (msg) return String(msg);
  }
  return typeof raw === 'string' ? raw : undefined;
}

/**
 * A request body as --debug may show it: secret-keyed values masked, and in a JSON patch the value of every
 * operation whose path names a secret (`/driver_info/ipmi_password`), which no key=value scrubbing can see.
 */
export function scrubPayload(payload: string): string {
  let doc: unknown;
  try {
    doc = JSON.parse(payload);
  } catch {
    return scrubText(payload);
  }
  if (Array.isArray(doc)) {
    doc = doc.map((op: unknown) => {
      if (op === null || typeof op !== 'object' || Array.isArray(op)) return maskSecrets(op);
      const { path, value } = op as { path?: unknown; value?: unknown };
      const secretPath = typeof path === 'string' && path.split('/').some((seg) => isSecretKey(seg));
      return secretPath && value !== undefined ? { ...maskSecrets(op), value: MASK } : maskSecrets(op);
    });
  } else {
    doc = maskSecrets(doc);
  }
  return scrubText(JSON.stringify(doc));
}

function describeFailure(err: unknown): string {
  const cause = (err as { cause?: unknown }).cause;
  const target = cause ?? err;
  if (target instanceof AggregateError && target.errors.length > 0) {
    return target.errors.map((e: unknown) => (e instanceof Error ? e.message : String(e))).join('; ');
  }
  if (target instanceof Error) return target.message || (target as { code?: string }).code || target.name;
  return String(target);
}

/** Strips a trailing `/v1` and slashes, as ironicclient does with the configured endpoint. */
export function trimEndpoint(endpoint: string): string {
  return endpoint.replace(/\/+(v1)?\/*$/, '');
}

export class ApiClient {
  readonly endpoint: string;
  #version: string;
  #state: 'latest' | 'user' | 'negotiated';
  readonly #opts: ApiClientOptions;
  readonly #fetch: typeof fetch;
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(opts: ApiClientOptions) {
    let parsed: URL;
    try {
      parsed = new URL(opts.endpoint);
    } catch {
      throw new CliError(`Invalid endpoint URL: ${opts.endpoint}`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new CliError(`Unsupported endpoint scheme in ${opts.endpoint}; use http or https`);
    }
    this.endpoint = trimEndpoint(opts.endpoint);
    this.#opts = opts;
    this.#version = opts.apiVersion;
    this.#state = opts.apiVersion === 'latest' ? 'latest' : 'user';
    this.#fetch = opts.fetch ?? fetch;
    this.#sleep = opts.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** The version sent on the next request (`latest` until negotiation picks a number). */
  get apiVersion(): string {
    return this.#version;
  }

  get(path: string): Promise<ApiResponse> {
    return this.request('GET', path);
  }

  post(path: string, body: unknown): Promise<ApiResponse> {
    return this.request('POST', path, body);
  }

  patch(path: string, body: unknown): Promise<ApiResponse> {
    return this.request('PATCH', path, body);
  }

  delete(path: string): Promise<ApiResponse> {
    return this.request('DELETE', path);
  }

  /** Path (under the endpoint) of a `next` link: scheme, host and endpoint prefix removed. */
  nextPath(next: string): string {
    const url = new URL(next, this.endpoint + '/');
    const prefix = new URL(this.endpoint).pathname.replace(/\/+$/, '');
    let path = url.pathname + url.search;
    if (prefix && path.startsWith(prefix)) path = path.slice(prefix.length);
    return path;
  }

  /**
   * One logical call. Conflicts (409, e.g. a locked node), 503 and unreachable servers are
   * retried like ironicclient: 5 more attempts, a fixed delay apart.
   */
  async request(method: string, path: string, body?: unknown): Promise<ApiResponse> {
    const total = (this.#opts.maxRetries ?? 5) + 1;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#send(method, path, body);
      } catch (err) {
        const retriable =
          err instanceof ConnectionError || (err instanceof HttpError && (err.status === 409 || err.status === 503));
        if (!retriable) throw err;
        const line = `Error contacting Ironic server: ${err.message}. Attempt ${attempt} of ${total}`;
        if (attempt >= total) {
          this.#opts.log.error(line);
          throw err;
        }
        this.#opts.log.debug?.(line);
        await this.#sleep(this.#opts.retryDelayMs ?? 2000);
      }
    }
  }

  #headers(withBody: boolean): Record<string, string> {
    const headers: Record<string, string> = {
      Accept: 'application/json',
      'User-Agent': 'anvil-baremetal',
      [VERSION_HEADER]: this.#version,
    };
    if (withBody) headers['Content-Type'] = 'application/json';
    const auth = this.#opts.basicAuth;
    if (auth) headers.Authorization = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
    return headers;
  }

  async #fetchRaw(method: string, url: string, headers: Record<string, string>, payload?: string): Promise<Response> {
    const debug = this.#opts.log.debug;
    if (debug) {
      const hdrs = Object.entries(headers)
        .map(([k, v]) => ` -H "${k}: ${k === 'Authorization' ? '***' : v}"`)
        .join('');
      // Bodies carry driver_info passwords on create/set; --debug output must not show them.
      debug(`REQ: curl -g -i -X ${method} ${url}${hdrs}${payload === undefined ? '' : ` -d '${scrubPayload(payload)}'`}`);
    }
    try {
      return await this.#fetch(url, {
        method,
        headers,
        body: payload,
        signal: AbortSignal.timeout(this.#opts.timeoutMs ?? 600_000),
      });
    } catch (err) {
      throw new ConnectionError(url, describeFailure(err), { cause: err });
    }
  }

  async #send(method: string, path: string, body: unknown): Promise<ApiResponse> {
    const url = this.endpoint + path;
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const res = await this.#fetchRaw(method, url, this.#headers(payload !== undefined), payload);
    let text: string;
    try {
      text = await res.text();
    } catch (err) {
      // A connection dropped mid-body is as retriable as one that never opened.
      throw new ConnectionError(url, describeFailure(err), { cause: err });
    }
    const debug = this.#opts.log.debug;
    if (debug) {
      const hdrs = [...res.headers.entries()].map(([k, v]) => `${k}: ${v}`).join(' ');
      debug(`RESP: [${res.status}] ${hdrs}`);
      if (text) debug(`RESP BODY: ${scrubText(text)}`);
    }
    if (res.status === 406) {
      // Throws unless a lower version can be chosen, so this recursion happens at most once.
      await this.#negotiate(res, text);
      return this.#send(method, path, body);
    }
    if (res.status >= 300) throw this.#httpError(res, text);
    const type = res.headers.get('content-type');
    let decoded: unknown;
    if (res.status !== 204 && res.status !== 205 && type?.includes('application/json') && text !== '') {
      try {
        decoded = JSON.parse(text);
      } catch {
        this.#opts.log.error('Could not decode response body as JSON');
      }
    }
    return { status: res.status, headers: res.headers, body: decoded };
  }

  #httpError(res: Response, text: string): HttpError {
    const isJson = (res.headers.get('content-type') ?? '').startsWith('application/json');
    const fault = (isJson ? decodeFault(text) : undefined) ??
      STATUS_TEXT[res.status] ??
      (res.status >= 500 ? 'HTTP Server Error' : res.status >= 400 ? 'HTTP Client Error' : 'HTTP Error');
    const requestId = res.headers.get('x-openstack-request-id') ?? res.headers.get('x-compute-request-id') ?? undefined;
    return new HttpError(res.status, fault, requestId);
  }

  /** Picks the server's maximum after a 406 to `latest`; an explicit or already negotiated version fails. */
  async #negotiate(res: Response, text: string): Promise<void> {
    let min = res.headers.get(MIN_HEADER);
    let max = res.headers.get(MAX_HEADER);
    if (!max) {
      // Servers that omit the headers on errors still send them on the version document.
      const probe = await this.#fetchRaw('GET', `${this.endpoint}/v1`, { Accept: 'application/json' });
      const probeText = await probe.text();
      if (!probe.ok) throw this.#httpError(probe, probeText);
      min = probe.headers.get(MIN_HEADER);
      max = probe.headers.get(MAX_HEADER);
    }
    if (!max) throw this.#httpError(res, text);
    if (this.#state === 'user') {
      throw new UnsupportedVersionError(
        fill(
          `Requested API version ${this.#version} is not supported by the server, client, or the requested ` +
            `operation is not supported by the requested version. Supported version range is ${min} to ${max}`,
          70,
        ),
      );
    }
    if (this.#state === 'negotiated') {
      throw new UnsupportedVersionError(
        fill(
          `No API version was specified or the requested operation was not supported by the client's ` +
            `negotiated API version ${this.#version}.  Supported version range is: ${min} to ${max}`,
          70,
        ),
      );
    }
    this.#version = max;
    this.#state = 'negotiated';
    this.#opts.log.debug?.(`Negotiated API version is ${max}`);
  }
}
