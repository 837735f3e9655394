// Image transfers against real loopback servers: resume after a reset mid-body, a restart when the origin
// ignores Range, redirects, a plain-HTTP forward proxy and an HTTPS CONNECT tunnel (with no_proxy bypass),
// and the size limit. Written into a temp file; the bytes and the digest are compared with the source.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageOrigin } from '../../../test/support/image-origin.js';
import { generateCertificate } from '../tls.js';
import { FetchError } from './fetch.js';
import { streamToTarget, WRITE_BUFFER_BYTES } from './stream-write.js';

const listen = (s: Server) => new Promise<number>((r) => s.listen(0, '127.0.0.1', () => r((s.address() as AddressInfo).port)));

describe('streamToTarget', () => {
  let dir: string;
  let origin: ImageOrigin;
  let data: Buffer;
  let sha: string;
  let proxy: Server;
  let proxyUrl: string;
  const proxied: string[] = [];
  const tunnels = new Set<{ destroy(): void }>();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'anvil-agent-xfer-'));
    // Not a multiple of the write buffer, so the last partial buffer is exercised too.
    data = Buffer.alloc(2 * WRITE_BUFFER_BYTES + 12345);
    for (let i = 0; i < data.length; i += 4096) data.writeUInt32LE(i, i);
    writeFileSync(join(dir, 'img'), data);
    sha = createHash('sha256').update(data).digest('hex');
    origin = await ImageOrigin.start();
    // A forward proxy: absolute-URI requests for http, CONNECT tunnels for https.
    proxy = createServer((req, res) => {
      proxied.push(`${req.method} ${req.url}`);
      const up = request(req.url!, { method: req.method, headers: req.headers }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      });
      up.on('error', () => res.destroy());
      req.pipe(up);
    });
    proxy.on('connect', (req, socket, head) => {
      proxied.push(`CONNECT ${req.url}`);
      const [host, port] = req.url!.split(':');
      tunnels.add(socket);
      const up = connect(Number(port), host!, () => {
        socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        up.write(head);
        up.pipe(socket);
        socket.pipe(up);
      });
      tunnels.add(up);
      up.on('error', () => socket.destroy());
    });
    proxyUrl = `http://127.0.0.1:${await listen(proxy)}`;
  });
  afterAll(async () => {
    await origin?.close();
    proxy?.closeAllConnections();
    for (const t of tunnels) t.destroy();
    await new Promise((r) => proxy?.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  const target = (name: string) => join(dir, name);

  it('resumes with Range after a reset mid-body', async () => {
    const url = origin.route('/reset', { file: join(dir, 'img'), faults: [{ kind: 'reset', afterBytes: WRITE_BUFFER_BYTES + 777 }] });
    const r = await streamToTarget({ urls: [url], target: target('a'), algorithm: 'sha256', fetch: {}, retryDelayMs: 10 });
    expect(r.digest).toBe(sha);
    expect(readFileSync(target('a')).equals(data)).toBe(true);
    const gets = origin.requests.filter((q) => q.path === '/reset');
    expect(gets).toHaveLength(2);
    expect(gets[1]!.range).toMatch(/^bytes=\d+-$/);
  });

  it('starts over, hash included, when the origin ignores Range', async () => {
    const url = origin.route('/norange', { file: join(dir, 'img'), ranges: false, faults: [{ kind: 'reset', afterBytes: 3 * 2 ** 20 }] });
    const r = await streamToTarget({ urls: [url], target: target('b'), algorithm: 'sha512', fetch: {}, retryDelayMs: 10 });
    expect(r.digest).toBe(createHash('sha512').update(data).digest('hex'));
    expect(readFileSync(target('b')).equals(data)).toBe(true);
  });

  it('falls over to the next URL and refuses images larger than the target', async () => {
    const good = origin.route('/good', { file: join(dir, 'img') });
    const r = await streamToTarget({ urls: [origin.route('/gone', { file: join(dir, 'img'), faults: [{ kind: 'status', status: 404 }] }), good], target: target('c'), algorithm: 'md5', fetch: {} });
    expect(r.digest).toBe(createHash('md5').update(data).digest('hex'));
    await expect(streamToTarget({ urls: [good], target: target('d'), algorithm: null, fetch: {}, maxBytes: 1000 })).rejects.toThrow(FetchError);
  });

  it('goes through an HTTP proxy unless no_proxy names the host', async () => {
    const url = origin.route('/via-proxy', { file: join(dir, 'img') });
    proxied.length = 0;
    const r = await streamToTarget({ urls: [url], target: target('e'), algorithm: 'sha256', fetch: { proxies: { http: proxyUrl } } });
    expect(r.digest).toBe(sha);
    expect(proxied).toEqual([`GET ${url}`]);
    proxied.length = 0;
    await streamToTarget({ urls: [url], target: target('f'), algorithm: 'sha256', fetch: { proxies: { http: proxyUrl }, noProxy: 'example.org,127.0.0.1' } });
    expect(proxied).toEqual([]);
  });

  it('tunnels HTTPS through CONNECT and verifies the origin against the given CA', async () => {
    const cert = await generateCertificate('127.0.0.1');
    const https = createHttpsServer({ key: cert.keyPem, cert: cert.certPem }, (_req, res) => {
      res.writeHead(200, { 'Content-Length': String(data.length) });
      res.end(data);
    });
    const port = await listen(https as unknown as Server);
    try {
      proxied.length = 0;
      const url = `https://127.0.0.1:${port}/img`;
      const r = await streamToTarget({ urls: [url], target: target('g'), algorithm: 'sha256', fetch: { proxies: { https: proxyUrl }, ca: cert.certPem } });
      expect(r.digest).toBe(sha);
      expect(proxied).toEqual([`CONNECT 127.0.0.1:${port}`]);
      // Without the CA the certificate is refused: no retry can fix that.
      await expect(streamToTarget({ urls: [url], target: target('h'), algorithm: null, fetch: {}, retryDelayMs: 10, attempts: 1 })).rejects.toThrow(/self-signed|certificate/i);
    } finally {
      https.closeAllConnections();
      await new Promise((r) => https.close(r));
    }
  });
});
