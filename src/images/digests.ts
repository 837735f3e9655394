// Digests of image bytes: computed while they stream into the cache (the caller's algorithm through
// StreamVerifier, and always SHA-256 for the record), or — only for files qemu-img wrote — by reading once.
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { StreamVerifier, type ExpectedChecksum } from './checksum.js';
import type { ChunkObserver } from './file-sink.js';

/** Hashes as the bytes pass: the caller's algorithm (through StreamVerifier) and always SHA-256. */
export class Digests implements ChunkObserver {
  #verifier: StreamVerifier | null = null;
  #sha256: Hash | null = null;

  constructor(private readonly expected: ExpectedChecksum | null) {
    this.reset();
  }

  reset(): void {
    this.#verifier = this.expected ? new StreamVerifier(this.expected) : null;
    this.#sha256 = this.expected?.algorithm === 'sha256' ? null : createHash('sha256');
  }

  update(chunk: Buffer): void {
    this.#verifier?.update(chunk);
    this.#sha256?.update(chunk);
  }

  /** @throws ChecksumMismatchError naming algorithm, expected and actual digest. */
  finish(what: string): Record<string, string> {
    const out: Record<string, string> = {};
    if (this.#verifier) out[this.expected!.algorithm] = this.#verifier.verify(what);
    if (this.#sha256) out.sha256 = this.#sha256.digest('hex');
    return out;
  }
}

/** One full read: for files that did not stream through us (qemu-img's output). */
export async function sha256Of(path: string): Promise<{ digest: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { digest: hash.digest('hex'), size };
}
