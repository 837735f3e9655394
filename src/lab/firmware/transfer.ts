// File transfers of the firmware, from inside the machine's namespace: TFTP and HTTP(S) with curl, the
// protocols a boot ROM and its loaders speak.
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from '../host.js';
import type { Fetcher } from './boot-target.js';

let seq = 0;

export function netnsFetcher(netns: string, workDir: string): Fetcher {
  return async (url: string) => {
    if (!/^(tftp|https?):\/\//.test(url)) throw new Error(`cannot fetch ${url}: the firmware speaks tftp and http only`);
    const file = join(workDir, `fetch-${process.pid}-${seq++}`);
    try {
      await run('ip', ['netns', 'exec', netns, 'curl', '-sS', '--fail', '--max-time', '120', '--connect-timeout', '10',
        ...(url.startsWith('https') ? ['--insecure'] : []), '-o', file, url], { timeoutMs: 130_000 });
      return await readFile(file);
    } finally {
      await rm(file, { force: true });
    }
  };
}
