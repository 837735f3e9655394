// The image cache end to end: a real service (startService) caching from a loopback origin and serving a
// node's copy over its image server, the operator commands as real processes on the same cache directory,
// restart clean-up, and bounded memory while 512 MiB stream through download -> cache in a child process.
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../src/common/config.js';
import { setLogSink } from '../../src/common/log.js';
import { agentImageUrl } from '../../src/images/agent-images.js';
import { TEMP_PREFIX } from '../../src/images/cache-store.js';
import { startService, type RunningService } from '../../src/service.js';
import { ImageOrigin } from '../support/image-origin.js';

setLogSink(() => undefined);
const run = promisify(execFile);
const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const NODE = '0d0e0000-0000-4000-8000-0000000000aa';
const MiB = 1024 * 1024;

/** `anvil ...` as an operator runs it, from the sources (no build needed). */
async function anvil(args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/anvil.ts'), ...args], { cwd: ROOT, env: { PATH: process.env.PATH ?? '' } });
  return stdout;
}

describe('image cache in the service and the operator commands', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'anvil-it-images-'));
  const imageFile = join(stateDir, 'origin.raw');
  const bytes = randomBytes(3 * MiB);
  const sha = createHash('sha256').update(bytes).digest('hex');
  let origin: ImageOrigin;
  let config: Config;
  let service: RunningService;

  beforeAll(async () => {
    writeFileSync(imageFile, bytes);
    origin = await ImageOrigin.start();
    config = loadConfig({ env: {}, flags: { stateDir, port: 0, imageDownloadSource: 'local', periodicCheckInterval: 0, powerStateSyncInterval: 0 } });
    service = await startService(config);
  });
  afterAll(async () => {
    await service?.close();
    await origin.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('caches once, serves the node its copy, and lists and prunes it from the command line', async () => {
    const url = origin.route('/ubuntu.raw', { file: imageFile });
    const node = { uuid: NODE, driverInfo: {}, instanceInfo: {} };
    const checksum = { kind: 'digest', expected: { algorithm: 'sha256', digest: sha } } as const;
    const first = await agentImageUrl(service.images, node, { url, checksum });
    const again = await agentImageUrl(service.images, node, { url, checksum });
    expect([origin.count('GET'), origin.count('HEAD')]).toEqual([1, 1]);
    expect(again.url).not.toBe('');
    const served = await fetch(first.url);
    expect(Buffer.from(await served.arrayBuffer()).equals(bytes)).toBe(true);
    expect(service.images.cache.stats()).toMatchObject({ hits: 1, misses: 1, bytesDownloaded: bytes.length });

    const listed = JSON.parse(await anvil(['image-cache', 'list', '-f', 'json', '--state-dir', stateDir])) as Record<string, unknown>[];
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ url, size: bytes.length, nodes: [NODE], sha256: sha, variant: 'original' });
    expect(listed[0]!.age_s).toBeGreaterThanOrEqual(0);
    expect(typeof listed[0]!.last_checked).toBe('string');
    const table = await anvil(['image-cache', 'list', '--state-dir', stateDir]);
    expect(table).toContain(url);
    expect(table).toContain(NODE);

    // In use by the node: even --all keeps it.
    expect(await anvil(['image-cache', 'prune', '--all', '--state-dir', stateDir])).toMatch(/removed 0 image\(s\).*kept 1/);
    await service.images.cache.releaseNode(NODE);
    const pruned = await anvil(['image-cache', 'prune', '--all', '--state-dir', stateDir]);
    expect(pruned).toMatch(/removed 1 image\(s\) \(3145728 bytes\), kept 0/);
    expect(pruned).toMatch(/a service \(pid \d+\) is using this cache/);
    expect(JSON.parse(await anvil(['image-cache', 'list', '-f', 'json', '--state-dir', stateDir]))).toEqual([]);
  });

  it('removes leftovers of an interrupted transfer when the service starts again', async () => {
    await service.close();
    const master = join(stateDir, 'image-cache', 'master');
    writeFileSync(join(master, `${TEMP_PREFIX}0123456789abcdef`), bytes.subarray(0, 1000));
    service = await startService(config);
    expect(readdirSync(master).filter((f) => f.startsWith(TEMP_PREFIX))).toEqual([]);
  });
});

describe('memory while streaming a large image', () => {
  const dir = mkdtempSync(join(tmpdir(), 'anvil-it-rss-'));
  let origin: ImageOrigin;
  const SIZE = 512 * MiB;
  let sha = '';

  beforeAll(async () => {
    origin = await ImageOrigin.start();
    // Repeating one random MiB makes a big, incompressible-enough file in a moment.
    const block = randomBytes(MiB);
    const hash = createHash('sha256');
    const out = createWriteStream(join(dir, 'big.raw'));
    for (let i = 0; i < SIZE / MiB; i++) {
      hash.update(block);
      if (!out.write(block)) await new Promise<void>((r) => out.once('drain', () => r()));
    }
    await new Promise<void>((r) => out.end(() => r()));
    sha = hash.digest('hex');
    // The warm-up image: big enough to take JIT and allocator start-up costs out of the growth figure.
    const warm = createWriteStream(join(dir, 'warm.raw'));
    for (let i = 0; i < 32; i++) warm.write(block);
    await new Promise<void>((r) => warm.end(() => r()));
    mkdirSync(join(dir, 'cache'));
  });
  afterAll(async () => {
    await origin.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('grows the fetching process by less than 64 MiB for 512 MiB of image', async () => {
    const url = origin.route('/big.raw', { file: join(dir, 'big.raw') });
    const warm = origin.route('/warm.raw', { file: join(dir, 'warm.raw') });
    const { stdout } = await run(process.execPath, ['--import', 'tsx', join(ROOT, 'test/support/image-fetch-child.ts'), url, join(dir, 'cache'), sha, warm],
      { cwd: ROOT, maxBuffer: 1 << 20 });
    const r = JSON.parse(stdout) as { rssGrowth: number; rssGrowthSinceOpen: number; size: number; checksum: { digest: string }; ms: number };
    expect(r.size).toBe(SIZE);
    expect(r.checksum.digest).toBe(sha);
    // Measured: a few MiB while the 512 MiB stream through; about 40 MiB counting the one-time start-up costs.
    expect(r.rssGrowth).toBeLessThan(64 * MiB);
    expect(r.rssGrowthSinceOpen).toBeLessThan(96 * MiB);
  }, 120_000);
});
