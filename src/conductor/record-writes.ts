// Read-modify-write of stored records without lost updates, on both stores. Every update of a record the API
// changes (nodes, ports, portgroups, chassis, allocations, deploy templates, volume records) is conditional on
// the row version it was computed from (`version` column, bumped by every write); a write that lost the race
// raises VersionConflictError. Within one process the writers of one record are also queued, so concurrent
// PATCHes to one node apply one after the other instead of failing; across processes (several conductors on
// PostgreSQL) the loser re-reads and re-applies, a bounded number of times, then answers 409 as Ironic does
// for a busy node (its clients retry 409s).
import { VersionConflictError } from '../common/errors.js';
import type { Filter, Repository } from '../db/repository.js';

const MAX_ATTEMPTS = 8;
const tails = new Map<string, Promise<void>>();

/** Runs `fn` after every earlier `serialized` call with the same key has settled (per-key FIFO). */
export function serialized<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const run = (tails.get(key) ?? Promise.resolve()).then(fn);
  const tail = run.then(() => undefined, () => undefined);
  tails.set(key, tail);
  void tail.then(() => {
    if (tails.get(key) === tail) tails.delete(key);
  });
  return run;
}

/**
 * Runs `attempt` (read the record, compute the change, write it with versionCondition) queued behind the
 * other writers of `key` in this process, and again on a fresh read when another process won the race.
 * @throws VersionConflictError (409) after MAX_ATTEMPTS lost races; whatever `attempt` throws otherwise.
 */
export function rewriteRecord<T>(key: string, attempt: () => Promise<T>): Promise<T> {
  return serialized(key, async () => {
    for (let n = 1; ; n++) {
      try {
        return await attempt();
      } catch (err) {
        if (!(err instanceof VersionConflictError) || n >= MAX_ATTEMPTS) throw err;
        await new Promise((r) => setTimeout(r, Math.random() * 5 * n));
      }
    }
  });
}

/** The condition that makes an update apply only to the row version `record` was read at. */
export function versionCondition(record: { version?: number }): Filter {
  return { col: 'version', op: 'eq', value: record.version ?? 0 };
}

/**
 * After a conditional update matched no row: VersionConflictError when the record's version moved (a retry
 * re-reads it), `otherwise(now)` when only another condition failed, null when the record is gone.
 */
export async function explainMissedWrite<R extends { id: number; version?: number }>(repo: Repository<R>, record: R, what: string,
  otherwise?: (now: R) => Error): Promise<null> {
  const now = await repo.findBy('id', record.id);
  if (!now) return null;
  if ((now.version ?? 0) !== (record.version ?? 0)) {
    throw new VersionConflictError(`${what} was changed by another request at the same time; please retry.`);
  }
  if (otherwise) throw otherwise(now);
  return null;
}
