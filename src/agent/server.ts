// The agent's command API on port 9999 (ironic-compat §10.1), as IPA serves it: `GET /`, `/v1/`,
// `/v1/status` without a token; `/v1/commands/` (list, run) and `/v1/commands/{id}` with `?agent_token=`
// compared in constant time; errors as `{"faultcode", "faultstring"}`. Over HTTPS with the auto-TLS
// certificate unless TLS is off. Plain node:http(s): six routes do not need a framework in the ramdisk.
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { log } from '../common/log.js';
import type { CommandRunner } from './command-runner.js';
import { AgentError } from './errors.js';
import type { AgentCertificate } from './tls.js';

const MAX_BODY = 64 * 2 ** 20; // a config drive travels inline, base64: up to 64 MiB
const MEDIA_TYPE = 'application/vnd.openstack.ironic-python-agent.v1+json';
const DOCS = 'https://docs.openstack.org/ironic-python-agent';

export interface ServerDeps {
  readonly runner: CommandRunner;
  /** The token to accept; null: every token-guarded call is refused (IPA before lookup). */
  token(): string | null;
  readonly startedAt: number;
  readonly version: string;
}

class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/** Equal-time comparison of digests, so neither length nor content leaks through timing. */
function tokenMatches(given: string | null, expected: string | null): boolean {
  if (!given || !expected) return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function fault(res: ServerResponse, status: number, message: string): void {
  send(res, status, { faultcode: status >= 500 ? 'Server' : 'Client', faultstring: message });
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    n += c.length;
    if (n > MAX_BODY) throw new HttpError(413, `Request body larger than ${MAX_BODY} bytes`);
    chunks.push(c);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, 'Missing or invalid name or params');
  }
}

function links(root: string) {
  const link = (rel: string, path: string, type?: string) => ({ href: `${root}/${path}`, rel, ...(type ? { type } : {}) });
  return {
    version: { id: 'v1', links: [link('self', 'v1'), { href: DOCS, rel: 'describedby', type: 'text/html' }] },
    link,
  };
}

export class AgentServer {
  #server: Server | null = null;

  constructor(private readonly deps: ServerDeps) {}

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://agent');
    // IPA also answers without the /v1 prefix.
    const path = url.pathname.replace(/^\/v1(?=\/)/, '').replace(/\/+$/, '/') || '/';
    const method = req.method ?? 'GET';
    const root = `${(req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http'}://${req.headers.host ?? 'localhost'}`;
    const { version, link } = links(root);
    if (method === 'GET' && url.pathname === '/') {
      return send(res, 200, {
        name: 'OpenStack Ironic Python Agent API', description: 'Ironic Python Agent is a provisioning agent for OpenStack Ironic',
        versions: [version], default_version: version,
      });
    }
    if (method === 'GET' && (url.pathname === '/v1/' || url.pathname === '/v1')) {
      return send(res, 200, {
        commands: [link('self', 'v1/commands'), link('bookmark', 'commands')],
        status: [link('self', 'v1/status'), link('bookmark', 'status')],
        media_types: [{ base: 'application/json', type: MEDIA_TYPE }], ...version,
      });
    }
    if (method === 'GET' && (path === '/status' || path === '/status/')) {
      return send(res, 200, { started_at: this.deps.startedAt, version: this.deps.version });
    }
    const cmd = /^\/commands\/(?:([^/]+)\/?)?$/.exec(path);
    if (!cmd) throw new HttpError(404, 'The requested URL was not found on the server.');
    if (!tokenMatches(url.searchParams.get('agent_token'), this.deps.token())) throw new HttpError(401, 'Token invalid.');
    const wait = url.searchParams.get('wait')?.toLowerCase() === 'true';
    const { runner } = this.deps;
    if (cmd[1] === undefined && method === 'GET') return send(res, 200, { commands: runner.list() });
    if (cmd[1] !== undefined && method === 'GET') return send(res, 200, await runner.get(decodeURIComponent(cmd[1]), wait));
    if (cmd[1] === undefined && method === 'POST') {
      const body = await readBody(req);
      const b = body as { name?: unknown; params?: unknown } | null;
      if (!b || typeof b !== 'object' || typeof b.name !== 'string' || !b.params || typeof b.params !== 'object' || Array.isArray(b.params)) {
        throw new HttpError(400, 'Missing or invalid name or params');
      }
      return send(res, 200, await runner.execute(b.name, b.params as Record<string, unknown>, wait));
    }
    throw new HttpError(405, 'The method is not allowed for the requested URL.');
  }

  /** Listens; resolves with the bound port. */
  async listen(host: string, port: number, cert: AgentCertificate | null): Promise<number> {
    const handler = (req: IncomingMessage, res: ServerResponse) => {
      this.#handle(req, res).catch((err: unknown) => {
        if (res.headersSent) return void res.destroy();
        if (err instanceof HttpError) return fault(res, err.status, err.message);
        if (err instanceof AgentError) return fault(res, err.code, err.message);
        log.error('Internal error in the command API', { error: (err as Error).message });
        fault(res, 500, 'Internal server error');
      });
    };
    const server = cert ? createHttpsServer({ key: cert.keyPem, cert: cert.certPem, minVersion: 'TLSv1.2' }, handler) : createHttpServer(handler);
    // A write of a multi-GiB image is followed with ?wait=true by some clients: no request timeout.
    server.requestTimeout = 0;
    server.headersTimeout = 60_000;
    const bind = (h: string) => new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, h, () => {
        server.off('error', reject);
        resolve();
      });
    });
    try {
      await bind(host);
    } catch (err) {
      // A ramdisk or namespace without IPv6: fall back to every IPv4 address.
      if (host !== '::' || !['EAFNOSUPPORT', 'EADDRNOTAVAIL'].includes((err as NodeJS.ErrnoException).code ?? '')) throw err;
      await bind('0.0.0.0');
    }
    this.#server = server;
    return (server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    const s = this.#server;
    this.#server = null;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}
