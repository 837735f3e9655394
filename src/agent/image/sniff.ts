// The first bytes of an image whose format nobody declared: enough (64 KiB) for format inspection to tell a
// container (qcow2, vmdk, …) that must be converted from data that can stream straight onto the disk. Read
// with a plain GET that is dropped once the head has arrived, so origins without Range support work too.
import { FetchError, openDownload, type FetchSettings } from './fetch.js';

export const HEAD_BYTES = 64 * 1024;

/** @throws FetchError when no URL answered. */
export async function readImageHead(urls: readonly string[], fetch: FetchSettings): Promise<Buffer> {
  let last: Error | null = null;
  for (const url of urls) {
    try {
      const dl = await openDownload(url, fetch, 0);
      const parts: Buffer[] = [];
      let size = 0;
      try {
        for await (const chunk of dl.res as AsyncIterable<Buffer>) {
          parts.push(chunk);
          size += chunk.length;
          if (size >= HEAD_BYTES) break;
        }
      } finally {
        dl.res.destroy();
      }
      return Buffer.concat(parts).subarray(0, HEAD_BYTES);
    } catch (err) {
      last = err as Error;
    }
  }
  throw last instanceof FetchError ? last : new FetchError(last?.message ?? 'no URL to download from', false);
}
