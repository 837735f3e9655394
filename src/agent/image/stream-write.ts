// Streams an image from its URL(s) onto a block device (or a temp file) in one pass: every byte is hashed
// as it arrives and copied into large aligned buffers (a ring of 2 MiB ones) that are written at their
// offsets while the next ones fill, so hashing, the network and the disk overlap; ONE fsync at the end. A
// dropped connection resumes with Range from the last byte hashed (the hash state is exactly the bytes received so far), or
// starts over when the origin ignores Range.
import { createHash, type Hash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { releaseDeadBuffers } from './dead-buffers.js';
import { FetchError, openDownload, redact, type FetchSettings } from './fetch.js';

/**
 * Four 2 MiB buffers: onto a loop device here as fast as two of 4 or 8 MiB, one of 8 MiB, or four of 4 MiB
 * (the stream is bound by the CPU it shares with hashing and the network, not by the writes), and the
 * smallest footprint: with the chunks received between two collections a streaming agent stays near 75 MiB
 * of RSS (two of 8 MiB: about 95).
 */
export const WRITE_BUFFER_BYTES = 2 * 2 ** 20;
export const WRITE_BUFFERS = 4;

export interface WriteProgress {
  readonly bytes_written: number;
  readonly total_bytes: number | null;
  readonly rate_bytes_per_s: number;
  readonly elapsed_s: number;
}

export interface StreamWriteOptions {
  readonly urls: readonly string[];
  readonly target: string;
  /** Node crypto algorithm to hash with (null: no hashing). */
  readonly algorithm: string | null;
  readonly fetch: FetchSettings;
  readonly onProgress?: (p: WriteProgress) => void;
  /** Attempts per URL on retryable errors (default 3) and the pause between them. */
  readonly attempts?: number;
  readonly retryDelayMs?: number;
  /** Refuse images larger than this (the device size). */
  readonly maxBytes?: number;
}

export interface StreamWriteResult {
  readonly bytes: number;
  /** Hex digest of exactly the bytes written, when an algorithm was given. */
  readonly digest: string | null;
  readonly seconds: number;
}

/** A ring of positional writes: `push` copies, each full buffer goes to the disk while the next ones fill. */
class AlignedWriter {
  readonly #bufs = Array.from({ length: WRITE_BUFFERS }, () => Buffer.allocUnsafeSlow(WRITE_BUFFER_BYTES));
  readonly #pending: (Promise<unknown> | null)[] = this.#bufs.map(() => null);
  #cur = 0;
  #fill = 0;
  /** Offset on the device of the current buffer's first byte. */
  #base = 0;

  constructor(private readonly fh: FileHandle) {}

  get position(): number {
    return this.#base + this.#fill;
  }

  /** Moves the write position (restart after an origin ignored Range); only between pushes. */
  async rewind(offset: number): Promise<void> {
    await this.drain();
    this.#base = offset;
    this.#fill = 0;
  }

  async push(chunk: Buffer): Promise<void> {
    let off = 0;
    while (off < chunk.length) {
      const buf = this.#bufs[this.#cur]!;
      const n = Math.min(chunk.length - off, buf.length - this.#fill);
      chunk.copy(buf, this.#fill, off, off + n);
      this.#fill += n;
      off += n;
      if (this.#fill === buf.length) await this.#flushCurrent();
    }
  }

  async #flushCurrent(): Promise<void> {
    const i = this.#cur;
    const len = this.#fill;
    const at = this.#base;
    const write = writeAll(this.fh, this.#bufs[i]!, len, at);
    // Observed later (next flush or drain); until then a failure must not count as unhandled.
    write.catch(() => undefined);
    this.#pending[i] = write;
    this.#cur = (i + 1) % this.#bufs.length;
    this.#base += len;
    this.#fill = 0;
    // The chunks copied into this buffer are garbage now.
    releaseDeadBuffers();
    // The buffer we fill next may still be on its way to the disk.
    await this.#pending[this.#cur];
    this.#pending[this.#cur] = null;
  }

  /** Writes what is buffered and waits for every write; no fsync. */
  async drain(): Promise<void> {
    if (this.#fill > 0) await this.#flushCurrent();
    await Promise.all(this.#pending);
    this.#pending.fill(null);
  }
}

async function writeAll(fh: FileHandle, buf: Buffer, len: number, at: number): Promise<void> {
  let done = 0;
  while (done < len) {
    const { bytesWritten } = await fh.write(buf, done, len - done, at + done);
    if (bytesWritten <= 0) throw new Error(`short write at offset ${at + done}`);
    done += bytesWritten;
  }
}

/**
 * Downloads onto `target` (opened for writing without truncation, so a block device keeps its size).
 * @throws FetchError when every URL failed; Error for write failures.
 */
export async function streamToTarget(o: StreamWriteOptions): Promise<StreamWriteResult> {
  const started = Date.now();
  const fh = await open(o.target, 'r+').catch(async (err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return open(o.target, 'w');
    throw err;
  });
  try {
    const writer = new AlignedWriter(fh);
    let hash: Hash | null = o.algorithm ? createHash(o.algorithm) : null;
    let lastErr: Error | null = null;
    let lastReport = 0;
    const report = (total: number | null, force = false) => {
      const now = Date.now();
      if (!o.onProgress || (!force && now - lastReport < 250)) return;
      lastReport = now;
      const elapsed = (now - started) / 1000;
      o.onProgress({ bytes_written: writer.position, total_bytes: total, rate_bytes_per_s: elapsed > 0 ? Math.round(writer.position / elapsed) : 0, elapsed_s: elapsed });
    };
    for (const url of o.urls) {
      const attempts = o.attempts ?? 3;
      for (let attempt = 1; attempt <= attempts; attempt++) {
        let total: number | null = null;
        try {
          const dl = await openDownload(url, o.fetch, writer.position);
          if (!dl.resumed && writer.position > 0) {
            // The origin sent the whole image again: start over, hash included.
            await writer.rewind(0);
            hash = o.algorithm ? createHash(o.algorithm) : null;
          }
          total = dl.total;
          if (o.maxBytes !== undefined && total !== null && total > o.maxBytes) {
            dl.res.destroy();
            throw new FetchError(`the image is ${total} bytes, larger than the ${o.maxBytes} bytes of ${o.target}`, false);
          }
          for await (const chunk of dl.res as AsyncIterable<Buffer>) {
            hash?.update(chunk);
            await writer.push(chunk);
            if (o.maxBytes !== undefined && writer.position > o.maxBytes) {
              dl.res.destroy();
              throw new FetchError(`the image is larger than the ${o.maxBytes} bytes of ${o.target}`, false);
            }
            report(total);
          }
          if (total !== null && writer.position !== total) throw new FetchError(`${redact(url)}: got ${writer.position} of ${total} bytes`, true);
          await writer.drain();
          // The one flush: nothing reaches the caller as written before it is on the medium.
          await fh.sync();
          report(total, true);
          return { bytes: writer.position, digest: hash ? hash.digest('hex') : null, seconds: (Date.now() - started) / 1000 };
        } catch (err) {
          lastErr = err as Error;
          const retryable = err instanceof FetchError ? err.retryable : (err as NodeJS.ErrnoException).code === 'ECONNRESET' || /aborted|socket hang up|terminated/i.test(String((err as Error).message));
          if (!(err instanceof FetchError) && !retryable) throw err;
          if (!retryable) break;
          if (attempt < attempts) await sleep(o.retryDelayMs ?? 2000);
        }
      }
    }
    throw lastErr instanceof FetchError ? lastErr : new FetchError(lastErr?.message ?? 'no URL to download from', false);
  } finally {
    await fh.close();
  }
}
