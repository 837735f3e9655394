// Downloads against real loopback origins: retries on 5xx and resets (resuming with Range), read timeouts,
// permanent errors not retried, TLS verification with and without a CA bundle, redirects and progress.
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageDownloadFailedError } from '../common/errors.js';
import { setLogSink } from '../common/log.js';
import { ImageOrigin } from '../../test/support/image-origin.js';
import { Digests } from './digests.js';
import { fetchText, headUrl, httpToFile, redactUrl, type DownloadSettings } from './download.js';
import type { DownloadProgress } from './progress.js';

setLogSink(() => undefined);

const S: DownloadSettings = { connectTimeoutMs: 5000, readTimeoutMs: 5000, retries: 2, backoffMs: 10, insecure: false, progressIntervalMs: 0 };
const dir = mkdtempSync(join(tmpdir(), 'anvil-dl-'));
const data = randomBytes(3 * 1024 * 1024 + 123);
const sha = createHash('sha256').update(data).digest('hex');
const imageFile = join(dir, 'image.raw');
writeFileSync(imageFile, data);
let origin: ImageOrigin;
let n = 0;

beforeAll(async () => {
  origin = await ImageOrigin.start();
});
afterAll(async () => {
  await origin.close();
  rmSync(dir, { recursive: true, force: true });
});

async function get(url: string, settings = S, onProgress?: (p: DownloadProgress) => void): Promise<{ bytes: Buffer; sha256: string }> {
  const dest = join(dir, `out-${n++}`);
  const digests = new Digests(null);
  await httpToFile(url, dest, settings, digests, onProgress);
  return { bytes: readFileSync(dest), sha256: digests.finish('x').sha256! };
}

describe('httpToFile', () => {
  it('streams the body into the file and hashes it in the same pass, reporting progress', async () => {
    const url = origin.route('/plain.raw', { file: imageFile });
    const seen: DownloadProgress[] = [];
    const r = await get(url, S, (p) => seen.push(p));
    expect(r.bytes.equals(data)).toBe(true);
    expect(r.sha256).toBe(sha);
    expect(seen.at(-1)).toEqual({ bytesDone: data.length, totalBytes: data.length });
    expect(seen.every((p, i) => i === 0 || p.bytesDone >= seen[i - 1]!.bytesDone)).toBe(true);
  });

  it('retries a 503 and succeeds with the next answer', async () => {
    const url = origin.route('/flaky.raw', { file: imageFile, faults: [{ kind: 'status', status: 503 }] });
    const r = await get(url);
    expect(r.sha256).toBe(sha);
    expect(origin.count('GET', '/flaky.raw')).toBe(2);
  });

  it('resumes with Range after a connection reset mid-body, and the digest still covers every byte once', async () => {
    const url = origin.route('/reset.raw', { file: imageFile, faults: [{ kind: 'reset', afterBytes: 1_000_000 }] });
    const r = await get(url);
    expect(r.bytes.equals(data)).toBe(true);
    expect(r.sha256).toBe(sha);
    const gets = origin.requests.filter((q) => q.path === '/reset.raw' && q.method === 'GET');
    expect(gets).toHaveLength(2);
    expect(gets[1]!.range).toMatch(/^bytes=\d+-$/);
    expect(Number(/\d+/.exec(gets[1]!.range!)![0])).toBeGreaterThan(0);
  });

  it('starts over after a reset when the origin gives no validator to resume against', async () => {
    const url = origin.route('/reset-nolm.raw', { file: imageFile, lastModified: false, faults: [{ kind: 'reset', afterBytes: 2_000_000 }] });
    const r = await get(url);
    expect(r.bytes.equals(data)).toBe(true);
    expect(r.sha256).toBe(sha);
    const gets = origin.requests.filter((q) => q.path === '/reset-nolm.raw' && q.method === 'GET');
    expect(gets.map((g) => g.range)).toEqual([undefined, undefined]);
  });

  it('fails with a read timeout when the origin stalls, and recovers when a retry is allowed', async () => {
    const stall = { kind: 'stall', afterBytes: 500_000, ms: 2500 } as const;
    const url = origin.route('/slow.raw', { file: imageFile, faults: [stall] });
    const err = await get(url, { ...S, readTimeoutMs: 500, retries: 0 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImageDownloadFailedError);
    expect((err as Error).message).toMatch(/no data from 127\.0\.0\.1:\d+ for 500 ms \(read timeout\)/);
    origin.route('/slow.raw', { file: imageFile, faults: [stall] });
    expect((await get(url, { ...S, readTimeoutMs: 500, retries: 1 })).sha256).toBe(sha);
  });

  it('does not retry a 404, and gives up on a 503 after the configured attempts', async () => {
    const missing = await get(origin.route('/x', { file: imageFile }).replace('/x', '/nope.raw')).catch((e: Error) => e);
    expect((missing as Error).message).toMatch(/HTTP 404/);
    expect(origin.count('GET', '/nope.raw')).toBe(1);
    const url = origin.route('/down.raw', { file: imageFile, faults: Array.from({ length: 5 }, () => ({ kind: 'status', status: 503 }) as const) });
    const err = (await get(url).catch((e: Error) => e)) as Error;
    expect(err.message).toMatch(/HTTP 503.*after 3 attempts/);
    expect(origin.count('GET', '/down.raw')).toBe(3);
  });

  it('keeps credentials and query strings out of messages', () => {
    expect(redactUrl('https://user:pw@host/x.img?sig=abc')).toBe('https://host/x.img?…');
  });
});

describe('headUrl and fetchText', () => {
  it('reports Last-Modified when sent and null when not', async () => {
    const withLm = await headUrl(origin.route('/lm.raw', { file: imageFile }), S);
    expect(withLm.status).toBe(200);
    expect(Date.parse(withLm.lastModified!)).toBeGreaterThan(0);
    expect(withLm.contentLength).toBe(data.length);
    const without = await headUrl(origin.route('/nolm.raw', { file: imageFile, lastModified: false }), S);
    expect(without.lastModified).toBeNull();
  });

  it('refuses a "checksum file" that is really something big', async () => {
    const err = (await fetchText(origin.route('/big.raw', { file: imageFile }), S, 1024).catch((e: Error) => e)) as Error;
    expect(err.message).toMatch(/larger than 1024 bytes/);
  });
});

describe('redirects and TLS', () => {
  let tls: HttpsServer;
  let redirector: Server;
  let tlsUrl = '';
  let caPem = '';

  beforeAll(async () => {
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    caPem = readFileSync(cert, 'utf8');
    tls = createHttpsServer({ key: readFileSync(key), cert: caPem }, (_req, res) => res.end(data));
    await new Promise<void>((r) => tls.listen(0, '127.0.0.1', r));
    tlsUrl = `https://127.0.0.1:${(tls.address() as AddressInfo).port}/image.raw`;
    const target = origin.route('/target.raw', { file: imageFile });
    redirector = createServer((_req, res) => res.writeHead(302, { Location: target }).end());
    await new Promise<void>((r) => redirector.listen(0, '127.0.0.1', r));
  });
  afterAll(() => {
    tls.close();
    redirector.close();
  });

  it('follows redirects', async () => {
    const url = `http://127.0.0.1:${(redirector.address() as AddressInfo).port}/moved.raw`;
    expect((await get(url)).sha256).toBe(sha);
  });

  it('verifies certificates by default and names the fix', async () => {
    const err = (await get(tlsUrl).catch((e: Error) => e)) as Error;
    expect(err).toBeInstanceOf(ImageDownloadFailedError);
    expect(err.message).toMatch(/TLS certificate verification failed.*imageCaBundle/);
  });

  it('trusts an extra CA bundle, or nothing with the explicit insecure switch', async () => {
    expect((await get(tlsUrl, { ...S, ca: caPem })).sha256).toBe(sha);
    expect((await get(tlsUrl, { ...S, insecure: true })).sha256).toBe(sha);
  });
});
