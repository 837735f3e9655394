// The conductor's image server for deploy agents (Ironic's `image_download_source = local`, served from its
// `[deploy]http_url`): a small HTTP listener of its own, apart from the API, that streams a node's copy of a
// cached image to whoever holds a signed, expiring URL for exactly that node and image. Plain node:http with
// a direct file-to-socket pipe, Range requests for resuming agents, and nothing of the Ironic API on it.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { open } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';
import { normalizeUuid } from '../common/ids.js';
import { log } from '../common/log.js';
import type { TlsFiles } from '../common/tls-files.js';
import { isEntryName, type CacheLayout } from './cache-store.js';

export interface ImageServerOptions {
  readonly layout: CacheLayout;
  readonly host: string;
  /** 0: a free port. */
  readonly port: number;
  /** What agents are told to connect to; default `http://<host>:<port>`. */
  readonly baseUrl?: string | undefined;
  /** Signing key; empty: random, for this process only. */
  readonly key: string;
  readonly urlTtlS: number;
  readonly now?: () => number;
  /** Certificate and key: serve HTTPS (the agent verifies it as it does for any https image URL). */
  readonly tls?: TlsFiles | null | undefined;
}

const PATH_RE = /^\/images\/([0-9a-f-]{36})\/([0-9a-f]{64}(?:\.raw)?)$/;

/** The signed part of an image URL: node, image and expiry (seconds since the epoch). */
export function signImage(key: Buffer, nodeUuid: string, name: string, expires: number): string {
  return createHmac('sha256', key).update(`${nodeUuid}\n${name}\n${expires}`).digest('base64url');
}

/** `bytes=a-b`, `bytes=a-` or `bytes=-n` of a file of `size` bytes; other forms (several ranges) get the whole file. */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | 'unsatisfiable' | null {
  const m = header ? /^bytes=(\d*)-(\d*)$/.exec(header.trim()) : null;
  if (!m || (m[1] === '' && m[2] === '')) return null;
  if (m[1] === '') {
    const n = Number(m[2]);
    return n === 0 || size === 0 ? 'unsatisfiable' : { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  return start >= size || start > end ? 'unsatisfiable' : { start, end };
}

export class ImageServer {
  readonly #opts: ImageServerOptions;
  readonly #key: Buffer;
  readonly #now: () => number;
  readonly #server: Server;
  #baseUrl = '';

  private constructor(opts: ImageServerOptions) {
    this.#opts = opts;
    this.#key = opts.key ? Buffer.from(opts.key, 'utf8') : randomBytes(32);
    this.#now = opts.now ?? Date.now;
    const handler = (req: IncomingMessage, res: ServerResponse) => {
      this.#handle(req, res).catch((err: Error) => {
        log.error('image server: request failed', { error: err.message });
        if (!res.headersSent) reply(res, 500, 'internal error');
        else res.destroy();
      });
    };
    this.#server = opts.tls ? createHttpsServer({ cert: opts.tls.cert, key: opts.tls.key }, handler) : createServer(handler);
    // Agents on slow links may take long between reads; the socket idles at most this long.
    this.#server.setTimeout(10 * 60_000);
  }

  static async start(opts: ImageServerOptions): Promise<ImageServer> {
    const s = new ImageServer(opts);
    await new Promise<void>((resolve, reject) => {
      s.#server.once('error', reject);
      s.#server.listen(opts.port, opts.host, () => resolve());
    });
    const addr = s.#server.address() as AddressInfo;
    const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
    s.#baseUrl = (opts.baseUrl || `${opts.tls ? 'https' : 'http'}://${host}:${addr.port}`).replace(/\/+$/, '');
    log.info('image server for deploy agents listening', { url: s.#baseUrl });
    return s;
  }

  get baseUrl(): string {
    return this.#baseUrl;
  }

  /** URL through which the agent of `nodeUuid` may fetch the node's copy of entry `name` until it expires. */
  signedUrl(nodeUuid: string, name: string): string {
    const uuid = normalizeUuid(nodeUuid);
    if (!uuid || !isEntryName(name)) throw new Error(`cannot sign an image URL for ${nodeUuid}/${name}`);
    const expires = Math.floor(this.#now() / 1000) + this.#opts.urlTtlS;
    return `${this.#baseUrl}/images/${uuid}/${name}?expires=${expires}&sig=${signImage(this.#key, uuid, name, expires)}`;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      // Downloads in progress would hold close() open for as long as they last.
      this.#server.closeAllConnections();
    });
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://image-server');
    const m = PATH_RE.exec(url.pathname);
    if (!m) return reply(res, 404, 'not found');
    if (req.method !== 'GET' && req.method !== 'HEAD') return reply(res, 405, 'method not allowed', { Allow: 'GET, HEAD' });
    const [, uuid, name] = m as unknown as [string, string, string];
    const expires = Number(url.searchParams.get('expires'));
    const given = Buffer.from(url.searchParams.get('sig') ?? '', 'base64url');
    const wanted = Buffer.from(signImage(this.#key, uuid, name, expires), 'base64url');
    // Constant-time comparison: the signature must not be guessable byte by byte from response times.
    if (!Number.isInteger(expires) || given.length !== wanted.length || !timingSafeEqual(given, wanted)) {
      log.warn('image server: refused a URL with a bad signature', { node: uuid, remote: req.socket.remoteAddress });
      return reply(res, 403, 'invalid signature');
    }
    if (expires * 1000 < this.#now()) {
      log.warn('image server: refused an expired URL', { node: uuid, expiredAt: new Date(expires * 1000).toISOString() });
      return reply(res, 403, 'URL expired');
    }
    const fh = await open(this.#opts.layout.nodeCopy(uuid, name), 'r').catch(() => null);
    if (!fh) return reply(res, 404, 'no such image for this node');
    try {
      const st = await fh.stat();
      const range = parseRange(req.headers.range, st.size);
      const common = {
        'Content-Type': 'application/octet-stream', 'Accept-Ranges': 'bytes', 'Last-Modified': st.mtime.toUTCString(),
        'Cache-Control': 'no-store',
      };
      if (range === 'unsatisfiable') return reply(res, 416, 'range not satisfiable', { 'Content-Range': `bytes */${st.size}` });
      const start = range?.start ?? 0;
      const end = range?.end ?? st.size - 1;
      res.writeHead(range ? 206 : 200, {
        ...common, 'Content-Length': String(Math.max(0, end - start + 1)),
        ...(range ? { 'Content-Range': `bytes ${start}-${end}/${st.size}` } : {}),
      });
      if (req.method === 'HEAD' || st.size === 0) {
        res.end();
        return;
      }
      const t0 = Date.now();
      try {
        await pipeline(fh.createReadStream({ start, end, highWaterMark: 1 << 20, autoClose: false }), res);
        log.info('image server: served', { node: uuid, entry: name.slice(0, 12), bytes: end - start + 1, ms: Date.now() - t0, range: Boolean(range) });
      } catch (err) {
        // The agent went away mid-transfer; it will retry (with a Range) if it wants the rest.
        log.warn('image server: transfer interrupted', { node: uuid, entry: name.slice(0, 12), error: (err as Error).message });
      }
    } finally {
      await fh.close();
    }
  }
}

function reply(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', ...headers });
  res.end(`${text}\n`);
}
