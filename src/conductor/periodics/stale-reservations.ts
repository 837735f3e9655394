// Locks left behind: at start-up this conductor's own (it crashed holding them), later those of conductors
// whose heartbeat stopped. Nodes caught in a working state by the crash move to that state's failure.
import { log } from '../../common/log.js';
import type { NodeRecord } from '../../db/records.js';
import { nextState } from '../machine.js';
import { isAlive } from '../registry.js';
import type { ConductorContext } from '../context.js';
import { nowTimestamp } from '../../db/schema.js';

/** States with work in flight inside a conductor (not waiting for an agent): a dead conductor means failure. */
const WORKING_STATES = ['verifying', 'deploying', 'cleaning', 'inspecting', 'adopting', 'rescuing', 'unrescuing', 'deleting', 'servicing'];

async function releaseFrom(ctx: ConductorContext, holder: string, why: string): Promise<number> {
  const held = await ctx.tables.nodes.list({ filters: [{ col: 'reservation', op: 'eq', value: holder }] });
  for (const node of held) {
    const changes: Partial<NodeRecord> = { reservation: null, targetPowerState: null };
    if (WORKING_STATES.includes(node.provisionState)) {
      const to = nextState(node.provisionState, 'fail', node.targetProvisionState);
      if (to) Object.assign(changes, { provisionState: to, targetProvisionState: null, provisionUpdatedAt: nowTimestamp(), lastError: `${why} while the node was ${node.provisionState}` });
    }
    await ctx.tables.nodes.update(node.id, changes, [{ col: 'reservation', op: 'eq', value: holder }]);
    log.warn('released a stale reservation', { node: node.uuid, holder, state: node.provisionState });
  }
  return held.length;
}

/**
 * Shutdown: the locks this conductor still holds (actions it dropped or that outran the grace period) are
 * handed back, nodes in a working state moved to its failure, as a restart would do.
 */
export function releaseOwnReservationsOnStop(ctx: ConductorContext): Promise<number> {
  return releaseFrom(ctx, ctx.registry.hostname, `Conductor ${ctx.registry.hostname} stopped`);
}

export function releaseOwnStaleReservations(ctx: ConductorContext): Promise<number> {
  return releaseFrom(ctx, ctx.registry.hostname, `Conductor ${ctx.registry.hostname} restarted`);
}

export async function releaseDeadConductorReservations(ctx: ConductorContext): Promise<number> {
  const conductors = await ctx.tables.conductors.list();
  let n = 0;
  for (const c of conductors) {
    if (c.hostname === ctx.registry.hostname || isAlive(c)) continue;
    n += await releaseFrom(ctx, c.hostname, `Conductor ${c.hostname} went offline`);
  }
  return n;
}

/**
 * Allocations are matched in the background; one caught `allocating` when its process died would stay so
 * forever. At start-up, when no other conductor is alive to be working on them, they are failed so clients
 * (which poll the allocation state) see an answer and can retry.
 */
export async function failInterruptedAllocations(ctx: ConductorContext): Promise<number> {
  const others = (await ctx.tables.conductors.list()).filter((c) => c.hostname !== ctx.registry.hostname && isAlive(c));
  if (others.length > 0) return 0;
  const stuck = await ctx.tables.allocations.list({ filters: [{ col: 'state', op: 'eq', value: 'allocating' }] });
  for (const a of stuck) {
    await ctx.tables.allocations.update(a.id, { state: 'error', lastError: `Allocation ${a.uuid} was interrupted by a conductor restart; please retry.`, updatedAt: nowTimestamp() },
      [{ col: 'state', op: 'eq', value: 'allocating' }]);
  }
  return stuck.length;
}
