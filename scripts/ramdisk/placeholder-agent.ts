// Stand-in for src/agent/main.ts while the agent is not in the tree: enough of the IPA start-up (read the
// kernel command line, look the machine up by its MAC) to prove that the ramdisk reaches lookup. build.sh
// uses it only when src/agent/main.ts does not exist.
import { readFileSync } from 'node:fs';

const cmdline = readFileSync('/proc/cmdline', 'utf8');
const arg = (name: string): string | undefined =>
  cmdline.split(/\s+/).find((w) => w.startsWith(`${name}=`))?.slice(name.length + 1);
const api = arg('ipa-api-url');
const mac = (arg('BOOTIF') ?? '').toLowerCase().replace(/-/g, ':').replace(/^01:(?=(..:){5}..$)/, '');

async function main(): Promise<void> {
  if (!api) throw new Error('no ipa-api-url= on the kernel command line');
  for (;;) {
    try {
      const res = await fetch(`${api}/v1/lookup?addresses=${encodeURIComponent(mac)}`);
      console.log(`ANVIL-AGENT lookup status=${res.status} body=${(await res.text()).slice(0, 200)}`);
      if (res.ok) return;
    } catch (err) {
      console.log(`ANVIL-AGENT lookup error ${(err as Error).message}`);
    }
    await new Promise((r) => setTimeout(r, 2000));
  }
}
await main();
await new Promise(() => undefined);
