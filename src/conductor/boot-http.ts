// Anvil's own web server for the HTTP boot root (`boot.ipxe`, per-MAC iPXE scripts, kernels and ramdisks
// of iPXE nodes), used when no `httpBootUrl` names another server. A listener of its own, apart from the
// API: booting machines get files and nothing else. Static serving is @hono/node-server's (it refuses dot
// segments and serves ranges); GET and HEAD only.
import { serve, type ServerType } from '@hono/node-server';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';
import type { AddressInfo } from 'node:net';
import { log } from '../common/log.js';

export interface BootHttpServer {
  readonly url: string;
  close(): Promise<void>;
}

export async function startBootHttp(root: string, host: string, port: number): Promise<BootHttpServer> {
  const app = new Hono();
  app.on(['GET', 'HEAD'], '*', serveStatic({ root }));
  app.all('*', (c) => c.text(c.req.method === 'GET' || c.req.method === 'HEAD' ? 'not found' : 'method not allowed',
    c.req.method === 'GET' || c.req.method === 'HEAD' ? 404 : 405));
  const server: ServerType = await new Promise<ServerType>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, hostname: host, port }, () => resolve(s));
    s.once('error', reject);
  });
  const addr = server.address() as AddressInfo;
  const shown = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  const url = `http://${shown}:${addr.port}`;
  log.info('boot file server listening', { url, root });
  return {
    url,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      // A machine fetching a ramdisk would hold close() open for as long as it takes.
      (server as { closeAllConnections?: () => void }).closeAllConnections?.();
    }),
  };
}
