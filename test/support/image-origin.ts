// A real HTTP image origin on loopback for the image tests: serves files from disk (streamed, so multi-GiB
// images cost no memory), with or without Last-Modified, Range for resumed downloads, and scripted faults
// (error statuses, a connection reset mid-body, a stall, wrong bytes). Counts every request by method.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Fault =
  | { readonly kind: 'status'; readonly status: number }
  /** Sends the headers and `afterBytes` of the body, then destroys the socket. */
  | { readonly kind: 'reset'; readonly afterBytes: number }
  /** Sends `afterBytes`, then nothing for `ms`, then the rest. */
  | { readonly kind: 'stall'; readonly afterBytes: number; readonly ms: number };

export interface OriginRoute {
  /** File whose bytes (and mtime, for Last-Modified) are served. */
  readonly file: string;
  /** Send Last-Modified (from the file's mtime); default true. */
  readonly lastModified?: boolean;
  /** Serve these bytes instead of the file's (same length), e.g. a corrupted copy. */
  readonly replaceWith?: Buffer;
  /** Consumed one per GET, in order. */
  readonly faults?: Fault[];
  /** Answer Range requests; default true. */
  readonly ranges?: boolean;
}

export interface RequestRecord {
  readonly method: string;
  readonly path: string;
  readonly range: string | undefined;
}

export class ImageOrigin {
  readonly routes = new Map<string, OriginRoute>();
  readonly requests: RequestRecord[] = [];
  #server: Server | undefined;
  #base = '';

  /** `host`: where to listen (a lab's bridge address, for agents in the lab's machines); loopback by default. */
  static async start(host = '127.0.0.1'): Promise<ImageOrigin> {
    const o = new ImageOrigin();
    o.#server = createServer((req, res) => void o.#handle(req, res).catch(() => res.destroy()));
    await new Promise<void>((resolve) => o.#server!.listen(0, host, resolve));
    o.#base = `http://${host}:${(o.#server!.address() as AddressInfo).port}`;
    return o;
  }

  route(path: string, route: OriginRoute): string {
    this.routes.set(path, { ...route, faults: [...(route.faults ?? [])] });
    return this.#base + path;
  }

  count(method: string, path?: string): number {
    return this.requests.filter((r) => r.method === method && (path === undefined || r.path === path)).length;
  }

  async close(): Promise<void> {
    this.#server?.closeAllConnections();
    await new Promise<void>((resolve) => this.#server?.close(() => resolve()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    this.requests.push({ method: req.method ?? '', path, range: req.headers.range });
    const route = this.routes.get(path);
    if (!route) {
      res.writeHead(404).end('not found');
      return;
    }
    const st = await stat(route.file);
    const headers: Record<string, string> = { 'Content-Type': 'application/octet-stream', 'Accept-Ranges': route.ranges === false ? 'none' : 'bytes' };
    if (route.lastModified !== false) headers['Last-Modified'] = st.mtime.toUTCString();
    if (req.method === 'HEAD') {
      res.writeHead(200, { ...headers, 'Content-Length': String(st.size) }).end();
      return;
    }
    const fault = route.faults?.shift();
    if (fault?.kind === 'status') {
      res.writeHead(fault.status, { 'Content-Type': 'text/plain' }).end(`fault ${fault.status}`);
      return;
    }
    let start = 0;
    const m = route.ranges !== false ? /^bytes=(\d+)-$/.exec(req.headers.range ?? '') : null;
    const ifRange = req.headers['if-range'];
    if (m && (!ifRange || ifRange === headers['Last-Modified'])) start = Number(m[1]);
    const status = start > 0 ? 206 : 200;
    if (start > 0) headers['Content-Range'] = `bytes ${start}-${st.size - 1}/${st.size}`;
    res.writeHead(status, { ...headers, 'Content-Length': String(st.size - start) });
    const body = route.replaceWith
      ? [route.replaceWith.subarray(start)]
      : createReadStream(route.file, { start, highWaterMark: 1 << 20 });
    let sent = 0;
    for await (const chunk of body as AsyncIterable<Buffer>) {
      let piece = chunk;
      if (fault && sent + piece.length > fault.afterBytes && sent <= fault.afterBytes) {
        const head = piece.subarray(0, fault.afterBytes - sent);
        if (head.length) await write(res, head);
        sent += head.length;
        if (fault.kind === 'reset') {
          res.socket?.destroy();
          return;
        }
        await new Promise((r) => setTimeout(r, fault.ms));
        piece = piece.subarray(head.length);
      }
      if (res.destroyed) return;
      await write(res, piece);
      sent += piece.length;
    }
    res.end();
  }
}

/** Write with backpressure, so a huge file is never queued in memory. */
function write(res: ServerResponse, chunk: Buffer): Promise<void> {
  return new Promise((resolve) => {
    if (res.write(chunk)) return resolve();
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
