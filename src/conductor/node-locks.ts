// Holding several node locks at once, for writes that touch two nodes (a port or portgroup moving between
// nodes). Each lock is the ordinary task lock (task.ts); this only fixes the order they are taken in.
import type { NodeRecord } from '../db/records.js';
import type { ConductorContext } from './context.js';
import { acquireNode } from './task.js';

/**
 * Runs `fn` while holding the lock of every node in `nodes`, taken in UUID order so two writers locking the
 * same pair cannot each wait for the other. Locks are released when `fn` settles.
 * @throws NodeLockedError (409) as soon as one node is held by someone else; locks already taken are released.
 */
export async function withNodesLocked<T>(ctx: ConductorContext, nodes: readonly NodeRecord[], purpose: string, fn: () => Promise<T>): Promise<T> {
  const ordered = [...new Map(nodes.map((n) => [n.uuid, n])).values()].sort((a, b) => a.uuid.localeCompare(b.uuid));
  const lockFrom = (i: number): Promise<T> => {
    const node = ordered[i];
    return node ? acquireNode(ctx, node, purpose, () => lockFrom(i + 1)) : fn();
  };
  return lockFrom(0);
}
