// The deploy ramdisk for tests: runs the project's build (scripts/ramdisk/build.sh, cached by inputs under
// ANVIL_RAMDISK_CACHE or ~/.cache/anvil/ramdisk, so only the first run on a machine pays the ~90 s build).
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const SCRIPT = resolve(fileURLToPath(new URL('../../scripts/ramdisk/build.sh', import.meta.url)));

export interface DeployRamdisk {
  readonly kernel: string;
  readonly initramfs: string;
  /** The build's progress lines (says "cached build" when nothing was rebuilt). */
  readonly log: string;
}

export function buildDeployRamdisk(outDir: string): Promise<DeployRamdisk> {
  return new Promise((resolvePromise, reject) => {
    execFile('bash', [SCRIPT, '--out', outDir], { maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`ramdisk build failed: ${err.message}\n${stderr}`));
      const [kernel, initramfs] = stdout.trim().split('\n');
      resolvePromise({ kernel: kernel!, initramfs: initramfs!, log: stderr });
    });
  });
}
