// log.collect_system_logs: what one needs to debug a failed deploy — the agent's own recent log, the kernel
// log, the journal when there is one, network, disk and mount state, the inventory — as IPA sends it:
// base64 of a gzipped tar, `{"system_logs": "…"}`. Each piece passes the secret scrubber (the kernel
// command line may hold `ipa-agent-token=`). Written to a temp dir and packed with the `tar` library.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scrubText } from '../../common/secrets.js';
import type { Extension } from '../command-runner.js';
import { collectInventory } from '../hardware/inventory.js';
import type { AgentRuntime } from '../runtime.js';
import { runArgv } from './shell.js';

const COMMANDS: Readonly<Record<string, readonly string[]>> = {
  dmesg: ['dmesg'],
  journal: ['journalctl', '--no-pager', '-b', '-n', '20000'],
  'ip-addr': ['ip', 'addr'],
  'ip-route': ['ip', 'route'],
  lsblk: ['lsblk', '-a', '-o', '+UUID,PARTUUID,WWN,SERIAL,MODEL'],
  'lsblk-full': ['lsblk', '--all', '--bytes', '--output-all', '--pairs'],
  df: ['df', '-a'],
  mount: ['mount'],
  ps: ['ps', 'aux'],
};

export async function collectSystemLogs(rt: AgentRuntime): Promise<string> {
  const dir = await mkdtemp(join(rt.options.tmpDir ?? tmpdir(), 'anvil-agent-logs-'));
  try {
    const files: string[] = [];
    const put = async (name: string, content: string) => {
      await writeFile(join(dir, name), scrubText(content));
      files.push(name);
    };
    await put('anvil-agent.log', rt.logLines().join('\n') + '\n');
    for (const [name, [cmd, ...args]] of Object.entries(COMMANDS)) {
      const r = await runArgv(cmd!, args, 20_000);
      // A tool missing from the ramdisk is noted, not fatal.
      await put(`${name}.txt`, r.code === null ? `not available: ${r.stderr.trim()}\n` : r.stdout + (r.stderr ? `\n--- stderr ---\n${r.stderr}` : ''));
    }
    await put('inventory.json', JSON.stringify(await collectInventory(rt.options).catch((e: Error) => ({ error: e.message })), null, 2));
    const chunks: Buffer[] = [];
    // Loaded on use, as unixcrypt: an agent that never collects logs never holds the tar library.
    const stream = (await import('tar')).create({ gzip: true, cwd: dir, portable: true }, files);
    for await (const c of stream as AsyncIterable<Buffer>) chunks.push(Buffer.from(c));
    return Buffer.concat(chunks).toString('base64');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function logExtension(rt: AgentRuntime): Extension {
  return {
    collect_system_logs: { mode: 'sync', run: async () => ({ system_logs: await collectSystemLogs(rt) }) },
  };
}
