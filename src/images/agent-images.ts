// What a deploy agent is told about its image, and the conductor's image machinery behind it: with download
// source `http` the agent fetches an http(s) image from its origin itself (Ironic's default); with `local`
// — and always for file:// images, which the agent cannot read — the conductor caches the image, links it
// for the node and hands out a signed, expiring URL on its own image server.
import type { Config } from '../common/config.js';
import { ConfigError, SETTINGS } from '../common/config.js';
import { InvalidParameterValueError } from '../common/errors.js';
import { cacheRoot } from './cache-store.js';
import { ImageCache, type ImageRequest } from './cache.js';
import { checksumPolicy, type ExpectedChecksum } from './checksum.js';
import { downloadSettings, type DownloadSettings } from './download.js';
import type { DiskFormat } from './format.js';
import { parseImageSource } from './image-source.js';
import type { DownloadProgress, ProgressListener } from './progress.js';
import type { TlsFiles } from '../common/tls-files.js';
import { ImageServer } from './serve.js';

/** The values of setting imageDownloadSource, which a node's `image_download_source` may also take. */
const SOURCES = SETTINGS.imageDownloadSource.oneOf;
export type DownloadSource = (typeof SOURCES)[number];

export interface ConductorImages {
  readonly cache: ImageCache;
  readonly server: ImageServer;
  /** Setting imageDownloadSource; a node may override it. */
  readonly defaultSource: DownloadSource;
  close(): Promise<void>;
}

/** Opens the cache (cleaning up after a crash) and starts the image server; called once by startService. */
export async function openConductorImages(config: Config, tls: TlsFiles | null = null): Promise<ConductorImages> {
  // Allowed values and ranges of the image settings are checked at start by the settings schema (config.ts).
  const defaultSource = config.imageDownloadSource as DownloadSource;
  let download: DownloadSettings;
  try {
    download = downloadSettings(config);
  } catch (err) {
    throw new ConfigError(`imageCaBundle ${config.imageCaBundle} cannot be read: ${(err as Error).message}`, { cause: err });
  }
  const cache = await ImageCache.open({
    root: cacheRoot(config), maxBytes: config.imageCacheMaxBytes, ttlS: config.imageCacheTtl,
    download, fileRoots: config, checksumPolicy: checksumPolicy(config),
    maxVirtualSize: config.maxImageVirtualSize, forceRaw: config.forceRawImages,
  });
  let server: ImageServer;
  try {
    server = await ImageServer.start({
      layout: cache.layout, host: config.imageServeHost || config.host, port: config.imageServePort,
      baseUrl: config.imageServeBaseUrl, key: config.imageServeKey, urlTtlS: config.imageServeUrlTtl, tls,
    });
  } catch (err) {
    await cache.close();
    throw err;
  }
  return {
    cache, server, defaultSource,
    async close() {
      await server.close();
      await cache.close();
    },
  };
}

export interface NodeImageView {
  readonly uuid: string;
  readonly driverInfo: Readonly<Record<string, unknown>>;
  readonly instanceInfo: Readonly<Record<string, unknown>>;
}

/** instance_info wins over driver_info, which wins over the setting (Ironic's order). */
export function downloadSourceFor(node: NodeImageView, defaultSource: DownloadSource): DownloadSource {
  const value = node.instanceInfo.image_download_source ?? node.driverInfo.image_download_source ?? defaultSource;
  if (!SOURCES.includes(value as DownloadSource)) {
    throw new InvalidParameterValueError(`image_download_source must be one of ${SOURCES.join(', ')}, got ${JSON.stringify(value)}`);
  }
  return value as DownloadSource;
}

export interface AgentImage {
  readonly url: string;
  readonly source: DownloadSource;
  /** What the agent verifies the downloaded bytes against; null when the user gave no checksum (http source). */
  readonly checksum: ExpectedChecksum | null;
  /** Known for locally served images: the detected format (raw after conversion) and the size. */
  readonly format?: DiskFormat;
  readonly size?: number;
}

/**
 * The URL (and checksum) the node's agent should download its image from. For a local source this waits
 * until the image is cached (downloading it, once for all nodes asking at the same time) and linked for the
 * node; `image.onProgress` then sees the transfer.
 * @throws what ImageCache.acquire throws
 */
export async function agentImageUrl(images: ConductorImages, node: NodeImageView, image: ImageRequest): Promise<AgentImage> {
  const parsed = parseImageSource(image.url, 'image_source');
  const source = parsed.kind === 'file' ? 'local' : downloadSourceFor(node, images.defaultSource);
  if (source === 'http') {
    return { url: image.url, source, checksum: await images.cache.expectedChecksum(image.checksum, image.url) };
  }
  const cached = await images.cache.acquire(image);
  try {
    await images.cache.linkForNode(node.uuid, cached);
    return { url: images.server.signedUrl(node.uuid, cached.name), source, checksum: cached.checksum, format: cached.format, size: cached.size };
  } finally {
    // The node's link keeps the image in use from here on; release it with cache.releaseNode().
    cached.release();
  }
}

/** `driver_internal_info.image_download_progress` as the API shows it. */
export interface RecordedProgress {
  readonly bytes_done: number;
  readonly total_bytes: number | null;
  readonly percent: number | null;
  readonly updated_at: string;
}

/**
 * A progress listener for ImageRequest.onProgress that hands the figures to `save` (the conductor writes
 * them on the node) at most every `intervalMs`, never two saves at once, and always the final figure.
 */
export function progressRecorder(save: (progress: RecordedProgress) => Promise<unknown>, intervalMs = 5000): ProgressListener {
  let last = 0;
  let saving: Promise<unknown> | null = null;
  let pending: DownloadProgress | null = null;
  const write = (p: DownloadProgress): void => {
    last = Date.now();
    const percent = p.totalBytes ? Math.floor((100 * p.bytesDone) / p.totalBytes) : null;
    saving = save({ bytes_done: p.bytesDone, total_bytes: p.totalBytes, percent, updated_at: new Date(last).toISOString() })
      .catch(() => undefined)
      .finally(() => {
        saving = null;
        const next = pending;
        pending = null;
        if (next) write(next);
      });
  };
  return (p) => {
    const final = p.totalBytes !== null && p.bytesDone >= p.totalBytes;
    if (!final && Date.now() - last < intervalMs) return;
    if (saving) pending = p;
    else write(p);
  };
}
