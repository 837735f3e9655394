// Child process for memory and throughput measurements (the image tests and `npm run bench`): fetches one
// image URL into a fresh ImageCache and prints one JSON line — resident memory before and at peak, time,
// size, digest. A process of its own, so nothing else (the origin, the test runner) counts in its RSS.
//   node --import tsx test/support/image-fetch-child.ts <url> <cache root> [sha256] [warm-up url]
import { performance } from 'node:perf_hooks';
import { setLogSink } from '../../src/common/log.js';
import { ImageCache } from '../../src/images/cache.js';

const [url, root, sha256, warmUp] = process.argv.slice(2);
if (!url || !root) {
  process.stderr.write('usage: image-fetch-child.ts <url> <cache root> [sha256] [warm-up url]\n');
  process.exit(2);
}
setLogSink(() => undefined);
const cache = await ImageCache.open({
  root, maxBytes: 0, ttlS: 0,
  download: { connectTimeoutMs: 10_000, readTimeoutMs: 60_000, retries: 0, backoffMs: 100, insecure: false, progressIntervalMs: 1000 },
  fileRoots: { fileUrlAllowedPaths: [] }, checksumPolicy: { allowMd5: true }, maxVirtualSize: 2 ** 50, forceRaw: false,
});
// A transfer of a few dozen MiB first takes the one-time costs (JIT of the hot path, the allocator growing
// its arenas to the working set) out of the figure that must not grow with the image: `rssGrowth`.
// `rssGrowthSinceOpen` keeps them in, as a first download in a fresh process would see.
const opened = process.memoryUsage.rss();
if (warmUp) (await cache.acquire({ url: warmUp })).release();
const before = process.memoryUsage.rss();
let peak = before;
const sampler = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage.rss());
}, 10);
const t0 = performance.now();
const image = await cache.acquire({ url, ...(sha256 ? { checksum: { kind: 'digest', expected: { algorithm: 'sha256', digest: sha256 } } } : {}) });
const ms = performance.now() - t0;
clearInterval(sampler);
peak = Math.max(peak, process.memoryUsage.rss());
image.release();
await cache.close();
process.stdout.write(`${JSON.stringify({ rssBefore: before, rssPeak: peak, rssGrowth: peak - before, rssGrowthSinceOpen: peak - opened, ms, size: image.size, checksum: image.checksum, path: image.path })}\n`);
