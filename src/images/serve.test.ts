// The agents' image server: signed expiring URLs (forged, expired, other node: refused), Range requests, and
// agentImageUrl choosing between the origin and the conductor's own copy.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setLogSink } from '../common/log.js';
import { ImageOrigin } from '../../test/support/image-origin.js';
import { agentImageUrl, progressRecorder, type ConductorImages, type RecordedProgress } from './agent-images.js';
import { ImageCache } from './cache.js';
import { CacheLayout, entryName } from './cache-store.js';
import { ImageServer, parseRange } from './serve.js';

setLogSink(() => undefined);

const base = mkdtempSync(join(tmpdir(), 'anvil-serve-'));
const NODE = '5a1e0000-0000-4000-8000-000000000001';
const OTHER = '5a1e0000-0000-4000-8000-000000000002';
const bytes = randomBytes(256 * 1024);
const name = entryName('http://origin.example/image.raw');
let now = Date.now();
let server: ImageServer;

beforeAll(async () => {
  const layout = new CacheLayout(join(base, 'cache'));
  mkdirSync(layout.nodeDir(NODE), { recursive: true });
  writeFileSync(layout.nodeCopy(NODE, name), bytes);
  server = await ImageServer.start({ layout, host: '127.0.0.1', port: 0, key: 'test-key', urlTtlS: 60, now: () => now });
});
afterAll(async () => {
  await server.close();
  rmSync(base, { recursive: true, force: true });
});

describe('parseRange', () => {
  it.each<[string | undefined, number, ReturnType<typeof parseRange>]>([
    [undefined, 100, null],
    ['bytes=0-9', 100, { start: 0, end: 9 }],
    ['bytes=90-', 100, { start: 90, end: 99 }],
    ['bytes=-10', 100, { start: 90, end: 99 }],
    ['bytes=50-500', 100, { start: 50, end: 99 }],
    ['bytes=100-', 100, 'unsatisfiable'],
    ['bytes=-0', 100, 'unsatisfiable'],
    ['bytes=0-1,5-6', 100, null],
    ['items=0-1', 100, null],
  ])('%s of %d bytes', (header, size, expected) => {
    expect(parseRange(header, size)).toEqual(expected);
  });
});

describe('signed URLs', () => {
  it('streams the node copy through a valid URL, whole or by range', async () => {
    const url = server.signedUrl(NODE, name);
    const full = await fetch(url);
    expect(full.status).toBe(200);
    expect(Buffer.from(await full.arrayBuffer()).equals(bytes)).toBe(true);
    const part = await fetch(url, { headers: { Range: 'bytes=1000-1999' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 1000-1999/${bytes.length}`);
    expect(Buffer.from(await part.arrayBuffer()).equals(bytes.subarray(1000, 2000))).toBe(true);
    const head = await fetch(url, { method: 'HEAD' });
    expect(head.headers.get('content-length')).toBe(String(bytes.length));
    expect((await fetch(url, { headers: { Range: `bytes=${bytes.length}-` } })).status).toBe(416);
  });

  it('refuses forged, foreign and expired URLs', async () => {
    const url = new URL(server.signedUrl(NODE, name));
    const sig = url.searchParams.get('sig')!;
    const forged = new URL(url);
    forged.searchParams.set('sig', (sig[0] === 'A' ? 'B' : 'A') + sig.slice(1));
    expect((await fetch(forged)).status).toBe(403);
    const longer = new URL(url);
    longer.searchParams.set('expires', String(Number(url.searchParams.get('expires')) + 3600));
    expect((await fetch(longer)).status).toBe(403);
    const foreign = new URL(url.href.replace(NODE, OTHER));
    expect((await fetch(foreign)).status).toBe(403);
    expect((await fetch(url.href.replace(/\?.*$/, ''))).status).toBe(403);
    now += 61_000;
    try {
      expect((await fetch(url)).status).toBe(403);
    } finally {
      now -= 61_000;
    }
  });

  it('answers 404 for unknown paths and for images the node has no copy of, 405 for other methods', async () => {
    expect((await fetch(`${server.baseUrl}/v1/nodes`)).status).toBe(404);
    expect((await fetch(`${server.baseUrl}/images/${NODE}/../../service.pid`)).status).toBe(404);
    expect((await fetch(server.signedUrl(OTHER, name))).status).toBe(404);
    expect((await fetch(server.signedUrl(NODE, name), { method: 'DELETE' })).status).toBe(405);
  });
});

describe('agentImageUrl', () => {
  let origin: ImageOrigin;
  let images: ConductorImages;
  const imagesDir = join(base, 'images');

  beforeAll(async () => {
    mkdirSync(imagesDir, { recursive: true });
    origin = await ImageOrigin.start();
    const cache = await ImageCache.open({
      root: join(base, 'agent-cache'), maxBytes: 0, ttlS: 0,
      download: { connectTimeoutMs: 2000, readTimeoutMs: 2000, retries: 0, backoffMs: 10, insecure: false, progressIntervalMs: 0 },
      fileRoots: { fileUrlAllowedPaths: [imagesDir] }, checksumPolicy: { allowMd5: true }, maxVirtualSize: 2 ** 40, forceRaw: true,
    });
    const srv = await ImageServer.start({ layout: cache.layout, host: '127.0.0.1', port: 0, key: '', urlTtlS: 60 });
    images = { cache, server: srv, defaultSource: 'http', close: async () => { await srv.close(); await cache.close(); } };
  });
  afterAll(async () => {
    await images.close();
    await origin.close();
  });

  it('hands out the origin URL by default, the conductor copy for local, and always for file://', async () => {
    const file = join(imagesDir, 'agent.raw');
    writeFileSync(file, bytes);
    const sha = createHash('sha256').update(bytes).digest('hex');
    const url = origin.route('/agent.raw', { file });
    const node = { uuid: NODE, driverInfo: {}, instanceInfo: {} };
    const checksum = { kind: 'digest', expected: { algorithm: 'sha256', digest: sha } } as const;

    const direct = await agentImageUrl(images, node, { url, checksum });
    expect(direct).toEqual({ url, source: 'http', checksum: checksum.expected });
    expect(origin.count('GET')).toBe(0);

    const seen: RecordedProgress[] = [];
    const local = await agentImageUrl(images, { ...node, driverInfo: { image_download_source: 'local' } },
      { url, checksum, onProgress: progressRecorder(async (p) => void seen.push(p), 0) });
    expect(local.source).toBe('local');
    expect(local.url.startsWith(images.server.baseUrl)).toBe(true);
    expect(Buffer.from(await (await fetch(local.url)).arrayBuffer()).equals(bytes)).toBe(true);
    expect(seen.at(-1)).toMatchObject({ bytes_done: bytes.length, total_bytes: bytes.length, percent: 100 });

    const fromFile = await agentImageUrl(images, { ...node, uuid: OTHER }, { url: pathToFileURL(file).href });
    expect(fromFile).toMatchObject({ source: 'local', checksum: { algorithm: 'sha256', digest: sha }, size: bytes.length });
    expect((await fetch(fromFile.url)).status).toBe(200);
    await images.cache.releaseNode(OTHER);
    expect((await fetch(fromFile.url)).status).toBe(404);
  });

  it('refuses an unknown image_download_source', async () => {
    await expect(agentImageUrl(images, { uuid: NODE, driverInfo: {}, instanceInfo: { image_download_source: 'swift' } },
      { url: 'http://127.0.0.1:9/x.raw' })).rejects.toThrow(/image_download_source must be one of http, local/);
  });
});
