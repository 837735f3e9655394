// `npm run bench`: runs the workload groups against a private Anvil (default) or any Ironic-compatible
// endpoint (`--endpoint`), prints a Markdown table and exits non-zero if any request failed.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, release, type } from 'node:os';
import { parseBenchArgs, USAGE } from './args.js';
import type { BenchOptions } from './args.js';
import { ensureBuilt, startAnvil } from './anvil-server.js';
import type { RunningServer } from './anvil-server.js';
import { HttpClient } from './http-load.js';
import type { LoadResult } from './http-load.js';
import { compareTables, fmt, markdownTable, toRow } from './report.js';
import type { BenchReport, WorkloadRow } from './report.js';
import { GROUPS } from './workloads/index.js';
import type { WorkloadGroup } from './workloads/types.js';

const progress = (line: string): void => {
  process.stderr.write(`[bench] ${line}\n`);
};

function osName(): string {
  if (existsSync('/etc/os-release')) {
    const m = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(readFileSync('/etc/os-release', 'utf8'));
    if (m?.[1]) return `${m[1]} (${type()} ${release()})`;
  }
  return `${type()} ${release()}`;
}

function selectGroups(only: readonly string[]): readonly WorkloadGroup[] {
  if (only.length === 0) return GROUPS;
  const unknown = only.filter((n) => !GROUPS.some((g) => g.name === n));
  if (unknown.length) throw new Error(`unknown workload group(s): ${unknown.join(', ')}; known: ${GROUPS.map((g) => g.name).join(', ')}`);
  return GROUPS.filter((g) => only.includes(g.name));
}

function reportFailures(what: string, r: LoadResult): void {
  if (r.errors === 0) return;
  progress(`!!! ${what}: ${r.errors} of ${r.requests} requests failed; statuses ${JSON.stringify(r.statusCounts)}`);
  for (const s of r.errorSamples) progress(`!!!   ${s}`);
}

/** Fails fast (before any load) when the endpoint is down or rejects our microversion. */
async function preflight(client: HttpClient, opts: BenchOptions): Promise<void> {
  const res = await client.send({ method: 'GET', path: '/v1/nodes?limit=1' });
  if (res.status !== 200) {
    throw new Error(`GET /v1/nodes?limit=1 with API version ${opts.apiVersion} answered ${res.status}: ${res.body.slice(0, 300)}`);
  }
  // Warm-up: open every keep-alive connection and let a JIT-compiled server settle before we time anything.
  await Promise.all(Array.from({ length: opts.concurrency * 25 }, () => client.send({ method: 'GET', path: '/v1' })));
}

async function runGroups(opts: BenchOptions, endpoint: string, groups: readonly WorkloadGroup[]):
  Promise<{ rows: WorkloadRow[]; cleanupErrors: number }> {
  const client = new HttpClient(endpoint, { concurrency: opts.concurrency, apiVersion: opts.apiVersion });
  const rows: WorkloadRow[] = [];
  let cleanupErrors = 0;
  try {
    if (groups.some((g) => g.needsApi !== false)) await preflight(client, opts);
    const runId = randomBytes(3).toString('hex');
    progress(`run id ${runId}: ${opts.nodes} nodes, concurrency ${opts.concurrency}, API ${opts.apiVersion}`);
    for (const group of groups) {
      const prepared = group.prepare({ client, endpoint, apiVersion: opts.apiVersion, nodes: opts.nodes, provisionNodes: opts.provisionNodes, concurrency: opts.concurrency, runId, progress });
      try {
        for (const w of prepared.workloads) {
          progress(`${group.name}: ${w.name} ...`);
          const { result, note } = await w.run();
          const row = toRow(group.name, w.name, result, note);
          rows.push(row);
          progress(`${group.name}: ${w.name}: ${row.requests} requests, ${row.errors} errors, ${fmt(row.rps)} req/s, ` +
            `p50 ${fmt(row.p50Ms)} ms, p99 ${fmt(row.p99Ms)} ms, bench CPU ${fmt(row.clientCpuPct)}%${note ? `, ${note}` : ''}`);
          reportFailures(`${group.name}: ${w.name}`, result);
        }
      } finally {
        // A private Anvil's database is thrown away; an external server is shared, so leave it as we found it.
        if (opts.endpoint) {
          progress(`${group.name}: cleaning up ...`);
          const done = await prepared.cleanup();
          progress(`${group.name}: cleanup: ${done.requests} deletes in ${fmt(done.durationMs / 1000)} s`);
          reportFailures(`${group.name}: cleanup`, done);
          cleanupErrors += done.errors;
        }
      }
    }
  } finally {
    client.close();
  }
  return { rows, cleanupErrors };
}

async function main(): Promise<number> {
  let parsed: BenchOptions | 'help';
  try {
    parsed = parseBenchArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (parsed === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const opts = parsed;
  const [fileA, fileB] = opts.compare;
  if (fileA && fileB) {
    process.stdout.write(`${compareTables(fileA, fileB)}\n`);
    return 0;
  }

  const groups = selectGroups(opts.only);
  let server: RunningServer | undefined;
  let failed = true;
  try {
    if (!opts.endpoint && groups.some((g) => g.needsApi !== false)) {
      if (!opts.skipBuild) ensureBuilt(progress);
      server = await startAnvil(progress);
    }
    // Image-only runs have no API server; the client is then created but never used.
    const endpoint = opts.endpoint ?? server?.endpoint ?? 'http://127.0.0.1:9';
    const startedAt = new Date().toISOString();
    const { rows, cleanupErrors } = await runGroups(opts, endpoint, groups);
    const cpu = cpus();
    const report: BenchReport = {
      label: opts.label,
      endpoint: server || opts.endpoint ? endpoint : '(no API server: image workloads only)',
      startedAt,
      options: { nodes: opts.nodes, concurrency: opts.concurrency, apiVersion: opts.apiVersion },
      machine: { cpus: cpu.length, cpuModel: cpu[0]?.model ?? 'unknown', node: process.version, os: osName() },
      rows,
    };
    process.stdout.write(`${markdownTable(report)}\n`);
    if (opts.json) {
      writeFileSync(opts.json, `${JSON.stringify(report, null, 2)}\n`);
      progress(`wrote ${opts.json}`);
    }
    const errors = rows.reduce((n, r) => n + r.errors, 0) + cleanupErrors;
    failed = errors > 0;
    if (failed) progress(`FAILED: ${errors} request(s) did not get a 2xx answer (details above)`);
    return failed ? 1 : 0;
  } finally {
    if (server) {
      const problems = server.logProblems();
      if (problems.warn || problems.error) {
        progress(`anvil logged ${problems.error} error and ${problems.warn} warning line(s); first ones:`);
        for (const l of problems.samples) progress(`    ${l}`);
      }
      await server.stop(failed || problems.error > 0);
      if (failed || problems.error > 0) progress(`kept the server log for inspection: ${server.logFile}`);
    }
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    progress(`error: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(2);
  },
);
