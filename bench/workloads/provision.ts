// The `provision` group: a fleet roll-out. N fake-hardware nodes are enrolled, then ALL of them are driven at
// once through manage → provide → deploy, as a tool rolling out a rack would: each verb is sent to every
// node with bounded client concurrency, the conductor accepts it (202) and works the nodes off in the
// background, and the client polls the node list until every node sits in the phase's stable state.
// Fake hardware only, so the figures measure the conductor's state machine, locking, background work and
// database — the same requests (API 1.78) work against Ironic, which is what makes the ratio meaningful.
import { performance } from 'node:perf_hooks';
import type { HttpClient, HttpResponse, LoadResult, RequestSpec } from '../http-load.js';
import { runLoad } from '../http-load.js';
import { fmt } from '../report.js';
import { summarize } from '../stats.js';
import type { BenchContext, PreparedGroup, WorkloadGroup, WorkloadOutcome } from './types.js';

const DEFAULT_NODES = 1000;
/** Page size of the polls: Ironic's default `max_limit`, so 1,000 nodes are one request on either server. */
const PAGE = 1000;
/** Pause between polls: fine enough to time phases of a few seconds, light enough not to be the load. */
const POLL_INTERVAL_MS = 100;
/** A phase in which no node changes state and no verb is accepted for this long has stuck nodes. */
const STALL_MS = 120_000;
/** A held node lock (409 NodeLocked) or busy conductor (503) is retried after this pause, at most MAX_RETRIES times. */
const RETRY_SLEEP_MS = 100;
const MAX_RETRIES = 600;
const MAX_SAMPLES = 5;

/** States a node never leaves by itself: landing in one ends the node's run. */
const FAILURE_STATES: ReadonlySet<string> = new Set(['error', 'deploy failed', 'clean failed', 'inspect failed',
  'adopt failed', 'rescue failed', 'unrescue failed', 'service failed']);

interface Phase {
  readonly name: string;
  /** `target` of PUT /v1/nodes/{n}/states/provision. */
  readonly verb: 'manage' | 'provide' | 'active';
  /** Stable state every node must reach. */
  readonly expect: string;
}

const PHASES: readonly Phase[] = [
  { name: 'manage → manageable', verb: 'manage', expect: 'manageable' },
  { name: 'provide → available', verb: 'provide', expect: 'available' },
  { name: 'deploy → active', verb: 'active', expect: 'active' },
];

interface NodeState {
  readonly uuid: string;
  readonly provision_state: string;
  readonly target_provision_state: string | null;
  readonly last_error: string | null;
}

/** HTTP bookkeeping of one phase (or of the cleanup). */
class Traffic {
  verbs = 0;
  polls = 0;
  lockedRetries = 0;
  busyRetries = 0;
  readonly verbLatenciesMs: number[] = [];
  readonly statusCounts: Record<string, number> = {};
  readonly samples: string[] = [];

  count(method: string, status: number): void {
    const key = `${method} ${status}`;
    this.statusCounts[key] = (this.statusCounts[key] ?? 0) + 1;
  }

  sample(line: string): void {
    if (this.samples.length < MAX_SAMPLES) this.samples.push(line);
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs `fn` over `items` with at most `limit` in flight. */
async function pool<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}

/**
 * Sends `spec`, retrying a held node lock and a busy conductor: both say "later", not "no", and a real
 * client retries them too. Every attempt counts as a request; the retries are also counted on their own.
 */
async function sendRetrying(client: HttpClient, spec: RequestSpec, traffic: Traffic): Promise<HttpResponse> {
  for (let attempt = 0; ; attempt++) {
    const res = await client.send(spec);
    traffic.verbs++;
    traffic.verbLatenciesMs.push(res.ms);
    traffic.count(spec.method, res.status);
    const locked = res.status === 409 && /locked/i.test(res.body);
    if ((!locked && res.status !== 503) || attempt >= MAX_RETRIES) return res;
    if (locked) traffic.lockedRetries++;
    else traffic.busyRetries++;
    await sleep(RETRY_SLEEP_MS);
  }
}

/** `next` links are absolute; the client wants the path below its endpoint (which may carry a prefix). */
function pathOf(next: string): string {
  const url = new URL(next);
  const at = url.pathname.indexOf('/v1/');
  return (at >= 0 ? url.pathname.slice(at) : url.pathname) + url.search;
}

/** Every node the endpoint has (following `next`), by UUID; null when a page could not be read. */
async function snapshot(client: HttpClient, traffic: Traffic): Promise<Map<string, NodeState> | null> {
  const out = new Map<string, NodeState>();
  let path: string | undefined = `/v1/nodes?fields=uuid,provision_state,target_provision_state,last_error&limit=${PAGE}`;
  while (path) {
    const res = await client.send({ method: 'GET', path });
    traffic.polls++;
    traffic.count('GET', res.status);
    if (res.status !== 200) {
      traffic.sample(`GET ${path} -> ${res.status} ${res.body.slice(0, 300)}`);
      return null;
    }
    const page = JSON.parse(res.body) as { nodes?: NodeState[]; next?: string };
    const nodes = page.nodes ?? [];
    for (const n of nodes) out.set(n.uuid, n);
    // An empty page with a `next` link would loop forever.
    path = page.next && nodes.length > 0 ? pathOf(page.next) : undefined;
  }
  return out;
}

interface PhaseOutcome {
  /** UUID -> performance.now() when the node was first seen in the expected state. */
  readonly done: Map<string, number>;
  readonly failed: Map<string, string>;
  readonly stuck: readonly string[];
  readonly startedAt: number;
  readonly endedAt: number;
  /** When the last verb request was answered. */
  readonly issuedAt: number;
  readonly traffic: Traffic;
  readonly cpuMs: number;
}

async function runPhase(ctx: BenchContext, uuids: readonly string[], phase: Phase): Promise<PhaseOutcome> {
  const { client } = ctx;
  const traffic = new Traffic();
  const done = new Map<string, number>();
  const failed = new Map<string, string>();
  const acceptedAt = new Map<string, number>();
  const pending = new Set(uuids);
  const lastSeen = new Map<string, string>();
  const startedAt = performance.now();
  const cpuBefore = process.cpuUsage();
  let lastMove = startedAt;
  let issuedAt = startedAt;
  let issuing = true;

  const issue = pool(uuids, ctx.concurrency, async (uuid) => {
    const spec: RequestSpec = { method: 'PUT', path: `/v1/nodes/${uuid}/states/provision`, body: { target: phase.verb } };
    const res = await sendRetrying(client, spec, traffic);
    lastMove = performance.now();
    if (res.status === 202) {
      acceptedAt.set(uuid, lastMove);
    } else if (pending.delete(uuid)) {
      failed.set(uuid, `PUT ${phase.verb} answered ${res.status}: ${res.body.slice(0, 300)}`);
    }
  }).finally(() => {
    issuing = false;
    issuedAt = performance.now();
  });

  let stuck: string[] = [];
  for (;;) {
    const roundStart = performance.now();
    const snap = await snapshot(client, traffic);
    const now = performance.now();
    for (const uuid of snap ? [...pending] : []) {
      const n = snap!.get(uuid);
      if (!n) {
        pending.delete(uuid);
        failed.set(uuid, 'vanished from the node list');
        continue;
      }
      const seen = `${n.provision_state}/${n.target_provision_state ?? ''}`;
      if (lastSeen.get(uuid) !== seen) lastMove = now;
      lastSeen.set(uuid, seen);
      if (n.provision_state === phase.expect && !n.target_provision_state) {
        pending.delete(uuid);
        done.set(uuid, now);
        continue;
      }
      // Only a list read entirely after the verb was accepted can tell a failure from "not started yet";
      // a failed verification goes back to `enroll` with last_error set, not to a *failed state.
      const judged = (acceptedAt.get(uuid) ?? Infinity) < roundStart;
      if (FAILURE_STATES.has(n.provision_state) || (judged && !n.target_provision_state && n.last_error)) {
        pending.delete(uuid);
        failed.set(uuid, `landed in ${n.provision_state}: ${n.last_error ?? '(no last_error)'}`);
      }
    }
    if (!issuing && pending.size === 0) break;
    if (now - lastMove > STALL_MS) {
      stuck = [...pending];
      break;
    }
    await sleep(Math.max(0, POLL_INTERVAL_MS - (performance.now() - roundStart)));
  }
  await issue;
  const cpu = process.cpuUsage(cpuBefore);
  const endedAt = done.size ? Math.max(...done.values()) : performance.now();
  return { done, failed, stuck, startedAt, endedAt, issuedAt, traffic, cpuMs: (cpu.user + cpu.system) / 1000 };
}

/** One row per phase: "requests" are nodes, latencies are each node's time to the stable state. */
function phaseRow(n: number, phase: Phase, o: PhaseOutcome): WorkloadOutcome {
  const t = o.traffic;
  const problems = [
    ...[...o.failed].map(([u, why]) => `node ${u}: ${why}`),
    ...o.stuck.map((u) => `node ${u}: stuck (no state change anywhere for ${STALL_MS / 1000} s)`),
  ];
  const result: LoadResult = {
    requests: n,
    errors: o.failed.size + o.stuck.length,
    durationMs: o.endedAt - o.startedAt,
    latenciesMs: [...o.done.values()].map((at) => at - o.startedAt),
    statusCounts: t.statusCounts,
    errorSamples: [...problems, ...t.samples].slice(0, MAX_SAMPLES),
    clientCpuMs: o.cpuMs,
  };
  const verbs = summarize(t.verbLatenciesMs);
  const note = `${o.done.size}/${n} ${phase.expect} after ${fmt(result.durationMs / 1000)} s; verbs answered by ` +
    `${fmt((o.issuedAt - o.startedAt) / 1000)} s (PUT p50 ${fmt(verbs.p50Ms)} ms); ${t.verbs + t.polls} HTTP requests ` +
    `(${t.verbs} PUT incl. ${t.lockedRetries} 409-locked and ${t.busyRetries} 503 retries, ${t.polls} GET polls); ` +
    `failed ${o.failed.size}, stuck ${o.stuck.length}`;
  return { result, note };
}

function mergeCounts(all: readonly Readonly<Record<string, number>>[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const counts of all) for (const [k, v] of Object.entries(counts)) out[k] = (out[k] ?? 0) + v;
  return out;
}

function prepare(ctx: BenchContext): PreparedGroup {
  const n = ctx.provisionNodes ?? DEFAULT_NODES;
  const created: string[] = [];
  const outcomes: PhaseOutcome[] = [];
  // Nodes still on track: a node that failed or stuck in one phase is not driven through the next.
  let survivors: string[] = [];

  const phaseWorkload = (phase: Phase) => ({
    name: phase.name,
    run: async (): Promise<WorkloadOutcome> => {
      const driven = survivors;
      const o = await runPhase(ctx, driven, phase);
      outcomes.push(o);
      survivors = driven.filter((u) => o.done.has(u));
      const row = phaseRow(driven.length, phase, o);
      if (row.result.errors) ctx.progress(`provision: !!! ${row.result.errors} node(s) failed or stuck in ${phase.name}`);
      return row;
    },
  });

  return {
    workloads: [
      {
        name: 'enrol fake-hardware nodes',
        run: async () => {
          const result = await runLoad(ctx.client, {
            count: n,
            concurrency: ctx.concurrency,
            makeRequest: (i) => ({ method: 'POST', path: '/v1/nodes', body: { name: `bench-prov-${ctx.runId}-${i}`, driver: 'fake-hardware' } }),
            onSuccess: (_i, res) => created.push((JSON.parse(res.body) as { uuid: string }).uuid),
          });
          survivors = [...created];
          return { result, note: `${created.length} of ${n} nodes in enroll` };
        },
      },
      ...PHASES.map(phaseWorkload),
      {
        name: 'manage → active (total)',
        run: async (): Promise<WorkloadOutcome> => {
          const first = outcomes[0];
          const last = outcomes[outcomes.length - 1];
          if (!first || !last || outcomes.length !== PHASES.length) throw new Error('provision: the phases did not all run');
          const active = last.done;
          const traffic = outcomes.map((o) => o.traffic);
          const sum = (f: (t: Traffic) => number): number => traffic.reduce((s, t) => s + f(t), 0);
          const stuck = outcomes.reduce((s, o) => s + o.stuck.length, 0);
          const failed = outcomes.reduce((s, o) => s + o.failed.size, 0);
          const result: LoadResult = {
            requests: n,
            errors: n - active.size,
            durationMs: last.endedAt - first.startedAt,
            latenciesMs: [...active.values()].map((at) => at - first.startedAt),
            statusCounts: mergeCounts(traffic.map((t) => t.statusCounts)),
            errorSamples: n === active.size ? [] : [`${n - active.size} of ${n} nodes did not reach active (failed ${failed}, stuck ${stuck})`],
            clientCpuMs: outcomes.reduce((s, o) => s + o.cpuMs, 0),
          };
          const phases = outcomes.map((o, i) => `${PHASES[i]!.verb} ${fmt((o.endedAt - o.startedAt) / 1000)} s`).join(', ');
          const note = `${active.size}/${n} active after ${fmt(result.durationMs / 1000)} s (${phases}); ` +
            `${sum((t) => t.verbs + t.polls)} HTTP requests (${sum((t) => t.verbs)} PUT, ${sum((t) => t.polls)} GET), ` +
            `${sum((t) => t.lockedRetries)} 409 retries, ${sum((t) => t.busyRetries)} 503 retries; stuck ${stuck}, failed ${failed}`;
          return { result, note };
        },
      },
    ],

    async cleanup(): Promise<LoadResult> {
      // Ironic deletes an active node only in maintenance; maintenance first also stops any work on it.
      const traffic = new Traffic();
      let errors = 0;
      const started = performance.now();
      const cpuBefore = process.cpuUsage();
      await pool(created, ctx.concurrency, async (uuid) => {
        const steps: RequestSpec[] = [
          { method: 'PUT', path: `/v1/nodes/${uuid}/maintenance`, body: { reason: 'anvil bench cleanup' } },
          { method: 'DELETE', path: `/v1/nodes/${uuid}` },
        ];
        for (const spec of steps) {
          const res = await sendRetrying(ctx.client, spec, traffic);
          // Gone already is what we want.
          if (res.status === 404 || (res.status >= 200 && res.status < 300)) continue;
          errors++;
          traffic.sample(`${spec.method} ${spec.path} -> ${res.status} ${res.body.slice(0, 300)}`);
          return;
        }
      });
      const cpu = process.cpuUsage(cpuBefore);
      return {
        requests: traffic.verbs, errors, durationMs: performance.now() - started, latenciesMs: traffic.verbLatenciesMs,
        statusCounts: traffic.statusCounts, errorSamples: traffic.samples, clientCpuMs: (cpu.user + cpu.system) / 1000,
      };
    },
  };
}

export const provisionGroup: WorkloadGroup = {
  name: 'provision',
  summary: 'N fake-hardware nodes driven at once through manage → provide → deploy, polled until all are active',
  prepare,
};
