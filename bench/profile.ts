// `node --import tsx bench/profile.ts`: where the API's time goes. Starts a private Anvil under
// `node --cpu-prof`, seeds nodes, runs the chosen wrk workloads against it, stops it (the profile is written at
// exit) and prints, per workload, the server's CPU time per request (from /proc, steadier than req/s on a
// shared machine) and for the whole run the functions with the most self time. The .cpuprofile file can be
// opened in Chrome's DevTools (Performance tab) for the call tree.
//
//   node --import tsx bench/profile.ts --nodes 1000 --seconds 8 show patch list
//   node --import tsx bench/profile.ts --no-profile --repeat 3 show     # CPU per request only, 3 runs
//   node --import tsx bench/profile.ts --instructions --root /tmp/before --root . show   # callgrind counts, two builds
import { spawnSync } from 'node:child_process';
import { copyFileSync, readdirSync, readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT, ensureBuilt, startAnvil } from './anvil-server.js';
import { HttpClient, runLoad } from './http-load.js';
import { processCpuMs, processRssBytes } from './proc-cpu.js';
import { runWrk, type WrkPlan } from './wrk.js';

const HEADERS = { 'Accept': 'application/json', 'Content-Type': 'application/json', 'X-OpenStack-Ironic-API-Version': '1.78' };

const nodeBody = (name: string, i: number) => ({
  name, driver: 'fake-hardware',
  driver_info: { ipmi_address: `192.0.2.${i % 250}`, ipmi_username: 'admin', ipmi_password: 'bench-secret' },
  properties: { cpus: 8, memory_mb: 32768, local_gb: 500, cpu_arch: 'x86_64' },
});

/** A wrk plan plus the same bodies in JavaScript, for the fixed-count sender of --instructions. */
type Plan = Omit<WrkPlan, 'endpoint' | 'headers' | 'durationS'> & { readonly body?: (n: number) => string };

/** The hot paths of issue 14, as wrk plans over the seeded nodes. */
function plans(uuids: readonly string[], runId: string): Record<string, Plan> {
  const each = (suffix = '') => uuids.map((u) => `/v1/nodes/${u}${suffix}`);
  const [before, after] = JSON.stringify(nodeBody('@@', 0)).split('"@@"') as [string, string];
  return {
    'create': {
      method: 'POST', paths: ['/v1/nodes'], connections: 8,
      luaBody: `${JSON.stringify(`${before}"prof-${runId}-`)} .. n .. ${JSON.stringify(`"${after}`)}`,
      body: (n) => `${before}"prof-${runId}-js${n}"${after}`,
    },
    'show': { method: 'GET', paths: each(), connections: 8 },
    'show-fields': { method: 'GET', paths: each('?fields=uuid,name,power_state,provision_state,maintenance'), connections: 8 },
    'patch': {
      method: 'PATCH', paths: each(), connections: 8,
      luaBody: `'[{"op":"add","path":"/extra/k","value":"v' .. n .. '"}]'`, body: (n) => `[{"op":"add","path":"/extra/k","value":"v${n}"}]`,
    },
    'list': { method: 'GET', paths: ['/v1/nodes?detail=True&limit=1000'], connections: 1 },
    'list-summary': { method: 'GET', paths: ['/v1/nodes?limit=1000'], connections: 1 },
    'list-fields': { method: 'GET', paths: ['/v1/nodes?fields=uuid,name,provision_state,power_state,last_error&limit=1000'], connections: 1 },
    // A controller's filtered, paginated poll: 100 per page, starting after some node.
    'list-filter': {
      method: 'GET', connections: 8,
      paths: uuids.filter((_, i) => i % 97 === 0).map((u) => `/v1/nodes?provision_state=enroll&driver=fake-hardware&maintenance=false&limit=100&marker=${u}&fields=uuid,provision_state`),
    },
  };
}

/** Sends `count` requests of `plan` one after the other on one keep-alive connection. @throws on a non-2xx */
async function sendSequential(endpoint: string, plan: Plan, count: number, from: number): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    for (let i = from; i < from + count; i++) {
      const path = plan.paths[i % plan.paths.length]!;
      const body = plan.body?.(i);
      const status = await new Promise<number>((resolve, reject) => {
        const req = request(endpoint + path, { method: plan.method, agent, headers: HEADERS }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
          res.on('error', reject);
        });
        req.on('error', reject);
        req.end(body);
      });
      if (status < 200 || status > 299) throw new Error(`${plan.method} ${path} answered ${status}`);
    }
  } finally {
    agent.destroy();
  }
}

/** callgrind_control on the server: instrumentation on/off, and a dump whose `totals:` line is the count. */
function callgrind(pid: number, ...args: string[]): void {
  const r = spawnSync('callgrind_control', [...args, String(pid)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`callgrind_control ${args.join(' ')} failed: ${r.stderr || r.stdout}`);
}

/** Instructions executed between two dumps: the `totals:` line of the newest dump file. */
function lastDumpTotal(dir: string): number {
  const dumps = readdirSync(dir).filter((f) => /^cg\.\d+\.\d+$/.test(f)).sort((a, b) => Number(a.split('.')[2]) - Number(b.split('.')[2]));
  const text = readFileSync(join(dir, dumps.at(-1)!), 'utf8');
  return Number(/^totals: (\d+)/m.exec(text)?.[1] ?? Number.NaN);
}

interface Sample { readonly fn: string; readonly where: string; selfMs: number }

/** Self time per function of a V8 .cpuprofile (nodes + samples + timeDeltas). */
export function selfTimes(file: string): { totalMs: number; rows: Sample[] } {
  const p = JSON.parse(readFileSync(file, 'utf8')) as {
    nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
    samples: number[]; timeDeltas: number[];
  };
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const agg = new Map<string, Sample>();
  let total = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const ms = (p.timeDeltas[i] ?? 0) / 1000;
    total += ms;
    const cf = byId.get(p.samples[i]!)!.callFrame;
    const where = cf.url ? `${cf.url.replace(/^file:\/\/.*?\/(node_modules|dist)\//, '$1/')}:${cf.lineNumber + 1}` : '';
    const key = `${cf.functionName}@${where}`;
    const s = agg.get(key) ?? { fn: cf.functionName || '(anonymous)', where, selfMs: 0 };
    s.selfMs += ms;
    agg.set(key, s);
  }
  return { totalMs: total, rows: [...agg.values()].sort((a, b) => b.selfMs - a.selfMs) };
}

/** Which layer a function belongs to: a package, Anvil's own code, Node's internals, or V8's own entries. */
function areaOf(s: Sample): string {
  if (s.fn.startsWith('(')) return s.fn;
  const m = /^node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(s.where);
  if (m) return m[1]!;
  if (s.where.startsWith('node:')) return 'node internals';
  if (s.where === '') return 'native (no script)';
  return 'anvil';
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      nodes: { type: 'string', default: '1000' },
      seconds: { type: 'string', default: '8' },
      repeat: { type: 'string', default: '1' },
      top: { type: 'string', default: '30' },
      'no-profile': { type: 'boolean', default: false },
      'skip-build': { type: 'boolean', default: false },
      'database-url': { type: 'string' },
      // Copies of earlier builds (bin/, dist/, a node_modules link) to run in turn with this one, in the same run.
      'root': { type: 'string', multiple: true },
      // Count instructions under valgrind --tool=callgrind instead (no wall time, no profile): --count requests
      // per workload after as many unmeasured ones, sent one after the other.
      'instructions': { type: 'boolean', default: false },
      'count': { type: 'string', default: '300' },
    },
  });
  const names = positionals.length ? positionals : ['show', 'patch', 'list'];
  const say = (l: string) => process.stderr.write(`[profile] ${l}\n`);
  if (!values['skip-build']) ensureBuilt(say);
  const roots = values.root?.length ? values.root : [REPO_ROOT];
  // The profiler changes timings a little; it runs only when one build is measured.
  const profile = !values['no-profile'] && !values.instructions && roots.length === 1;
  const count = Number(values.count);
  const profDir = mkdtempSync(join(tmpdir(), 'anvil-prof-'));
  const runId = Math.random().toString(36).slice(2, 8);
  // Seeding is not what is measured: with SQLite the nodes go into a file once, through a server without the
  // profiler, and every measured server opens its own copy of that file. PostgreSQL (--database-url) is
  // seeded once in place and shared by the measured servers.
  const pg = values['database-url'];
  const seededFile = join(profDir, 'seeded.db');
  const uuids: string[] = [];
  const seeder = await startAnvil(say, { databaseUrl: pg ?? `sqlite://${seededFile}`, root: roots[0] });
  try {
    const client = new HttpClient(seeder.endpoint, { concurrency: 8, apiVersion: '1.78' });
    const t0 = performance.now();
    await runLoad(client, {
      count: Number(values.nodes), concurrency: 8,
      makeRequest: (i) => ({ method: 'POST', path: '/v1/nodes', body: nodeBody(`prof-${runId}-s${i}`, i) }),
      onSuccess: (_i, res) => uuids.push((JSON.parse(res.body) as { uuid: string }).uuid),
    });
    client.close();
    say(`seeded ${uuids.length} nodes in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  } finally {
    await seeder.stop(false);
  }
  const all = plans(uuids, runId);
  for (const name of names) if (!all[name]) throw new Error(`unknown workload ${name}; known: ${Object.keys(all).join(', ')}`);
  const results = new Map<string, string[]>();
  for (let r = 0; r < Number(values.repeat); r++) {
    for (const [i, root] of roots.entries()) {
      const dbUrl = pg ?? `sqlite://${join(profDir, `run-${r}-${i}.db`)}`;
      if (!pg) copyFileSync(seededFile, join(profDir, `run-${r}-${i}.db`));
      const cgDir = mkdtempSync(join(profDir, 'cg-'));
      const server = await startAnvil(say, {
        nodeArgs: profile ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [], databaseUrl: dbUrl, root,
        ...(values.instructions ? {
          wrapper: ['valgrind', '--tool=callgrind', '--instr-atstart=no', '--smc-check=all-non-file', `--callgrind-out-file=${cgDir}/cg.%p`],
          readyTimeoutMs: 300_000,
        } : {}),
      });
      try {
        for (const name of names) {
          if (values.instructions) {
            // A page of 1,000 nodes costs ~50 GETs: a tenth as many of them.
            const n = name.startsWith('list') && name !== 'list-filter' ? Math.ceil(count / 10) : count;
            await sendSequential(server.endpoint, all[name]!, n, 0);
            callgrind(server.pid, '-i', 'on');
            await sendSequential(server.endpoint, all[name]!, n, n);
            callgrind(server.pid, '-i', 'off');
            callgrind(server.pid, '-d');
            const perRequest = lastDumpTotal(cgDir) / n;
            say(`[${root}] ${name}: ${(perRequest / 1e6).toFixed(3)} M instructions/request over ${n} requests`);
            const key = `${name} | ${root}`;
            results.set(key, [...(results.get(key) ?? []), `${(perRequest / 1e6).toFixed(3)} M instr`]);
            continue;
          }
          const plan = { ...all[name]!, endpoint: server.endpoint, headers: HEADERS };
          // JIT warm-up, not counted.
          await runWrk({ ...plan, durationS: 2 });
          const cpu0 = processCpuMs(server.pid);
          const res = await runWrk({ ...plan, durationS: Number(values.seconds) });
          const cpu = processCpuMs(server.pid) - cpu0;
          const us = (1000 * cpu) / res.requests;
          const line = `${name}: ${res.requests} requests, ${res.errors} errors, ${(res.requests / (res.durationMs / 1000)).toFixed(1)} req/s, ` +
            `p50 ${res.quantilesMs.p50.toFixed(2)} ms, p99 ${res.quantilesMs.p99.toFixed(2)} ms, server CPU ${us.toFixed(0)} µs/request ` +
            `(${(100 * cpu / res.durationMs).toFixed(0)}% of a core), RSS ${(processRssBytes(server.pid) / 2 ** 20).toFixed(0)} MiB`;
          say(`[${root}] ${line}`);
          const key = `${name} | ${root}`;
          results.set(key, [...(results.get(key) ?? []), `${us.toFixed(0)} µs (${(res.requests / (res.durationMs / 1000)).toFixed(0)}/s${res.errors ? `, ${res.errors} errors` : ''})`]);
        }
      } finally {
        await server.stop(false);
      }
    }
  }
  process.stdout.write(values.instructions ? `instructions per request (callgrind), ${uuids.length} nodes, ${count} requests per figure:\n`
    : `server CPU per request (req/s) per run, ${uuids.length} nodes, ${values.seconds} s per run:\n`);
  for (const [key, runs] of results) process.stdout.write(`${key}: ${runs.join(', ')}\n`);
  for (const f of readdirSync(profDir)) if (!f.endsWith('.cpuprofile')) rmSync(join(profDir, f), { recursive: true, force: true });
  if (!profile) {
    rmSync(profDir, { recursive: true, force: true });
    return;
  }
  const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no .cpuprofile written in ${profDir}`);
  const { totalMs, rows } = selfTimes(join(profDir, file));
  process.stdout.write(`\nprofile ${join(profDir, file)}: ${(totalMs / 1000).toFixed(1)} s sampled; self time:\n`);
  const byArea = new Map<string, number>();
  for (const r of rows) byArea.set(areaOf(r), (byArea.get(areaOf(r)) ?? 0) + r.selfMs);
  process.stdout.write(`by area: ${[...byArea].sort((a, b) => b[1] - a[1]).map(([a, ms]) => `${a} ${(100 * ms / totalMs).toFixed(1)}%`).join(', ')}\n`);
  for (const r of rows.slice(0, Number(values.top))) {
    process.stdout.write(`${(100 * r.selfMs / totalMs).toFixed(1).padStart(5)}%  ${r.selfMs.toFixed(0).padStart(6)} ms  ${r.fn}  ${r.where}\n`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
