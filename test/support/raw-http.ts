// Byte-exact HTTP requests for tests that must send what fetch() refuses to: invalid UTF-8 bodies, odd
// methods, chunked bodies without Content-Length, header values of any shape. Also a small bounded-concurrency
// runner for sending many of them.
import { Agent, request } from 'node:http';

export interface RawRequest {
  readonly method: string;
  /** Path and query, sent as given (must already be percent-encoded where needed). */
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Buffer;
  /** Send the body with Transfer-Encoding: chunked instead of a Content-Length. */
  readonly chunked?: boolean;
}

export interface RawResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Buffer;
}

/** Resolves with the full response; rejects when no complete response arrives (reset, timeout, ...). */
export function rawRequest(baseUrl: string, req: RawRequest, opts: { agent?: Agent; timeoutMs?: number } = {}): Promise<RawResponse> {
  const base = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    let settled = false;
    const done = (fn: () => void) => {
      if (!settled) {
        settled = true;
        fn();
      }
    };
    const headers: Record<string, string> = { ...(req.headers ?? {}) };
    if (req.body && !req.chunked) headers['Content-Length'] = String(req.body.length);
    const r = request({
      host: base.hostname, port: base.port, method: req.method, path: req.path, headers, agent: opts.agent,
      timeout: opts.timeoutMs ?? 10_000,
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done(() => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) })));
      res.on('error', (err) => done(() => reject(err)));
      res.on('aborted', () => done(() => reject(new Error('response aborted'))));
    });
    r.on('timeout', () => r.destroy(new Error(`no response within ${opts.timeoutMs ?? 10_000} ms`)));
    // A server may answer (e.g. 413) and close before the whole body was written; only a missing response counts.
    r.on('error', (err) => done(() => reject(err)));
    if (req.body && req.chunked) {
      const half = Math.floor(req.body.length / 2);
      r.write(req.body.subarray(0, half));
      r.end(req.body.subarray(half));
    } else {
      r.end(req.body);
    }
  });
}

/** Runs `fn` over `items` with at most `limit` in flight; results keep the order of `items`. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
