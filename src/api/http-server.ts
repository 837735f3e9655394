// The API's socket: plain HTTP or HTTPS, with the limits that protect it from clients before a request reaches
// the app — header size, time to send headers and the whole request (slow clients, "slowloris"), keep-alive —
// and Ironic-format answers for what Node's HTTP parser refuses itself (431, 408, 400).
import { serve, type ServerType } from '@hono/node-server';
import { createServer as createHttpsServer } from 'node:https';
import { STATUS_CODES, createServer as createHttpServer, type RequestListener, type ServerOptions } from 'node:http';
import type { Socket } from 'node:net';
import type { Config } from '../common/config.js';
import type { TlsFiles } from '../common/tls-files.js';
import { errorBody } from './error-body.js';
import type { FastHandler } from './fast-get.js';
import { MAX_HEADER, MAX_VERSION, MIN_HEADER, MIN_VERSION } from './versions.js';

type Fetch = (request: Request) => Response | Promise<Response>;

/** What the parser error means for the client (Node's codes: llhttp `HPE_*` and the server's own). */
function clientErrorStatus(code: string | undefined): number {
  if (code === 'HPE_HEADER_OVERFLOW') return 431;
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT' || code === 'ERR_HTTP_HEADERS_TIMEOUT') return 408;
  return 400;
}

function answerClientError(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const status = clientErrorStatus(err.code);
  const message = status === 431 ? 'The request headers are too large.'
    : status === 408 ? 'The request was not received in time.' : 'The request is not valid HTTP.';
  const body = errorBody(status, message);
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\n` +
    `${MIN_HEADER}: ${MIN_VERSION}\r\n${MAX_HEADER}: ${MAX_VERSION}\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

/** A request listener that offers each request to `fast` first (api/fast-get.ts) and else to the app's. */
function withFastPath(listener: RequestListener, fast: FastHandler): RequestListener {
  return (req, res) => {
    fast(req, res).then((done) => { if (!done) listener(req, res); }, () => listener(req, res));
  };
}

export async function listenApi(fetch: Fetch, config: Config, tls: TlsFiles | null, fast: FastHandler | null = null): Promise<ServerType> {
  const limits = {
    maxHeaderSize: config.maxHeaderBytes,
    // Node insists the header timeout is not longer than the whole-request one.
    headersTimeout: Math.min(config.clientHeaderTimeout, config.clientRequestTimeout) * 1000,
    requestTimeout: config.clientRequestTimeout * 1000,
    // How often Node checks the two timeouts above (default 30 s would let a slow client hold a socket that long).
    connectionsCheckingInterval: Math.min(1000, config.clientHeaderTimeout * 500),
  };
  const server = await new Promise<ServerType>((resolve, reject) => {
    // serve() hands its request listener to createServer: the fast path wraps it there.
    const make = (create: typeof createHttpServer) => (fast === null ? create
      : (options: ServerOptions, listener: RequestListener) => create(options, withFastPath(listener, fast))) as typeof createHttpServer;
    const opts = { fetch, hostname: config.host, port: config.port };
    const s = tls
      ? serve({ ...opts, createServer: make(createHttpsServer as unknown as typeof createHttpServer), serverOptions: { ...limits, cert: tls.cert, key: tls.key } }, () => resolve(s))
      : serve({ ...opts, createServer: make(createHttpServer), serverOptions: limits }, () => resolve(s));
    s.once('error', reject);
  });
  server.on('clientError', answerClientError);
  return server;
}
