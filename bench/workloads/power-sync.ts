// The `power-sync` group: the conductor's periodic power state sync, timed in-process — there is no API
// request to time, the job runs on its own timer. A conductor (store, registry, background work) is built
// exactly as the service builds it, from loadConfig, and `PowerSync.runOnce()` is called directly:
//   (a) 10,000 fake-hardware nodes in a temp SQLite store: the cost of the sync itself (candidate query,
//       hash ring, node lock, write) without any BMC latency — first cycle (every node's power state is
//       still unknown, so every node changes) and a steady-state second cycle;
//   (b) 20 ipmi nodes on real ipmi_sim BMCs, each read by an ipmitool process, first and second cycle.
// Each at the default `syncPowerStateWorkers` and at 32.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfig, SETTINGS, type Config } from '../../src/common/config.js';
import { setLogSink } from '../../src/common/log.js';
import { BackgroundWork } from '../../src/conductor/background-work.js';
import type { ConductorContext } from '../../src/conductor/context.js';
import { createNode } from '../../src/conductor/node-service.js';
import { PowerSync, type PowerSyncResult } from '../../src/conductor/periodics/power-sync.js';
import { ConductorRegistry } from '../../src/conductor/registry.js';
import { openStore, type Store } from '../../src/db/database.js';
import { tables } from '../../src/db/tables.js';
import { startBmcs, type SimFleet } from '../../test/support/ipmi-sim.js';
import type { LoadResult } from '../http-load.js';
import { fmt } from '../report.js';
import type { BenchContext, PreparedGroup, Workload, WorkloadGroup, WorkloadOutcome } from './types.js';

const FAKE_NODES = 10_000;
const BMCS = 20;
const DEFAULT_WORKERS = SETTINGS.syncPowerStateWorkers.default();
const WORKER_VARIANTS: readonly number[] = [DEFAULT_WORKERS, 32];
/** The API microversion createNode enrols at: 1.11+ puts new nodes in `enroll`, as the bench's clients would. */
const MINOR = 78;

interface Conductor {
  readonly dir: string;
  readonly store: Store;
  readonly base: ConductorContext;
  /** Same conductor, another worker count: PowerSync reads the setting from its context. */
  withWorkers(workers: number): ConductorContext;
  close(): Promise<void>;
}

/** A conductor over a fresh SQLite file, configured the way `anvil serve` configures itself. */
async function openConductor(name: string): Promise<Conductor> {
  const dir = mkdtempSync(join(tmpdir(), `anvil-bench-${name}-`));
  // env {}: an ANVIL_* variable of whoever runs the bench must not change what is measured. The sync
  // interval is 0 because nothing here starts the periodic timers; runOnce is called by hand.
  const flags = { databaseUrl: `sqlite://${join(dir, 'conductor.db')}`, stateDir: dir, conductorHostname: 'bench-conductor', powerStateSyncInterval: 0 };
  const config = loadConfig({ env: {}, flags });
  const store = await openStore(config.databaseUrl);
  const t = tables(store);
  const registry = new ConductorRegistry(t, config);
  await registry.register();
  const base: ConductorContext = { tables: t, config, registry, work: new BackgroundWork(config.workers) };
  return {
    dir, store, base,
    withWorkers: (workers) => ({ ...base, config: loadConfig({ env: {}, flags: { ...flags, syncPowerStateWorkers: workers } }) }),
    async close() {
      await registry.unregister().catch(() => undefined);
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Enrols `count` nodes through the service's own rules (createNode), already deployed: a running fleet. */
async function enrol(c: Conductor, count: number, driver: string, driverInfo: (i: number) => Record<string, unknown>): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    await createNode(c.base, { name: `ps-${i}`, driver, driverInfo: driverInfo(i), provisionState: 'active' }, MINOR);
  }
  return performance.now() - started;
}

/** Forgets every recorded power state, so the next cycle again finds every node changed. */
async function forgetPowerStates(c: Conductor): Promise<void> {
  await c.store.db.updateTable('nodes').set({ powerState: null }).execute();
}

/** Warn/error lines the conductor logged during a cycle; the log sink is this process's, so they are counted here. */
const problems: string[] = [];

/** One cycle as one row: "requests" are the nodes checked, the single latency is the cycle time. */
async function cycle(ctx: ConductorContext, expected: { nodes: number; changed: number }, what: string): Promise<WorkloadOutcome> {
  const logged = problems.length;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  // A fresh PowerSync per cycle is what a restarted conductor has; its failure counts are irrelevant here.
  const r: PowerSyncResult = await new PowerSync(ctx).runOnce();
  const ms = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const failures: string[] = [];
  if (r.checked !== expected.nodes) failures.push(`checked ${r.checked} nodes, expected ${expected.nodes}`);
  if (r.changed !== expected.changed) failures.push(`changed ${r.changed}, expected ${expected.changed}`);
  if (r.failed) failures.push(`${r.failed} BMC reads failed`);
  failures.push(...problems.slice(logged, logged + 3).map((l) => `logged: ${l.slice(0, 300)}`));
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const result: LoadResult = {
    requests: r.checked, errors: failures.length ? Math.max(1, r.failed) : 0, durationMs: ms, latenciesMs: [ms],
    statusCounts: { checked: r.checked, changed: r.changed, failed: r.failed }, errorSamples: failures, clientCpuMs: cpuMs,
  };
  const note = `${what}: cycle ${fmt(ms / 1000)} s for ${r.checked} nodes (${fmt(r.checked / (ms / 1000))} nodes/s), ` +
    `changed ${r.changed}, failed ${r.failed}, workers ${ctx.config.syncPowerStateWorkers}, conductor CPU ${fmt(cpuMs / 1000)} s`;
  return { result, note };
}

function prepare(ctx: BenchContext): PreparedGroup {
  let fake: Conductor | undefined;
  let ipmi: Conductor | undefined;
  let fleet: SimFleet | undefined;
  let fakeEnrolMs = 0;
  const closeAll = async (): Promise<void> => {
    await Promise.all([fake?.close(), ipmi?.close(), fleet?.stop()]);
    fake = ipmi = fleet = undefined;
  };
  // Scratch databases must not outlive a run that dies halfway; ipmi-sim.ts stops its own BMCs at exit.
  process.once('exit', () => {
    for (const c of [fake, ipmi]) if (c) rmSync(c.dir, { recursive: true, force: true });
  });
  // JSON log lines would land in the Markdown table on stdout; keep only the ones that mean trouble.
  const quietLogs = (): void => setLogSink((line) => {
    if (/"level":"(warn|error)"/.test(line)) problems.push(line);
  });

  const fakeRows = WORKER_VARIANTS.flatMap((workers): Workload[] => [
    {
      name: `${FAKE_NODES} fake nodes, ${workers} workers: cycle 1 (all change)`,
      run: async () => {
        quietLogs();
        if (!fake) {
          fake = await openConductor('power-sync-fake');
          fakeEnrolMs = await enrol(fake, FAKE_NODES, 'fake-hardware', () => ({}));
          ctx.progress(`power-sync: enrolled ${FAKE_NODES} fake-hardware nodes in ${fmt(fakeEnrolMs / 1000)} s`);
        }
        await forgetPowerStates(fake);
        return cycle(fake.withWorkers(workers), { nodes: FAKE_NODES, changed: FAKE_NODES }, 'unknown → power off');
      },
    },
    {
      name: `${FAKE_NODES} fake nodes, ${workers} workers: cycle 2 (steady)`,
      run: () => cycle(fake!.withWorkers(workers), { nodes: FAKE_NODES, changed: 0 }, 'nothing changed'),
    },
  ]);

  const ipmiRows = WORKER_VARIANTS.flatMap((workers): Workload[] => [
    {
      name: `${BMCS} ipmi_sim BMCs, ${workers} workers: cycle 1 (all change)`,
      run: async () => {
        quietLogs();
        if (fake) {
          await fake.close();
          fake = undefined;
        }
        if (!ipmi) {
          const t0 = performance.now();
          [fleet, ipmi] = await Promise.all([startBmcs({ count: BMCS }), openConductor('power-sync-ipmi')]);
          const bmcs = fleet.bmcs;
          await enrol(ipmi, BMCS, 'ipmi', (i) => bmcs[i]!.driverInfo());
          ctx.progress(`power-sync: started ${BMCS} ipmi_sim BMCs and enrolled their nodes in ${fmt((performance.now() - t0) / 1000)} s`);
        }
        await forgetPowerStates(ipmi);
        return cycle(ipmi.withWorkers(workers), { nodes: BMCS, changed: BMCS }, 'unknown → power off, one ipmitool run per BMC');
      },
    },
    {
      name: `${BMCS} ipmi_sim BMCs, ${workers} workers: cycle 2 (steady)`,
      run: async () => {
        try {
          return await cycle(ipmi!.withWorkers(workers), { nodes: BMCS, changed: 0 }, 'nothing changed, one ipmitool run per BMC');
        } finally {
          // The last row stops the BMCs: cleanup() only runs against external endpoints.
          if (workers === WORKER_VARIANTS[WORKER_VARIANTS.length - 1]) await closeAll();
        }
      },
    },
  ]);

  return {
    workloads: [...fakeRows, ...ipmiRows],
    async cleanup() {
      await closeAll();
      return { requests: 0, errors: 0, durationMs: 0, latenciesMs: [], statusCounts: {}, errorSamples: [], clientCpuMs: 0 };
    },
  };
}

export const powerSyncGroup: WorkloadGroup = {
  name: 'power-sync',
  summary: `periodic power state sync in-process: ${FAKE_NODES} fake nodes and ${BMCS} ipmi_sim BMCs, first and steady cycle`,
  needsApi: false,
  prepare,
};
