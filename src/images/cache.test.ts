// ImageCache against real loopback origins and real files: freshness by HEAD/Last-Modified and by mtime,
// single flight, checksums in the same pass, node hard links, eviction that spares images in use, crash
// leftovers, and the cached raw conversion of a qcow2.
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ImageUnacceptableError, InvalidParameterValueError } from '../common/errors.js';
import { setLogSink } from '../common/log.js';
import { ImageOrigin } from '../../test/support/image-origin.js';
import { ImageCache, type ImageCacheOptions } from './cache.js';
import { entryName, readSidecar, TEMP_PREFIX } from './cache-store.js';
import { ChecksumMismatchError, type ChecksumSpec } from './checksum.js';

setLogSink(() => undefined);

const base = mkdtempSync(join(tmpdir(), 'anvil-cache-'));
const imagesDir = join(base, 'images');
mkdirSync(imagesDir);
const MiB = 1024 * 1024;
let origin: ImageOrigin;
const open: ImageCache[] = [];
let seq = 0;

function image(name: string, size = MiB, bytes = randomBytes(size)): { path: string; bytes: Buffer; sha256: string } {
  const path = join(imagesDir, name);
  writeFileSync(path, bytes);
  return { path, bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
}

const sha256 = (digest: string): ChecksumSpec => ({ kind: 'digest', expected: { algorithm: 'sha256', digest } });

async function newCache(opts: Partial<ImageCacheOptions> = {}): Promise<ImageCache> {
  const cache = await ImageCache.open({
    root: join(base, `cache-${seq++}`), maxBytes: 0, ttlS: 0,
    download: { connectTimeoutMs: 2000, readTimeoutMs: 2000, retries: 1, backoffMs: 10, insecure: false, progressIntervalMs: 0 },
    fileRoots: { fileUrlAllowedPaths: [imagesDir] }, checksumPolicy: { allowMd5: true }, maxVirtualSize: 2 ** 40, forceRaw: true,
    ...opts,
  });
  open.push(cache);
  return cache;
}

/** Moves a file's mtime (and so the origin's Last-Modified) forward: HTTP dates have one-second resolution. */
function touch(path: string, secondsAhead: number): void {
  const t = new Date(Date.now() + secondsAhead * 1000);
  utimesSync(path, t, t);
}

beforeAll(async () => {
  origin = await ImageOrigin.start();
});
afterEach(async () => {
  for (const c of open.splice(0)) await c.close();
});
afterAll(async () => {
  await origin.close();
  rmSync(base, { recursive: true, force: true });
});

describe('freshness', () => {
  it('reuses an unchanged image after one HEAD and no GET; a newer Last-Modified downloads it again', async () => {
    const img = image('lm.raw');
    const url = origin.route('/lm.raw', { file: img.path });
    const cache = await newCache();
    const first = await cache.acquire({ url, checksum: sha256(img.sha256) });
    first.release();
    expect(first.hit).toBe(false);
    expect(readFileSync(first.path).equals(img.bytes)).toBe(true);
    expect([origin.count('HEAD', '/lm.raw'), origin.count('GET', '/lm.raw')]).toEqual([0, 1]);

    const second = await cache.acquire({ url, checksum: sha256(img.sha256) });
    second.release();
    expect(second.hit).toBe(true);
    expect([origin.count('HEAD', '/lm.raw'), origin.count('GET', '/lm.raw')]).toEqual([1, 1]);

    touch(img.path, 10);
    const third = await cache.acquire({ url, checksum: sha256(img.sha256) });
    third.release();
    expect(third.hit).toBe(false);
    expect([origin.count('HEAD', '/lm.raw'), origin.count('GET', '/lm.raw')]).toEqual([2, 2]);
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 2, bytesDownloaded: 2 * MiB, headRequests: 2 });
  });

  it('downloads an image whose origin sends no Last-Modified every time', async () => {
    const img = image('nolm.raw');
    const url = origin.route('/nolm.raw', { file: img.path, lastModified: false });
    const cache = await newCache();
    for (let i = 0; i < 3; i++) (await cache.acquire({ url })).release();
    expect(origin.count('GET', '/nolm.raw')).toBe(3);
    expect(cache.stats()).toMatchObject({ hits: 0, misses: 3 });
  });

  it('decides file:// freshness by mtime and records the SHA-256 computed while copying', async () => {
    const img = image('local.raw');
    const url = pathToFileURL(img.path).href;
    const cache = await newCache();
    const a = await cache.acquire({ url });
    a.release();
    expect(a.checksum).toEqual({ algorithm: 'sha256', digest: img.sha256 });
    expect((await readSidecar(cache.layout, entryName(url)))?.digests.sha256).toBe(img.sha256);
    const b = await cache.acquire({ url });
    b.release();
    expect(b.hit).toBe(true);
    const changed = randomBytes(MiB);
    writeFileSync(img.path, changed);
    touch(img.path, 5);
    const c = await cache.acquire({ url });
    c.release();
    expect(c.hit).toBe(false);
    expect(readFileSync(c.path).equals(changed)).toBe(true);
  });

  it('refuses file:// images outside the allowed roots', async () => {
    const cache = await newCache();
    await expect(cache.acquire({ url: 'file:///etc/shadow' })).rejects.toThrow(InvalidParameterValueError);
    await expect(cache.acquire({ url: pathToFileURL(join(base, 'elsewhere.raw')).href })).rejects.toThrow(/not inside a directory allowed/);
  });
});

describe('single flight', () => {
  it('makes concurrent requests for one URL share a single download', async () => {
    const img = image('shared.raw', 8 * MiB);
    const url = origin.route('/shared.raw', { file: img.path });
    const cache = await newCache();
    const all = await Promise.all(Array.from({ length: 20 }, () => cache.acquire({ url, checksum: sha256(img.sha256) })));
    for (const h of all) h.release();
    expect(origin.count('GET', '/shared.raw')).toBe(1);
    expect(new Set(all.map((h) => h.path)).size).toBe(1);
    expect(all.filter((h) => !h.hit)).toHaveLength(1);
    expect(cache.stats()).toMatchObject({ misses: 1, hits: 19, sharedTransfers: 19 });
  });
});

describe('checksums', () => {
  it('refuses a wrong checksum naming algorithm, expected and actual digest, and leaves no file behind', async () => {
    const img = image('bad.raw');
    const url = origin.route('/bad.raw', { file: img.path });
    const cache = await newCache();
    const wrong = 'ab'.repeat(32);
    const err = (await cache.acquire({ url, checksum: sha256(wrong) }).catch((e: Error) => e)) as Error;
    expect(err).toBeInstanceOf(ChecksumMismatchError);
    expect(err.message).toContain('sha256');
    expect(err.message).toContain(wrong);
    expect(err.message).toContain(img.sha256);
    expect(readdirSync(cache.layout.master)).toEqual([]);
    expect(cache.stats().checksumFailures).toBe(1);
  });

  it('catches an origin serving wrong bytes for a known checksum', async () => {
    const img = image('corrupt.raw');
    const url = origin.route('/corrupt.raw', { file: img.path, replaceWith: randomBytes(MiB) });
    const cache = await newCache();
    await expect(cache.acquire({ url, checksum: sha256(img.sha256) })).rejects.toThrow(/sha256 checksum mismatch.*expected/);
    expect(readdirSync(cache.layout.master)).toEqual([]);
  });

  it('fetches a checksum file once and picks the line of the image', async () => {
    const img = image('listed.raw');
    const sums = join(imagesDir, 'SHA256SUMS');
    writeFileSync(sums, `${'0'.repeat(64)}  other.raw\n${img.sha256} *listed.raw\n`);
    const url = origin.route('/listed.raw', { file: img.path });
    const sumsUrl = origin.route('/SHA256SUMS', { file: sums });
    const cache = await newCache();
    const hs = await Promise.all([1, 2, 3].map(() => cache.acquire({ url, checksum: { kind: 'file', ref: { url: sumsUrl } } })));
    for (const h of hs) h.release();
    expect(hs[0]!.checksum).toEqual({ algorithm: 'sha256', digest: img.sha256 });
    expect(origin.count('GET', '/SHA256SUMS')).toBe(1);
  });

  it('downloads again (and verifies) when a cached copy does not match a newly given checksum', async () => {
    const img = image('md5.raw');
    const url = origin.route('/md5.raw', { file: img.path });
    const cache = await newCache();
    (await cache.acquire({ url })).release();
    const md5 = createHash('md5').update(img.bytes).digest('hex');
    const h = await cache.acquire({ url, checksum: { kind: 'digest', expected: { algorithm: 'md5', digest: md5 } } });
    h.release();
    expect(h.checksum).toEqual({ algorithm: 'md5', digest: md5 });
    expect(origin.count('GET', '/md5.raw')).toBe(2);
    // The copy made without a checksum was replaced, not left behind.
    await new Promise((r) => setTimeout(r, 50));
    expect(readdirSync(cache.layout.master).filter((f) => !f.endsWith('.json'))).toHaveLength(1);
  });
});

describe('node copies and eviction', () => {
  it('gives each node a hard link to the master copy, never a second download', async () => {
    const img = image('linked.raw');
    const url = origin.route('/linked.raw', { file: img.path });
    const cache = await newCache();
    const h = await cache.acquire({ url });
    const nodes = ['11111111-1111-1111-1111-111111111111', '22222222-2222-2222-2222-222222222222'];
    const copies = await Promise.all(nodes.map((n) => cache.linkForNode(n, h)));
    h.release();
    expect(copies.map((c) => statSync(c).ino)).toEqual([statSync(h.path).ino, statSync(h.path).ino]);
    expect(statSync(h.path).nlink).toBe(3);
    expect(origin.count('GET', '/linked.raw')).toBe(1);
    await cache.releaseNode(nodes[0]!);
    expect(statSync(h.path).nlink).toBe(2);
    await expect(cache.linkForNode('../../etc', h)).rejects.toThrow(/not a node UUID/);
  });

  it('evicts the least recently used unused image under the size limit, never one in use', async () => {
    let now = Date.now();
    const cache = await newCache({ maxBytes: Math.floor(2.5 * MiB), now: () => now });
    const [a, b, c] = ['ev-a.raw', 'ev-b.raw', 'ev-c.raw'].map((f) => {
      const img = image(f);
      return origin.route(`/${f}`, { file: img.path });
    }) as [string, string, string];
    const inUse = await cache.acquire({ url: a });
    await cache.linkForNode('33333333-3333-3333-3333-333333333333', inUse);
    inUse.release();
    now += 1000;
    (await cache.acquire({ url: b })).release();
    now += 1000;
    // A is the oldest, but a node uses it: B has to go to make room for C.
    (await cache.acquire({ url: c })).release();
    const urls = await Promise.all([a, b, c].map((u) => readSidecar(cache.layout, entryName(u)).then((s) => s !== null)));
    expect(urls).toEqual([true, false, true]);
    expect(cache.stats().evictions).toBe(1);
  });

  it('expires unused images after the TTL', async () => {
    let now = Date.now();
    const cache = await newCache({ ttlS: 60, now: () => now });
    const img = image('ttl.raw');
    const url = origin.route('/ttl.raw', { file: img.path });
    (await cache.acquire({ url })).release();
    const kept = await cache.acquire({ url: origin.route('/ttl-kept.raw', { file: image('ttl-kept.raw').path }) });
    now += 61_000;
    await cache.evict();
    expect(await readSidecar(cache.layout, entryName(url))).toBeNull();
    expect(await readSidecar(cache.layout, kept.name)).not.toBeNull();
    kept.release();
  });

  it('keeps an older generation a node still holds, and removes it from master once nobody reads it', async () => {
    const img = image('gen.raw');
    const url = origin.route('/gen.raw', { file: img.path });
    const cache = await newCache();
    const old = await cache.acquire({ url });
    const copy = await cache.linkForNode('44444444-4444-4444-4444-444444444444', old);
    writeFileSync(img.path, randomBytes(MiB));
    touch(img.path, 20);
    const fresh = await cache.acquire({ url });
    expect(fresh.path).not.toBe(old.path);
    old.release();
    fresh.release();
    await new Promise((r) => setTimeout(r, 50));
    expect(readdirSync(cache.layout.master).filter((f) => !f.endsWith('.json'))).toEqual([fresh.path.split('/').pop()]);
    expect(readFileSync(copy).equals(img.bytes)).toBe(true);
  });
});

describe('crash safety', () => {
  it('never serves a partial file: temp files, orphans and truncated entries are removed at start', async () => {
    const img = image('crash.raw');
    const url = origin.route('/crash.raw', { file: img.path });
    const first = await newCache();
    (await first.acquire({ url })).release();
    const root = first.layout.root;
    await first.close();
    open.splice(open.indexOf(first), 1);
    const name = entryName(url);
    const sc = (await readSidecar(first.layout, name))!;
    // What a crash can leave: a download cut short, and a committed entry whose data lost its tail.
    writeFileSync(join(first.layout.master, `${TEMP_PREFIX}deadbeef`), img.bytes.subarray(0, 1000));
    writeFileSync(join(first.layout.master, `${name}.orphan`), img.bytes);
    writeFileSync(first.layout.data(sc.dataFile), img.bytes.subarray(0, 4096));
    const again = await newCache({ root });
    expect(readdirSync(again.layout.master)).toEqual([]);
    const h = await again.acquire({ url });
    h.release();
    expect(h.hit).toBe(false);
    expect(readFileSync(h.path).equals(img.bytes)).toBe(true);
  });
});

describe('conversion', () => {
  it('converts a qcow2 to raw once and serves the cached raw copy afterwards', async () => {
    const raw = image('disk.img', 2 * MiB);
    const qcow = join(imagesDir, 'disk.qcow2');
    execFileSync('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', raw.path, qcow]);
    const url = origin.route('/disk.qcow2', { file: qcow });
    const cache = await newCache();
    const a = await cache.acquire({ url, declaredFormat: 'qcow2' });
    a.release();
    expect(a.format).toBe('raw');
    expect(a.name).toBe(entryName(url, 'raw'));
    expect(readFileSync(a.path).equals(raw.bytes)).toBe(true);
    expect(a.checksum).toEqual({ algorithm: 'sha256', digest: raw.sha256 });
    const b = await cache.acquire({ url });
    b.release();
    expect(b.hit).toBe(true);
    expect(cache.stats().conversions).toBe(1);
    const asIs = await cache.acquire({ url, raw: false });
    asIs.release();
    expect(asIs.format).toBe('qcow2');
  });

  it('refuses a qcow2 with a backing file', async () => {
    const qcow = join(imagesDir, 'child.qcow2');
    execFileSync('qemu-img', ['create', '-f', 'qcow2', '-F', 'raw', '-b', '/etc/hostname', qcow], { stdio: 'ignore' });
    const url = origin.route('/child.qcow2', { file: qcow });
    const cache = await newCache();
    await expect(cache.acquire({ url })).rejects.toThrow(ImageUnacceptableError);
  });
});
