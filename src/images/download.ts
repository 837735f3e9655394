// Streaming image transfers for the cache: http(s) GET/HEAD with connect and idle-read timeouts, bounded
// retries with exponential backoff on transient failures (resuming with Range where the origin allows),
// TLS verification with an optional extra CA bundle or an explicit insecure switch, redirects and progress;
// plus file:// copies. Bytes flow socket -> FileSink (hash, then positional write) through one pipeline with
// backpressure, so memory stays bounded by stream buffers whatever the image size.
import { readFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { rootCertificates } from 'node:tls';
import type { Config } from '../common/config.js';
import { ImageDownloadFailedError } from '../common/errors.js';
import { log } from '../common/log.js';
import { FileSink, type ChunkObserver } from './file-sink.js';
import type { OpenedFileSource } from './image-source.js';
import { ProgressTicker, type ProgressListener } from './progress.js';

export interface DownloadSettings {
  readonly connectTimeoutMs: number;
  /** Longest silence on the socket (before the headers or inside the body). */
  readonly readTimeoutMs: number;
  /** Further attempts after the first, on transient failures only. */
  readonly retries: number;
  /** Wait before the first retry; doubles each time, capped at MAX_BACKOFF_MS. */
  readonly backoffMs: number;
  /** PEM certificates trusted in addition to Node's built-in roots. */
  readonly ca?: string | undefined;
  readonly insecure: boolean;
  /** Least time between two calls of a progress listener. */
  readonly progressIntervalMs: number;
}

const MAX_BACKOFF_MS = 30_000;
const MAX_REDIRECTS = 5;
// Node error codes after which the same request may well succeed; anything else (DNS name unknown, TLS
// verification, ENOSPC on our side) fails at once.
const TRANSIENT_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN',
  'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'ERR_STREAM_PREMATURE_CLOSE', 'HPE_INVALID_CHUNK_SIZE']);

export function downloadSettings(config: Config): DownloadSettings {
  return {
    connectTimeoutMs: config.imageConnectTimeout * 1000,
    readTimeoutMs: config.imageReadTimeout * 1000,
    retries: config.imageDownloadRetries,
    backoffMs: 1000,
    // Read once at start-up: a bad path is a configuration error, not a per-download one.
    ca: config.imageCaBundle ? readFileSync(config.imageCaBundle, 'utf8') : undefined,
    insecure: config.imageInsecure,
    progressIntervalMs: 1000,
  };
}

/** The URL as it may appear in logs and messages: no user:password, no query (signed tokens live there). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}${u.search ? '?…' : ''}`;
  } catch {
    return '(unparsable URL)';
  }
}

/** One attempt's failure, tagged with whether trying again can help. */
class AttemptError extends Error {
  constructor(message: string, readonly transient: boolean, readonly retryAfterMs?: number) {
    super(message);
  }
}

function classify(err: unknown): AttemptError {
  if (err instanceof AttemptError) return err;
  const e = err as NodeJS.ErrnoException;
  const code = e?.code ?? '';
  if (TRANSIENT_CODES.has(code) || e?.message === 'aborted') return new AttemptError(`${e.message}${code && !e.message.includes(code) ? ` (${code})` : ''}`, true);
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(code)) {
    return new AttemptError(`TLS certificate verification failed: ${e.message} (set imageCaBundle to trust the origin's CA)`, false);
  }
  return new AttemptError(e?.message ?? String(err), false);
}

function statusError(res: IncomingMessage): AttemptError {
  const status = res.statusCode ?? 0;
  const transient = status >= 500 || status === 408 || status === 429;
  const after = Number(res.headers['retry-after']);
  return new AttemptError(`HTTP ${status} ${res.statusMessage ?? ''}`.trim(), transient, Number.isFinite(after) ? after * 1000 : undefined);
}

interface Exchange {
  readonly req: ClientRequest;
  readonly res: IncomingMessage;
  /** Set when one of our timers killed the exchange: the real reason behind a later stream error. */
  reason(): AttemptError | null;
}

/** One request on a fresh connection (no pooling: each attempt gets clean timers and sockets). */
function exchange(url: URL, method: 'GET' | 'HEAD', headers: Record<string, string>, s: DownloadSettings): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    const tls = url.protocol === 'https:';
    const opts: RequestOptions = { method, agent: false, headers: { 'User-Agent': 'anvil-image-cache', ...headers } };
    if (tls) {
      opts.rejectUnauthorized = !s.insecure;
      if (s.ca) opts.ca = [...rootCertificates, s.ca];
    }
    let reason: AttemptError | null = null;
    const kill = (err: AttemptError): void => {
      reason ??= err;
      req.destroy(err);
    };
    const req = (tls ? httpsRequest : httpRequest)(url, opts);
    const connectTimer = setTimeout(() => kill(new AttemptError(`no connection to ${url.host} within ${s.connectTimeoutMs} ms`, true)), s.connectTimeoutMs);
    req.once('socket', (sock) => sock.once(tls ? 'secureConnect' : 'connect', () => clearTimeout(connectTimer)));
    req.setTimeout(s.readTimeoutMs, () => kill(new AttemptError(`no data from ${url.host} for ${s.readTimeoutMs} ms (read timeout)`, true)));
    req.on('error', (err) => {
      clearTimeout(connectTimer);
      reject(reason ?? classify(err));
    });
    req.once('response', (res) => {
      clearTimeout(connectTimer);
      resolve({ req, res, reason: () => reason });
    });
    req.end();
  });
}

/** Follows redirects (never from https down to http) and returns the final exchange. */
async function openUrl(url: string, method: 'GET' | 'HEAD', headers: Record<string, string>, s: DownloadSettings): Promise<Exchange> {
  let current = new URL(url);
  for (let hop = 0; ; hop++) {
    const ex = await exchange(current, method, headers, s);
    const status = ex.res.statusCode ?? 0;
    const location = ex.res.headers.location;
    if (![301, 302, 303, 307, 308].includes(status) || !location) return ex;
    ex.res.resume();
    ex.req.destroy();
    const next = new URL(location, current);
    if (hop >= MAX_REDIRECTS) throw new AttemptError(`more than ${MAX_REDIRECTS} redirects`, false);
    if (next.protocol !== 'http:' && next.protocol !== 'https:') throw new AttemptError(`redirect to unsupported scheme ${next.protocol}`, false);
    if (current.protocol === 'https:' && next.protocol === 'http:') throw new AttemptError(`refusing redirect from https to ${redactUrl(next.href)}`, false);
    current = next;
  }
}

async function withRetries<T>(url: string, s: DownloadSettings, attempt: (n: number) => Promise<T>): Promise<T> {
  for (let n = 0; ; n++) {
    try {
      return await attempt(n);
    } catch (err) {
      const e = classify(err);
      if (!e.transient || n >= s.retries) {
        const tries = n > 0 ? ` (after ${n + 1} attempts)` : '';
        throw new ImageDownloadFailedError(`Failed to download image ${redactUrl(url)}: ${e.message}${tries}`, { cause: err });
      }
      // Exponential backoff; an origin's Retry-After wins when it asks for longer (up to the cap).
      const wait = Math.min(MAX_BACKOFF_MS, Math.max(s.backoffMs * 2 ** n, e.retryAfterMs ?? 0));
      log.warn('image transfer attempt failed, retrying', { url: redactUrl(url), attempt: n + 1, error: e.message, waitMs: wait });
      await sleep(wait);
    }
  }
}

export interface HeadResult {
  readonly status: number;
  /** Raw `Last-Modified` header, or null when the origin sent none. */
  readonly lastModified: string | null;
  readonly contentLength: number | null;
}

function lengthOf(res: IncomingMessage): number | null {
  const n = Number(res.headers['content-length']);
  return res.headers['content-length'] !== undefined && Number.isSafeInteger(n) && n >= 0 ? n : null;
}

/** HEAD with retries on transient failures; a definite answer (even 404 or 405) is returned, not thrown. */
export async function headUrl(url: string, s: DownloadSettings): Promise<HeadResult> {
  return withRetries(url, s, async () => {
    const { res } = await openUrl(url, 'HEAD', {}, s);
    res.resume();
    const status = res.statusCode ?? 0;
    if (status >= 500 || status === 408 || status === 429) throw statusError(res);
    return { status, lastModified: res.headers['last-modified'] ?? null, contentLength: lengthOf(res) };
  });
}

/** A small text (a checksum file): bounded, so a wrong URL pointing at an image cannot fill memory. */
export async function fetchText(url: string, s: DownloadSettings, maxBytes = 1 << 20): Promise<string> {
  return withRetries(url, s, async () => {
    const ex = await openUrl(url, 'GET', {}, s);
    if (ex.res.statusCode !== 200) {
      ex.res.resume();
      throw statusError(ex.res);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of ex.res as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > maxBytes) {
          ex.req.destroy();
          throw new AttemptError(`larger than ${maxBytes} bytes; is it really a checksum file?`, false);
        }
        chunks.push(chunk);
      }
    } catch (err) {
      throw ex.reason() ?? classify(err);
    }
    return Buffer.concat(chunks).toString('utf8');
  });
}

export interface HttpFetchResult {
  readonly bytes: number;
  readonly lastModified: string | null;
  readonly contentLength: number | null;
}

/** Start and total of a `Content-Range: bytes a-b/total` header. */
function contentRange(res: IncomingMessage): { start: number; total: number | null } | null {
  const m = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(res.headers['content-range'] ?? '');
  return m ? { start: Number(m[1]), total: m[2] === '*' ? null : Number(m[2]) } : null;
}

/**
 * GETs `url` into the file `dest` (created or truncated), showing every byte once to `observer`. A retry
 * after a broken transfer asks for the rest with `Range` + `If-Range` when the origin gave a validator; an
 * origin that answers 200 instead starts the file and the observer over.
 */
export async function httpToFile(url: string, dest: string, s: DownloadSettings, observer: ChunkObserver,
  onProgress?: ProgressListener): Promise<HttpFetchResult> {
  const fh = await open(dest, 'w', 0o644);
  let resumeAt = 0;
  let validator: string | null = null;
  let meta: { lastModified: string | null; total: number | null } = { lastModified: null, total: null };
  const ticker = new ProgressTicker(redactUrl(url), s.progressIntervalMs, onProgress);
  try {
    return await withRetries(url, s, async (attempt) => {
      const resume = resumeAt > 0 && validator !== null;
      const headers: Record<string, string> = resume ? { Range: `bytes=${resumeAt}-`, 'If-Range': validator! } : {};
      const ex = await openUrl(url, 'GET', headers, s);
      const status = ex.res.statusCode ?? 0;
      const range = status === 206 ? contentRange(ex.res) : null;
      let start: number;
      if (resume && range && range.start === resumeAt) {
        start = resumeAt;
      } else if (status === 200) {
        start = 0;
        // Whatever an earlier attempt wrote goes, or a shorter new body would keep a stale tail.
        if (attempt > 0) await fh.truncate(0);
        observer.reset();
        // Weak ETags promise equivalence, not identical bytes, so only strong ones may resume.
        const etag = ex.res.headers.etag;
        validator = etag && !etag.startsWith('W/') ? etag : ex.res.headers['last-modified'] ?? null;
        meta = { lastModified: ex.res.headers['last-modified'] ?? null, total: lengthOf(ex.res) };
      } else {
        ex.res.resume();
        ex.req.destroy();
        if (!resume) throw statusError(ex.res);
        // The origin would not continue where we stopped (416, another range): start over next time.
        resumeAt = 0;
        validator = null;
        throw new AttemptError(`origin answered ${status} to a resume request`, true);
      }
      ticker.setTotal(meta.total);
      const sink = new FileSink(fh, start, observer, (pos) => ticker.tick(pos));
      try {
        await pipeline(ex.res, sink);
      } catch (err) {
        await sink.settled();
        // A failed write leaves a hole: only a clean stop may be resumed.
        resumeAt = sink.position ?? 0;
        if (sink.position === null) validator = null;
        throw ex.reason() ?? classify(err);
      }
      resumeAt = sink.position ?? 0;
      if (meta.total !== null && resumeAt !== meta.total) {
        throw new AttemptError(`body ended after ${resumeAt} of ${meta.total} bytes`, true);
      }
      ticker.finish(resumeAt);
      return { bytes: resumeAt, lastModified: meta.lastModified, contentLength: meta.total };
    });
  } finally {
    await fh.close();
  }
}

export interface FileCopyResult {
  readonly bytes: number;
  readonly mtimeMs: number;
}

/**
 * Copies a local image, opened by openFileSource (roots checked on the descriptor itself), into `dest`
 * through the same sink as downloads. The caller closes `source.handle`.
 */
export async function fileToFile(source: OpenedFileSource, dest: string, observer: ChunkObserver, s: DownloadSettings,
  onProgress?: ProgressListener): Promise<FileCopyResult> {
  const ticker = new ProgressTicker(source.path, s.progressIntervalMs, onProgress);
  ticker.setTotal(source.size);
  const fh = await open(dest, 'w', 0o644);
  try {
    observer.reset();
    const sink = new FileSink(fh, 0, observer, (pos) => ticker.tick(pos));
    await pipeline(source.handle.createReadStream({ start: 0, highWaterMark: 1 << 20, autoClose: false }), sink);
    const after = await source.handle.stat();
    // A file rewritten while we read it would give a copy that matches neither version.
    if (after.mtimeMs !== source.mtimeMs || after.size !== source.size || sink.position !== after.size) {
      throw new ImageDownloadFailedError(`Image file ${source.path} changed while it was being copied; try again.`);
    }
    ticker.finish(after.size);
    return { bytes: after.size, mtimeMs: after.mtimeMs };
  } finally {
    await fh.close();
  }
}
