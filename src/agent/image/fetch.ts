// Opens an image (or config drive) URL for streaming as the agent downloads it: http/https, through the
// proxies `image_info.proxies` names unless `no_proxy` exempts the host (plain HTTP through an absolute-URI
// request, HTTPS through a CONNECT tunnel), redirects followed, TLS verified unless the node said insecure,
// an optional `Authorization` header (image_request_authorization), and a Range start to resume.
import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest, type RequestOptions as HttpsRequestOptions } from 'node:https';
import { connect as tlsConnect } from 'node:tls';

export interface FetchSettings {
  /** `{"http": "http://proxy:3128", "https": "…"}` as in image_info.proxies. */
  readonly proxies?: Readonly<Record<string, string>>;
  /** Comma-separated hosts / domain suffixes that bypass the proxies (`*` for all). */
  readonly noProxy?: string;
  readonly insecure?: boolean;
  readonly ca?: string;
  readonly authorization?: string;
  /** Connect and idle-read timeout. */
  readonly timeoutMs?: number;
}

export interface OpenedDownload {
  readonly res: IncomingMessage;
  /** Total bytes of the image when known (from Content-Length / Content-Range). */
  readonly total: number | null;
  /** True when the origin honoured the Range start (206). */
  readonly resumed: boolean;
  readonly url: string;
}

export class FetchError extends Error {
  constructor(message: string, readonly retryable: boolean) {
    super(message);
  }
}

/** Shown in messages: never the query string or user info (they may carry credentials). */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(unparsable URL)';
  }
}

function bypassProxy(host: string, noProxy: string | undefined): boolean {
  if (!noProxy) return false;
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return noProxy.split(',').map((e) => e.trim().toLowerCase()).filter(Boolean).some((e) =>
    e === '*' || h === e.replace(/^\./, '') || h.endsWith(e.startsWith('.') ? e : `.${e}`));
}

function proxyFor(u: URL, s: FetchSettings): URL | null {
  const scheme = u.protocol.replace(':', '');
  const p = s.proxies?.[scheme];
  if (!p || bypassProxy(u.hostname, s.noProxy)) return null;
  return new URL(p);
}

function once(u: URL, s: FetchSettings, start: number): Promise<IncomingMessage> {
  const headers: Record<string, string> = { 'User-Agent': 'anvil-agent' };
  if (start > 0) headers.Range = `bytes=${start}-`;
  if (s.authorization) headers.Authorization = s.authorization;
  const timeout = s.timeoutMs ?? 60_000;
  const tls = { rejectUnauthorized: !s.insecure, ...(s.ca ? { ca: s.ca } : {}) };
  const proxy = proxyFor(u, s);
  return new Promise((resolve, reject) => {
    let opts: HttpsRequestOptions;
    let send = u.protocol === 'https:' ? httpsRequest : httpRequest;
    if (proxy && u.protocol === 'http:') {
      // Plain HTTP via a proxy: the absolute URI goes to the proxy.
      opts = { host: proxy.hostname, port: proxy.port || 80, path: u.href, headers: { ...headers, Host: u.host }, timeout };
      send = httpRequest;
    } else if (proxy) {
      opts = {
        ...tls, host: u.hostname, port: u.port || 443, path: u.pathname + u.search, headers, timeout, servername: u.hostname,
        createConnection: (_o, cb) => {
          const c = httpRequest({ host: proxy.hostname, port: proxy.port || 80, method: 'CONNECT', path: `${u.hostname}:${u.port || 443}`, timeout });
          c.on('connect', (res, socket) => {
            if (res.statusCode !== 200) {
              socket.destroy();
              cb(new FetchError(`proxy ${proxy.host} refused the tunnel: HTTP ${res.statusCode}`, true), undefined as never);
              return;
            }
            cb(null, tlsConnect({ socket, servername: u.hostname, ...tls }));
          });
          c.on('error', (err) => cb(err, undefined as never));
          c.end();
          return undefined as never;
        },
      };
    } else {
      opts = { ...(u.protocol === 'https:' ? tls : {}), headers, timeout };
    }
    const req = proxy ? send(opts) : send(u, opts);
    req.on('response', resolve);
    req.on('timeout', () => req.destroy(new FetchError(`no answer within ${timeout} ms`, true)));
    req.on('error', reject);
    req.end();
  });
}

/** GET `url` from byte `start`. @throws FetchError (retryable for network errors and 5xx). */
export async function openDownload(url: string, s: FetchSettings, start = 0): Promise<OpenedDownload> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new FetchError(`not a URL: ${redact(url)}`, false);
  }
  for (let hop = 0; hop < 6; hop++) {
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new FetchError(`unsupported URL scheme ${u.protocol} (${redact(u.href)})`, false);
    let res: IncomingMessage;
    try {
      res = await once(u, s, start);
    } catch (err) {
      throw err instanceof FetchError ? err : new FetchError(`${redact(u.href)}: ${(err as Error).message}`, true);
    }
    const status = res.statusCode ?? 0;
    if (status >= 300 && status < 400 && res.headers.location) {
      res.resume();
      u = new URL(res.headers.location, u);
      continue;
    }
    if (status === 200 || status === 206) {
      const resumed = status === 206 && start > 0;
      const range = /\/(\d+)$/.exec(String(res.headers['content-range'] ?? ''));
      const length = res.headers['content-length'] !== undefined ? Number(res.headers['content-length']) : null;
      const total = range ? Number(range[1]) : length !== null ? length + (resumed ? start : 0) : null;
      // Idle reads: a stalled origin must not hang the deploy forever.
      res.setTimeout(s.timeoutMs ?? 60_000, () => res.destroy(new FetchError(`${redact(u.href)}: no data for ${s.timeoutMs ?? 60_000} ms`, true)));
      return { res, total, resumed, url: u.href };
    }
    res.resume();
    throw new FetchError(`${redact(u.href)} answered HTTP ${status}`, status >= 500 || status === 408 || status === 429);
  }
  throw new FetchError(`too many redirects for ${redact(url)}`, false);
}

/** A whole (small) body in memory, e.g. a checksum file or a config drive; refuses more than `limit` bytes. */
export async function fetchBuffer(url: string, s: FetchSettings, limit: number): Promise<Buffer> {
  const { res } = await openDownload(url, s);
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of res as AsyncIterable<Buffer>) {
    n += c.length;
    if (n > limit) {
      res.destroy();
      throw new FetchError(`${redact(url)} is larger than ${limit} bytes`, false);
    }
    chunks.push(c);
  }
  return Buffer.concat(chunks);
}
