// `node --import tsx bench/fleet-start.ts --nodes 10000`: start-up time and memory of Anvil holding a fleet.
// Enrols the nodes once into a SQLite file (through a server, as a client would), then starts `anvil serve` on
// that file several times: time from spawn until GET /v1 answers (polled every 100 ms, so ±0.1 s), RSS once
// started, and RSS after a full detailed list (every page) has filled the view cache, as a controller or
// `baremetal node list --long` would right after a restart.
//
//   node --import tsx bench/fleet-start.ts --nodes 10000 --seeded /tmp/fleet-10k.db     # keep/reuse the seeded file
//   node --import tsx bench/fleet-start.ts --seeded /tmp/fleet-10k.db --wait 5          # first walk 5 s after start
//   node --import tsx bench/fleet-start.ts --seeded /tmp/fleet-10k.db --starts 1 --cpu-prof /tmp/prof
//   node --import tsx bench/fleet-start.ts --seeded /tmp/fleet-10k.db --starts 1 --polling 30 --node-arg=--trace-gc
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { startAnvil } from './anvil-server.js';
import { HttpClient, runLoad } from './http-load.js';
import { processRssBytes } from './proc-cpu.js';
import { pollingMix, walkList } from './raw-readers.js';
import { percentile } from './stats.js';

const HEADERS = { 'Accept': 'application/json', 'X-OpenStack-Ironic-API-Version': '1.78' };
const MiB = (b: number) => (b / 2 ** 20).toFixed(0);

/** Enrols `count` nodes into a fresh SQLite file through a server, as a client would. */
async function seed(file: string, count: number, say: (l: string) => void): Promise<void> {
  const seeder = await startAnvil(say, { databaseUrl: `sqlite://${file}` });
  try {
    const client = new HttpClient(seeder.endpoint, { concurrency: 8, apiVersion: '1.78' });
    const r = await runLoad(client, {
      count, concurrency: 8,
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
}

/** The UUIDs of the first 1,000 nodes (the pollers' nodes), from one summary page. */
async function nodeUuids(endpoint: string): Promise<string[]> {
  const res = await fetch(`${endpoint}/v1/nodes?limit=1000&fields=uuid`, { headers: HEADERS });
  if (!res.ok) throw new Error(`listing the pollers' nodes answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
  const body = (await res.json()) as { nodes: { uuid: string }[] };
  return body.nodes.map((n) => n.uuid);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: {
    nodes: { type: 'string', default: '10000' },
    starts: { type: 'string', default: '3' },
    // A seeded file to reuse; seeded there and kept when it does not exist yet (10,000 enrolments take minutes).
    seeded: { type: 'string' },
    // Seconds between "answering" and the first walk (a controller's first poll a little after a restart).
    wait: { type: 'string', default: '0' },
    // Run the servers under `node --cpu-prof`, writing the profiles into this directory.
    'cpu-prof': { type: 'string' },
    // After the walks, the api group's polling mix for this many seconds (100 pollers + a full list every 10 s).
    polling: { type: 'string', default: '0' },
    // More flags for the server's node, e.g. --node-arg=--trace-gc (its output goes to the server's log).
    'node-arg': { type: 'string', multiple: true, default: [] },
  } });
  const say = (l: string) => process.stderr.write(`[fleet-start] ${l}\n`);
  const dir = mkdtempSync(join(tmpdir(), 'anvil-fleet-'));
  try {
    const seeded = values.seeded ?? join(dir, 'seeded.db');
    if (!existsSync(seeded)) await seed(seeded, Number(values.nodes), say);
    const lines: string[] = [];
    for (let i = 0; i < Number(values.starts); i++) {
      const file = join(dir, `start-${i}.db`);
      copyFileSync(seeded, file);
      const prof = values['cpu-prof'];
      const t0 = performance.now();
      const server = await startAnvil(say, { databaseUrl: `sqlite://${file}`, nodeArgs: [...(prof ? ['--cpu-prof', `--cpu-prof-dir=${prof}`] : []), ...values['node-arg']] });
      const startMs = performance.now() - t0;
      try {
        const rssStarted = processRssBytes(server.pid);
        await sleep(Number(values.wait) * 1000);
        const rssWaited = processRssBytes(server.pid);
        const agent = new Agent({ keepAlive: true, maxSockets: 1 });
        const walks = [];
        for (let w = 0; w < 3; w++) walks.push(await walkList(agent, `${server.endpoint}/v1/nodes?detail=True`, HEADERS));
        agent.destroy();
        let polled = '';
        if (Number(values.polling) > 0) {
          const uuids = await nodeUuids(server.endpoint);
          const r = await pollingMix(server.endpoint, uuids, HEADERS, { clients: 100, seconds: Number(values.polling), listEveryS: 10 });
          const gets = [...r.getMs].sort((a, b) => a - b);
          polled = `; polling mix ${values.polling} s: GET p50 ${percentile(gets, 50).toFixed(2)} ms, p99 ` +
            `${percentile(gets, 99).toFixed(1)} ms, max ${gets.at(-1)!.toFixed(0)} ms (${gets.length} GETs, ` +
            `${r.errors} errors), lists ${r.listMs.map((x) => x.toFixed(0)).join(', ')} ms`;
        }
        const line = `start ${i + 1}: answering after ${(startMs / 1000).toFixed(2)} s, RSS ${MiB(rssStarted)} MiB` +
          (Number(values.wait) ? `, ${MiB(rssWaited)} MiB ${values.wait} s later` : '') + '; ' +
          `after 3 full detailed lists (${walks[0]!.pages} pages, ${(walks[0]!.bytes / 1e6).toFixed(1)} MB each; ` +
          `${walks.map((x) => x.ms.toFixed(0)).join(', ')} ms) RSS ${MiB(processRssBytes(server.pid))} MiB${polled}`;
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
