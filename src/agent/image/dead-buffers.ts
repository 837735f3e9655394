// Every socket read hands the agent a freshly allocated 64 KiB buffer. V8 frees dead buffers only when its
// heap needs collecting or their total passes its external-memory limit (about 64 MiB), so an agent streaming
// an image would keep some 64 MiB of already-written chunks alive — most of its footprint in a ramdisk.
// A young-generation collection after each large write frees them as they die, for well under a millisecond.
// The collector is reached the way Node's own tools do (the gc extension switched on at run time).
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type Collector = (options?: { type?: 'minor' | 'major' }) => void;

let collector: Collector | null | undefined;

export function releaseDeadBuffers(): void {
  if (collector === undefined) {
    try {
      setFlagsFromString('--expose-gc');
      collector = runInNewContext('gc') as Collector;
    } catch {
      collector = null;
    }
  }
  collector?.({ type: 'minor' });
}
