// Periodic power state sync: reads each managed node's power state from its BMC and records it. Repeated
// read failures put the node in maintenance with fault "power failure"; the next successful read (nodes in
// that fault are re-probed at the recovery interval) takes it out again.
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { NodeLockedError } from '../../common/errors.js';
import { log } from '../../common/log.js';
import { scrubText } from '../../common/secrets.js';
import type { NodeRecord } from '../../db/records.js';
import type { ConductorContext } from '../context.js';
import { acquireNode } from '../task.js';
import { recordHistory } from '../history.js';
import { forEachLimited } from './pool.js';
import { composeDriver } from '../driver-factory.js';

export const POWER_FAILURE = 'power failure';

/**
 * Ironic's SYNC_EXCLUDED_STATES: an enrolling node's BMC details may still be wrong (a typo must not put it
 * into maintenance), and a node waiting for its agent or failed adoption is not to be second-guessed.
 */
const SYNC_EXCLUDED: ReadonlySet<string> = new Set(['enroll', 'wait call-back', 'clean wait', 'adopt failed']);

/** Nodes examined per query (a few columns each); the chosen ones are then read whole. */
const CANDIDATE_PAGE = 500;
const CANDIDATE_COLUMNS = ['id', 'uuid', 'driver', 'conductorGroup', 'provisionState', 'maintenance', 'fault'];
type CandidateHead = Pick<NodeRecord, 'id' | 'uuid' | 'driver' | 'conductorGroup' | 'provisionState' | 'maintenance' | 'fault'>;

export interface PowerSyncResult {
  readonly checked: number;
  readonly changed: number;
  readonly failed: number;
  readonly durationMs: number;
}

export class PowerSync {
  /** Consecutive failures per node; kept in memory like Ironic, so a restart gives BMCs a fresh count. */
  readonly #failures = new Map<string, number>();
  readonly #lastRecoveryProbe = new Map<string, number>();

  constructor(private readonly ctx: ConductorContext) {}

  /**
   * Nodes this conductor owns (hash ring), not locked, not in an excluded state, and either not in maintenance
   * or in power-failure maintenance, a page at a time. A fleet is never read in one query: with 10,000 nodes
   * one `SELECT *` decoded every row in a single synchronous stretch of ~0.8 s, and every API request waited
   * behind it (the polling mix's p99 of ~560 ms in BENCHMARKS.md). So a page of a few columns decides, only
   * the chosen rows are read whole, and the event loop runs between pages.
   */
  async *#candidatePages(): AsyncGenerator<NodeRecord[]> {
    const nodes = this.ctx.tables.nodes;
    const filters = [{ col: 'reservation', op: 'isNull' }, { col: 'targetPowerState', op: 'isNull' }] as const;
    let after = 0;
    for (;;) {
      const page = [...filters, { col: 'id', op: 'gt', value: after } as const];
      const heads = (await nodes.listColumns({ filters: page, limit: CANDIDATE_PAGE }, CANDIDATE_COLUMNS)) as unknown as CandidateHead[];
      const owner = await this.ctx.registry.ownerLookup();
      const now = Date.now();
      const chosen: number[] = [];
      for (const n of heads) {
        if (SYNC_EXCLUDED.has(n.provisionState)) continue;
        if (n.maintenance && n.fault !== POWER_FAILURE) continue;
        if (owner(n.uuid, n.driver, n.conductorGroup) !== this.ctx.registry.hostname) continue;
        if (n.maintenance) {
          const last = this.#lastRecoveryProbe.get(n.uuid) ?? 0;
          if (now - last < this.ctx.config.powerFailureRecoveryInterval * 1000) continue;
          this.#lastRecoveryProbe.set(n.uuid, now);
        }
        chosen.push(n.id);
      }
      // Re-checked on the whole row: a node may have been locked or given a target between the two reads.
      if (chosen.length) yield (await nodes.list({ filters: [...filters, { col: 'id', op: 'in', value: chosen }] }));
      if (heads.length < CANDIDATE_PAGE) return;
      after = Number(heads.at(-1)!.id);
      await yieldToEventLoop();
    }
  }

  async runOnce(): Promise<PowerSyncResult> {
    const started = Date.now();
    let checked = 0;
    let changed = 0;
    let failed = 0;
    for await (const nodes of this.#candidatePages()) {
      checked += nodes.length;
      await forEachLimited(nodes, this.ctx.config.syncPowerStateWorkers, async (node) => {
        try {
          const outcome = await this.#syncNode(node);
          if (outcome === 'changed') changed++;
          if (outcome === 'failed') failed++;
        } catch (err) {
          if (!(err instanceof NodeLockedError)) log.warn('power sync error', { node: node.uuid, error: (err as Error).message });
        }
      });
    }
    return { checked, changed, failed, durationMs: Date.now() - started };
  }

  async #syncNode(node: NodeRecord): Promise<'same' | 'changed' | 'failed' | 'skipped'> {
    let power;
    try {
      power = composeDriver(node, this.ctx.config.enabledHardwareTypes).power();
    } catch {
      return 'skipped';
    }
    return acquireNode(this.ctx, node, 'power state sync', async (task) => {
      try {
        const state = await power.getPowerState({ node: task.node });
        this.#failures.delete(node.uuid);
        const changes: Partial<NodeRecord> = {};
        if (state !== task.node.powerState) changes.powerState = state;
        if (task.node.maintenance && task.node.fault === POWER_FAILURE) {
          Object.assign(changes, { maintenance: false, maintenanceReason: null, fault: null });
          log.info('BMC answers again; power failure maintenance cleared', { node: node.uuid });
          await recordHistory(this.ctx, task.node, { severity: 'INFO', event: 'Power state readable again; maintenance cleared.', eventType: 'power state sync' });
        }
        if (Object.keys(changes).length) await task.save(changes);
        return changes.powerState ? 'changed' : 'same';
      } catch (err) {
        const count = (this.#failures.get(node.uuid) ?? 0) + 1;
        this.#failures.set(node.uuid, count);
        const message = scrubText(`During sync_power_state, could not get power state for node ${node.uuid}, attempt ${count} of ${this.ctx.config.powerStateSyncMaxRetries}. Error: ${(err as Error).message}`);
        log.warn('power state sync failed', { node: node.uuid, attempt: count, error: (err as Error).message });
        if (count >= this.ctx.config.powerStateSyncMaxRetries && !task.node.maintenance) {
          await task.save({ maintenance: true, fault: POWER_FAILURE, maintenanceReason: message, lastError: message, powerState: null });
          await recordHistory(this.ctx, task.node, { severity: 'ERROR', event: message, eventType: 'power state sync' });
        }
        return 'failed';
      }
    });
  }
}
