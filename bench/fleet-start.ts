// `node --import tsx bench/fleet-start.ts --nodes 10000`: start-up time and memory of Anvil holding a fleet.
// Enrols the nodes once into a SQLite file (through a server, as a client would), then starts `anvil serve` on
// that file several times: time from spawn until GET /v1 answers (polled every 100 ms, so ±0.1 s), RSS once
// started, and RSS after a full detailed list (every page) has filled the view cache, as a controller or
// `baremetal node list --long` would right after a restart.
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startAnvil } from './anvil-server.js';
import { HttpClient, runLoad } from './http-load.js';
import { processRssBytes } from './proc-cpu.js';
import { walkList } from './raw-readers.js';

const HEADERS = { 'Accept': 'application/json', 'X-OpenStack-Ironic-API-Version': '1.78' };
const MiB = (b: number) => (b / 2 ** 20).toFixed(0);

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { nodes: { type: 'string', default: '10000' }, starts: { type: 'string', default: '3' } } });
  const say = (l: string) => process.stderr.write(`[fleet-start] ${l}\n`);
  const dir = mkdtempSync(join(tmpdir(), 'anvil-fleet-'));
  try {
    const seeded = join(dir, 'seeded.db');
    const seeder = await startAnvil(say, { databaseUrl: `sqlite://${seeded}` });
    try {
      const client = new HttpClient(seeder.endpoint, { concurrency: 8, apiVersion: '1.78' });
      const r = await runLoad(client, {
        count: Number(values.nodes), concurrency: 8,
        makeRequest: (i) => ({ method: 'POST', path: '/v1/nodes', body: {
          name: `fleet-${i}`, driver: 'fake-hardware',
          driver_info: { ipmi_address: `192.0.2.${i % 250}`, ipmi_username: 'admin', ipmi_password: 'bench-secret' },
          properties: { cpus: 8, memory_mb: 32768, local_gb: 500, cpu_arch: 'x86_64' },
        } }),
      });
      client.close();
      if (r.errors) throw new Error(`${r.errors} enrolments failed`);
      say(`enrolled ${r.requests} nodes in ${(r.durationMs / 1000).toFixed(1)} s`);
    } finally {
      await seeder.stop(false);
    }
    const lines: string[] = [];
    for (let i = 0; i < Number(values.starts); i++) {
      const file = join(dir, `start-${i}.db`);
      copyFileSync(seeded, file);
      const t0 = performance.now();
      const server = await startAnvil(say, { databaseUrl: `sqlite://${file}` });
      const startMs = performance.now() - t0;
      try {
        const rssStarted = processRssBytes(server.pid);
        const agent = new Agent({ keepAlive: true, maxSockets: 1 });
        const walks = [];
        for (let w = 0; w < 3; w++) walks.push(await walkList(agent, `${server.endpoint}/v1/nodes?detail=True`, HEADERS));
        agent.destroy();
        const line = `start ${i + 1}: answering after ${(startMs / 1000).toFixed(2)} s, RSS ${MiB(rssStarted)} MiB; ` +
          `after 3 full detailed lists (${walks[0]!.pages} pages, ${(walks[0]!.bytes / 1e6).toFixed(1)} MB each; ` +
          `${walks.map((x) => x.ms.toFixed(0)).join(', ')} ms) RSS ${MiB(processRssBytes(server.pid))} MiB`;
        say(line);
        lines.push(line);
      } finally {
        await server.stop(false);
      }
    }
    process.stdout.write(`${values.nodes} nodes (SQLite):\n${lines.join('\n')}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
