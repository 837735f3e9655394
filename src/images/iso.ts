// Runs Debian's genisoimage for the ISO images the conductor makes (config drives, virtual-media boot ISOs),
// with one way of reporting a missing tool or a failed build.
import { execFile } from 'node:child_process';

/** @param what names the image in the error, e.g. "the config drive". */
export function genisoimage(args: readonly string[], what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('genisoimage', args, { timeout: 120_000 }, (err, _out, stderr) => {
      if (!err) return resolve();
      const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
      reject(new Error(missing ? 'genisoimage is not installed (Debian package genisoimage)'
        : `genisoimage could not build ${what}: ${(stderr || err.message).trim().split('\n').slice(-2).join(' ')}`));
    });
  });
}
