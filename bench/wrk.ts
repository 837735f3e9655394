// wrk (Debian package `wrk`) as the load generator for the API workloads: a C client with keep-alive
// connections that stays far below the server's CPU use, where a Node client saturates first. Each run gets a
// generated Lua script (method, headers, body or path per request from a counter, so every request can name
// another node) whose done() hook prints the figures as one JSON line.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LoadResult } from './http-load.js';

export interface WrkPlan {
  /** Base URL, e.g. http://127.0.0.1:6385 */
  readonly endpoint: string;
  readonly method: 'GET' | 'POST' | 'PATCH';
  readonly headers: Readonly<Record<string, string>>;
  /** Paths taken in turn (round robin per connection); one entry for a fixed path. */
  readonly paths: readonly string[];
  /** Lua expression of the body for request number `n` (a per-thread counter; one thread runs); none for GET. */
  readonly luaBody?: string;
  readonly connections: number;
  readonly durationS: number;
}

/** Figures of a wrk run: throughput from wrk itself, latency percentiles from its histogram. */
export interface WrkResult extends LoadResult {
  readonly quantilesMs: { readonly p50: number; readonly p99: number; readonly mean: number; readonly max: number };
}

const luaString = (s: string) => JSON.stringify(s);

function script(plan: WrkPlan): string {
  const headers = Object.entries(plan.headers).map(([k, v]) => `wrk.headers[${luaString(k)}] = ${luaString(v)}`).join('\n');
  return `
local paths = { ${plan.paths.map(luaString).join(', ')} }
local n = 0
local counter = 0
wrk.method = ${luaString(plan.method)}
${headers}
function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
end
function init(args)
  n = 0
end
function request()
  n = n + 1
  local path = paths[(n % #paths) + 1]
  ${plan.luaBody ? `return wrk.format(nil, path, nil, ${plan.luaBody})` : 'return wrk.format(nil, path)'}
end
function done(summary, latency, requests)
  local non2xx = summary.errors.status
  io.write(string.format('{"requests":%d,"durationUs":%d,"non2xx":%d,"connect":%d,"read":%d,"write":%d,"timeout":%d,' ..
    '"p50":%d,"p99":%d,"mean":%f,"max":%d,"bytes":%d}\\n',
    summary.requests, summary.duration, non2xx, summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.timeout, latency:percentile(50), latency:percentile(99), latency.mean, latency.max, summary.bytes))
end
`;
}

/** Runs wrk once (one thread: the machine has two cores and the server needs one). */
export async function runWrk(plan: WrkPlan): Promise<WrkResult> {
  const dir = mkdtempSync(join(tmpdir(), 'anvil-wrk-'));
  try {
    const file = join(dir, 'plan.lua');
    writeFileSync(file, script(plan));
    const args = ['-t1', `-c${plan.connections}`, `-d${plan.durationS}s`, '--timeout', '30s', '-s', file, plan.endpoint + (plan.paths[0] ?? '/')];
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      child.stdout.on('data', (c: Buffer) => { out += c.toString(); });
      child.stderr.on('data', (c: Buffer) => { err += c.toString(); });
      child.on('error', (e) => reject(new Error(`cannot run wrk (Debian package wrk, scripts/install-deps.sh --test): ${e.message}`)));
      child.on('close', (c) => resolve({ code: c, stdout: out, stderr: err }));
    });
    const line = stdout.split('\n').find((l) => l.startsWith('{"requests"'));
    if (code !== 0 || !line) throw new Error(`wrk failed (exit ${code}): ${stderr.slice(0, 500)} ${stdout.slice(-500)}`);
    const r = JSON.parse(line) as Record<string, number>;
    const socketErrors = r.connect! + r.read! + r.write! + r.timeout!;
    // A run in which nothing was answered is a failure too (every request still waiting at the end).
    const errors = r.non2xx! + socketErrors + (r.requests === 0 ? 1 : 0);
    return {
      requests: r.requests!,
      errors,
      durationMs: r.durationUs! / 1000,
      latenciesMs: [],
      statusCounts: { '2xx': r.requests! - r.non2xx!, 'non-2xx': r.non2xx!, 'socket errors': socketErrors },
      errorSamples: errors ? [`wrk: ${r.requests} answered, ${r.non2xx} non-2xx answers, ${socketErrors} socket errors (timeouts count here)`] : [],
      // wrk's own CPU is not measured from here; its share is small (C, one thread) next to the server's.
      clientCpuMs: Number.NaN,
      quantilesMs: { p50: r.p50! / 1000, p99: r.p99! / 1000, mean: r.mean! / 1000, max: r.max! / 1000 },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
