// Puts a cached image at a fixed path outside the cache (a node's kernel and ramdisk in the TFTP/HTTP boot
// roots): the cache decides freshness (Last-Modified / mtime), the destination gets a hard link to the
// cached bytes (a copy only across file systems), swapped in atomically so a loader never reads half a file.
import { copyFile, link, mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join, basename } from 'node:path';
import type { ImageCache } from './cache.js';

export async function placeCachedImage(cache: ImageCache, url: string, dest: string): Promise<void> {
  // Kernels and ramdisks are taken as they are: never converted, whatever forceRawImages says.
  const image = await cache.acquire({ url, raw: false });
  const tmp = join(dirname(dest), `.tmp-${basename(dest)}-${process.pid}-${Date.now()}`);
  try {
    await mkdir(dirname(dest), { recursive: true });
    await link(image.path, tmp).catch(async (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EXDEV') throw err;
      await copyFile(image.path, tmp);
    });
    await rename(tmp, dest);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  } finally {
    // The link holds the bytes from here on; the cache may evict its own copy later.
    image.release();
  }
}
