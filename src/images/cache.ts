// One conductor's image cache (Ironic's image_cache.py): a master copy per image URL, reused while the origin
// says it has not changed (HEAD Last-Modified for http(s), mtime for file://), shared by concurrent requests
// through one download, verified against its checksum in the same pass, converted to raw when wanted, linked
// into per-node directories and evicted least-recently-used without ever touching an image in use.
import { copyFile, link, mkdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { ChecksumMismatchError, type ChecksumPolicy, type ChecksumSpec, type ExpectedChecksum } from './checksum.js';
import { log } from '../common/log.js';
import {
  CacheLayout, chooseEvictions, clearOwner, entryName, fsyncDir, fsyncFile, listEntries, liveOwner, readSidecar,
  reconcile, removeEntry, writeOwner, writeSidecar, type Sidecar,
} from './cache-store.js';
import { ChecksumResolver } from './checksum-source.js';
import { Digests, sha256Of } from './digests.js';
import { convertToRaw, needsConversion } from './convert.js';
import { fileToFile, headUrl, httpToFile, redactUrl, type DownloadSettings, type HeadResult } from './download.js';
import { checkImageSafety, inspectImage, type DiskFormat, type ImageInfo } from './format.js';
import { openFileSource, parseImageSource, type FileRootsConfig } from './image-source.js';
import type { ProgressListener } from './progress.js';

export interface ImageCacheOptions {
  readonly root: string;
  /** 0: no limit. */
  readonly maxBytes: number;
  /** Seconds after last use; 0: no limit. */
  readonly ttlS: number;
  readonly download: DownloadSettings;
  readonly fileRoots: FileRootsConfig;
  readonly checksumPolicy: ChecksumPolicy;
  /** Largest virtual size an image may declare (setting maxImageVirtualSize). */
  readonly maxVirtualSize: number;
  /** Default of ImageRequest.raw (setting forceRawImages). */
  readonly forceRaw: boolean;
  readonly now?: () => number;
}

export interface ImageRequest {
  readonly url: string;
  readonly checksum?: ChecksumSpec;
  /** `image_disk_format` as the user declared it: the content must agree. */
  readonly declaredFormat?: string | null | undefined;
  readonly allowedFormats?: readonly DiskFormat[];
  /** Hand out raw content (qcow2 & co. converted once, cached under the URL + "raw"); default forceRaw. */
  readonly raw?: boolean;
  readonly onProgress?: ProgressListener;
}

/** A cached image held for use: its file stays in place until release(). */
export interface CachedImage {
  readonly name: string;
  readonly url: string;
  readonly path: string;
  readonly size: number;
  readonly format: DiskFormat;
  /** What the bytes at `path` hash to: the caller's own checksum when it matches them, else SHA-256. */
  readonly checksum: ExpectedChecksum;
  /** True when this request waited for no transfer of its own (a hit or a download shared with others). */
  readonly hit: boolean;
  release(): void;
}

export interface CacheStats {
  hits: number;
  misses: number;
  /** Requests that joined a transfer another request had started (single flight). */
  sharedTransfers: number;
  /** Body bytes fetched from http(s) origins (file:// copies are not downloads). */
  bytesDownloaded: number;
  headRequests: number;
  conversions: number;
  evictions: number;
  checksumFailures: number;
}

// TTLs are counted in days; looking every five minutes is plenty and costs one directory scan.
const CLEAN_EVERY_MS = 5 * 60_000;

type Transfer = (tmp: string, digests: Digests) => Promise<Pick<Sidecar, 'source' | 'lastModified' | 'sourceMtimeMs' | 'sourceSize'>>;

/** Reuse a copy only when the origin's Last-Modified says it has not changed since; none means never. */
export function isFresh(sc: Sidecar, head: HeadResult | null): boolean {
  if (!head || head.status < 200 || head.status > 299 || !head.lastModified) return false;
  const lm = Date.parse(head.lastModified);
  if (Number.isNaN(lm)) return false;
  if (head.contentLength !== null && head.contentLength !== sc.size) return false;
  // Against the Last-Modified we fetched, an older date too means another file (restored from a backup).
  if (sc.lastModified !== null) return lm === Date.parse(sc.lastModified);
  return lm <= sc.fetchStartedAt;
}

export class ImageCache {
  readonly layout: CacheLayout;
  readonly #opts: ImageCacheOptions;
  readonly #now: () => number;
  readonly #flights = new Map<string, Promise<Sidecar>>();
  readonly #leases = new Map<string, number>();
  /** Data files replaced by a newer generation while someone may still read them, by entry name. */
  readonly #superseded = new Map<string, string[]>();
  readonly #checksums: ChecksumResolver;
  readonly #stats: CacheStats = { hits: 0, misses: 0, sharedTransfers: 0, bytesDownloaded: 0, headRequests: 0, conversions: 0, evictions: 0, checksumFailures: 0 };
  #evicting: Promise<void> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;

  private constructor(opts: ImageCacheOptions) {
    this.#opts = opts;
    this.layout = new CacheLayout(opts.root);
    this.#now = opts.now ?? Date.now;
    this.#checksums = new ChecksumResolver(opts.download, opts.fileRoots, opts.checksumPolicy);
  }

  /** Creates the directories, removes what an earlier crash left (temp files, orphans) and applies the limits. */
  static async open(opts: ImageCacheOptions): Promise<ImageCache> {
    const cache = new ImageCache(opts);
    const { layout } = cache;
    await mkdir(layout.master, { recursive: true });
    await mkdir(layout.nodes, { recursive: true });
    const other = await liveOwner(layout);
    if (other !== null && other !== process.pid) log.warn('another process seems to use this image cache; taking it over', { root: layout.root, pid: other });
    await writeOwner(layout);
    const cleaned = await reconcile(layout);
    if (cleaned.removedTemps || cleaned.removedOrphans) log.info('image cache: removed leftovers of an interrupted run', { root: layout.root, ...cleaned });
    await cache.evict();
    cache.#timer = setInterval(() => void cache.evict().catch((err: Error) => log.error('image cache clean-up failed', { error: err.message })), CLEAN_EVERY_MS);
    cache.#timer.unref();
    return cache;
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.#evicting;
    await clearOwner(this.layout);
  }

  stats(): Readonly<CacheStats> {
    return { ...this.#stats };
  }

  /**
   * Makes sure `req.url` is cached, fresh, matches its checksum and is safe, and holds it until release().
   * @throws ChecksumMismatchError, ImageDownloadFailedError, ImageUnacceptableError, ImageConvertFailedError,
   *   InvalidParameterValueError (URL, checksum spec, file:// outside the allowed roots)
   */
  async acquire(req: ImageRequest): Promise<CachedImage> {
    const source = parseImageSource(req.url, 'image URL');
    const expected = await this.#checksums.expected(req.checksum, req.url);
    const name = entryName(req.url);
    this.#lease(name);
    let handedOver = false;
    try {
      let { sc, hit } = await this.#share(name, () => this.#refresh(name, req, source, expected, false));
      if (expected && sc.digests[expected.algorithm] !== expected.digest) {
        // This copy was made for a request with another (or no) checksum: fetch again and verify in the stream.
        ({ sc, hit } = await this.#share(name, () => this.#refresh(name, req, source, expected, true)));
        if (sc.digests[expected.algorithm] !== expected.digest) {
          throw new ChecksumMismatchError(redactUrl(req.url), expected, sc.digests[expected.algorithm] ?? '(unknown)');
        }
      }
      const info = await inspectImage(this.layout.data(sc.dataFile));
      checkImageSafety(info, { declaredFormat: req.declaredFormat ?? null, maxVirtualSize: this.#opts.maxVirtualSize, name: redactUrl(req.url), ...(req.allowedFormats ? { allowedFormats: req.allowedFormats } : {}) });
      let image = this.#handle(sc, info.format, expected, hit, () => this.#unlease(name));
      if ((req.raw ?? this.#opts.forceRaw) && needsConversion(info.format, true)) {
        const raw = await this.#converted(sc, info, req);
        image = { ...raw, hit: raw.hit && hit };
        this.#unlease(name);
      }
      handedOver = true;
      this.#stats[image.hit ? 'hits' : 'misses']++;
      log.info(image.hit ? 'image cache hit' : 'image cache miss', { url: redactUrl(req.url), entry: image.name.slice(0, 12), bytes: image.size, ...this.#stats });
      return image;
    } finally {
      if (!handedOver) this.#unlease(name);
    }
  }

  /** The digest an image must have according to `spec` (a checksum file is fetched once for many callers). */
  expectedChecksum(spec: ChecksumSpec | undefined, url: string): Promise<ExpectedChecksum | null> {
    return this.#checksums.expected(spec, url);
  }

  /** Gives the node its own hard link to the image (a copy only across file systems); returns its path. */
  async linkForNode(nodeUuid: string, image: CachedImage): Promise<string> {
    const dir = this.layout.nodeDir(nodeUuid);
    await mkdir(dir, { recursive: true });
    const tmp = this.layout.temp(dir);
    try {
      await link(image.path, tmp).catch(async (err: NodeJS.ErrnoException) => {
        if (err.code !== 'EXDEV') throw err;
        await copyFile(image.path, tmp);
        await fsyncFile(tmp);
      });
      // Over an older copy of the same image, atomically: a concurrent reader sees one or the other.
      await rename(tmp, this.layout.nodeCopy(nodeUuid, image.name));
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    await fsyncDir(dir);
    return this.layout.nodeCopy(nodeUuid, image.name);
  }

  /** Drops the node's copies (after deploy or tear-down): their master copies may be evicted again. */
  async releaseNode(nodeUuid: string): Promise<void> {
    await rm(this.layout.nodeDir(nodeUuid), { recursive: true, force: true });
  }

  /** Applies TTL and size limit (keeping room for `reserveBytes`); entries in use are never removed. */
  evict(reserveBytes = 0): Promise<void> {
    // One pass at a time: two passes deciding on the same listing would over-evict.
    const run = this.#evicting.then(async () => {
      const entries = await listEntries(this.layout);
      const policy = { maxBytes: this.#opts.maxBytes, ttlS: this.#opts.ttlS, now: this.#now(), reserveBytes };
      for (const e of chooseEvictions(entries, (n) => this.#leases.has(n), policy)) {
        await removeEntry(this.layout, e.sidecar);
        this.#stats.evictions++;
        log.info('image cache: evicted', { url: redactUrl(e.sidecar.url), bytes: e.sidecar.size, lastUsedAt: new Date(e.sidecar.lastUsedAt).toISOString() });
      }
    });
    this.#evicting = run.catch(() => undefined);
    return run;
  }

  #handle(sc: Sidecar, format: DiskFormat, expected: ExpectedChecksum | null, hit: boolean, release: () => void): CachedImage {
    let released = false;
    const sha256 = sc.digests.sha256!;
    return {
      name: sc.name, url: sc.url, path: this.layout.data(sc.dataFile), size: sc.size, format, hit,
      checksum: expected && sc.digests[expected.algorithm] === expected.digest && sc.source !== 'converted' ? expected : { algorithm: 'sha256', digest: sha256 },
      release: () => {
        if (!released) release();
        released = true;
      },
    };
  }

  /** Single flight: one transfer per entry however many ask; `hit` is false only for the one who ran it. */
  async #share(name: string, run: () => Promise<{ sc: Sidecar; transferred: boolean }>): Promise<{ sc: Sidecar; hit: boolean }> {
    const running = this.#flights.get(name);
    if (running) {
      this.#stats.sharedTransfers++;
      return { sc: await running, hit: true };
    }
    const flight = run();
    const shared = flight.then((r) => r.sc);
    shared.catch(() => undefined);
    this.#flights.set(name, shared);
    try {
      const r = await flight;
      return { sc: r.sc, hit: !r.transferred };
    } finally {
      this.#flights.delete(name);
    }
  }

  async #refresh(name: string, req: ImageRequest, source: ReturnType<typeof parseImageSource>, expected: ExpectedChecksum | null,
    force: boolean): Promise<{ sc: Sidecar; transferred: boolean }> {
    // Read even when forced: the copy it names is superseded by the new one and must be cleaned up.
    const current = await readSidecar(this.layout, name);
    const s = this.#opts.download;
    if (source.kind === 'file') {
      const opened = await openFileSource(source.path, this.#opts.fileRoots);
      try {
        if (!force && current && current.sourceMtimeMs === opened.mtimeMs && current.sourceSize === opened.size) {
          return { sc: await this.#touch(current), transferred: false };
        }
        await this.evict(opened.size);
        return await this.#fill(name, req.url, expected, current, async (tmp, digests) => {
          const r = await fileToFile(opened, tmp, digests, s, req.onProgress);
          return { source: 'file', lastModified: null, sourceMtimeMs: r.mtimeMs, sourceSize: r.bytes };
        });
      } finally {
        await opened.handle.close();
      }
    }
    let head: HeadResult | null = null;
    if (current && !force) {
      this.#stats.headRequests++;
      // An origin that cannot answer HEAD gets a GET, which retries and reports properly if it fails too.
      head = await headUrl(source.url, s).catch(() => null);
      if (isFresh(current, head)) return { sc: await this.#touch(current), transferred: false };
    }
    await this.evict(head?.contentLength ?? 0);
    return this.#fill(name, req.url, expected, current, async (tmp, digests) => {
      const r = await httpToFile(source.url, tmp, s, digests, req.onProgress);
      this.#stats.bytesDownloaded += r.bytes;
      return { source: 'http', lastModified: r.lastModified, sourceMtimeMs: null, sourceSize: r.contentLength };
    });
  }

  /** Transfer into a temp file, verify, fsync, rename, then commit the sidecar. Nothing partial survives. */
  async #fill(name: string, url: string, expected: ExpectedChecksum | null, current: Sidecar | null, transfer: Transfer): Promise<{ sc: Sidecar; transferred: boolean }> {
    const tmp = this.layout.temp(this.layout.master);
    const digests = new Digests(expected);
    const fetchStartedAt = this.#now();
    let sc: Sidecar;
    let renamed: string | null = null;
    try {
      const meta = await transfer(tmp, digests);
      let found: Record<string, string>;
      try {
        found = digests.finish(redactUrl(url));
      } catch (err) {
        this.#stats.checksumFailures++;
        throw err;
      }
      await fsyncFile(tmp);
      const dataFile = this.layout.newDataFile(name);
      await rename(tmp, this.layout.data(dataFile));
      renamed = this.layout.data(dataFile);
      const now = this.#now();
      sc = {
        version: 1, name, url, dataFile, size: (await stat(this.layout.data(dataFile))).size, ...meta, fetchStartedAt, fetchedAt: now,
        digests: found, derivedFrom: null, format: null, lastCheckedAt: now, lastUsedAt: now,
      };
      await writeSidecar(this.layout, sc);
    } catch (err) {
      // No sidecar names these bytes: they would only wait for the next start-up to be cleaned.
      await rm(renamed ?? tmp, { force: true });
      throw err;
    }
    if (current && current.dataFile !== sc.dataFile) this.#supersede(name, current.dataFile);
    await this.evict();
    return { sc, transferred: true };
  }

  async #touch(sc: Sidecar): Promise<Sidecar> {
    const now = this.#now();
    const next = { ...sc, lastCheckedAt: now, lastUsedAt: now };
    await writeSidecar(this.layout, next);
    return next;
  }

  /** The raw variant of a qcow2/vmdk/vhd(x) entry, converted once per generation of the original. */
  async #converted(orig: Sidecar, info: ImageInfo, req: ImageRequest): Promise<CachedImage> {
    const name = entryName(orig.url, 'raw');
    this.#lease(name);
    try {
      const { sc, hit } = await this.#share(name, async () => {
        const current = await readSidecar(this.layout, name);
        if (current && current.derivedFrom === orig.dataFile) return { sc: await this.#touch(current), transferred: false };
        await this.evict(info.virtualSize);
        const dataFile = this.layout.newDataFile(name);
        const dest = this.layout.data(dataFile);
        try {
          await convertToRaw(this.layout.data(orig.dataFile), dest, info.format);
          this.#stats.conversions++;
          // qemu-img wrote these bytes, so hashing them for the agent takes one read of the result.
          const { digest, size } = await sha256Of(dest);
          const now = this.#now();
          const sc: Sidecar = {
            version: 1, name, url: orig.url, dataFile, size, source: 'converted', fetchStartedAt: now, fetchedAt: now,
            lastModified: orig.lastModified, sourceMtimeMs: null, sourceSize: orig.size, digests: { sha256: digest },
            derivedFrom: orig.dataFile, format: 'raw', lastCheckedAt: now, lastUsedAt: now,
          };
          await writeSidecar(this.layout, sc);
          if (current) this.#supersede(name, current.dataFile);
          return { sc, transferred: true };
        } catch (err) {
          await rm(dest, { force: true });
          throw err;
        }
      });
      log.info('image cache: raw variant', { url: redactUrl(req.url), converted: !hit, from: info.format });
      return this.#handle(sc, 'raw', null, hit, () => this.#unlease(name));
    } catch (err) {
      this.#unlease(name);
      throw err;
    }
  }

  #lease(name: string): void {
    this.#leases.set(name, (this.#leases.get(name) ?? 0) + 1);
  }

  #unlease(name: string): void {
    const n = (this.#leases.get(name) ?? 1) - 1;
    if (n > 0) {
      this.#leases.set(name, n);
      return;
    }
    this.#leases.delete(name);
    for (const file of this.#superseded.get(name) ?? []) void unlink(this.layout.data(file)).catch(() => undefined);
    this.#superseded.delete(name);
  }

  #supersede(name: string, dataFile: string): void {
    if (this.#leases.has(name)) this.#superseded.set(name, [...(this.#superseded.get(name) ?? []), dataFile]);
    else void unlink(this.layout.data(dataFile)).catch(() => undefined);
  }
}
