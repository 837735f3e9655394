// Real loop devices over sparse files for the agent's disk tests (root only): attached with losetup, read
// back byte for byte, detached by the test's afterAll (and at process exit as a last resort).
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, readSync } from 'node:fs';

const attached = new Set<string>();
process.once('exit', () => {
  for (const d of attached) {
    try { execFileSync('losetup', ['-d', d]); } catch { /* already gone */ }
  }
});

export function attachLoop(file: string, sizeBytes: number): string {
  execFileSync('truncate', ['-s', String(sizeBytes), file]);
  const dev = execFileSync('losetup', ['-f', '--show', file], { encoding: 'utf8' }).trim();
  if (!/^\/dev\/loop\d+$/.test(dev)) throw new Error(`losetup gave ${dev}`);
  attached.add(dev);
  return dev;
}

export function detachLoop(dev: string): void {
  if (!attached.delete(dev)) return;
  execFileSync('losetup', ['-d', dev]);
}

/** `length` bytes of the device (or file) from `offset`. */
export function readBytes(path: string, offset: number, length: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(length);
    const n = readSync(fd, buf, 0, length, offset);
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}
