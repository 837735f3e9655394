// The write end of every image transfer: a Writable that shows each chunk to an observer (the checksum
// hashers) and writes it at its own offset with positional writes. Up to MAX_INFLIGHT writes run in the
// thread pool at once, so hashing the next chunk on the main thread overlaps writing the previous one. Once
// the stream has settled without a failed write, the bytes hashed are exactly the bytes on disk — which is
// what lets a retry resume at `position` instead of starting over.
import type { FileHandle } from 'node:fs/promises';
import { Writable } from 'node:stream';

export interface ChunkObserver {
  /** A retry starts from byte 0 again: forget everything seen so far. */
  reset(): void;
  update(chunk: Buffer): void;
}

// Two is enough to keep the disk busy while the next chunk is hashed; more would only add buffered memory.
const MAX_INFLIGHT = 2;
// Batches of up to 1 MiB (sixteen socket reads) per writev: measured as fast as 4 MiB, with less held in memory.
const HIGH_WATER_MARK = 1 << 20;

export class FileSink extends Writable {
  readonly #fh: FileHandle;
  readonly #observer: ChunkObserver;
  readonly #onIssued: (position: number) => void;
  #issued: number;
  #inflight = 0;
  #failed: Error | null = null;
  #blocked: ((err?: Error | null) => void) | null = null;
  #idle: (() => void)[] = [];

  constructor(fh: FileHandle, start: number, observer: ChunkObserver, onIssued: (position: number) => void = () => undefined) {
    super({ highWaterMark: HIGH_WATER_MARK });
    this.#fh = fh;
    this.#observer = observer;
    this.#onIssued = onIssued;
    this.#issued = start;
  }

  /** Bytes hashed and written, counted from the start of the file; null when a write failed (no resume). */
  get position(): number | null {
    return this.#failed ? null : this.#issued;
  }

  /** Resolves when no write is in flight any more (after an error too). */
  settled(): Promise<void> {
    if (this.#inflight === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.#submit([chunk], cb);
  }

  override _writev(chunks: { chunk: Buffer }[], cb: (err?: Error | null) => void): void {
    this.#submit(chunks.map((c) => c.chunk), cb);
  }

  override _final(cb: (err?: Error | null) => void): void {
    void this.settled().then(() => cb(this.#failed));
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    // Let the writes already in the thread pool land, so `position` describes the file when we return.
    void this.settled().then(() => cb(err));
  }

  #submit(bufs: Buffer[], cb: (err?: Error | null) => void): void {
    if (this.#failed) {
      cb(this.#failed);
      return;
    }
    let length = 0;
    for (const b of bufs) {
      this.#observer.update(b);
      length += b.length;
    }
    const at = this.#issued;
    this.#issued += length;
    this.#onIssued(this.#issued);
    this.#inflight++;
    writeAll(this.#fh, bufs, at)
      .catch((err: Error) => {
        this.#failed ??= err;
      })
      .finally(() => {
        this.#inflight--;
        const blocked = this.#blocked;
        this.#blocked = null;
        blocked?.(this.#failed);
        if (this.#inflight === 0) for (const resolve of this.#idle.splice(0)) resolve();
      });
    // Accept the next batch at once while there is room in flight; otherwise when a write completes.
    if (this.#inflight < MAX_INFLIGHT) cb();
    else this.#blocked = cb;
  }
}

/** Positional writev that carries on after a short write (they are legal, if rare, on regular files). */
async function writeAll(fh: FileHandle, bufs: Buffer[], position: number): Promise<void> {
  let rest = bufs;
  let at = position;
  while (rest.length > 0) {
    const { bytesWritten } = await fh.writev(rest, at);
    if (bytesWritten <= 0) throw new Error(`short write at offset ${at}`);
    at += bytesWritten;
    let skip = bytesWritten;
    const next: Buffer[] = [];
    for (const b of rest) {
      if (skip >= b.length) skip -= b.length;
      else {
        next.push(skip > 0 ? b.subarray(skip) : b);
        skip = 0;
      }
    }
    rest = next;
  }
}
