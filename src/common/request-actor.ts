// Who is acting: the identity of the API request being served, carried through async work (and into the
// background work a request spawns) by AsyncLocalStorage, so node history can say who did what without every
// service signature growing an `actor` parameter.
import { AsyncLocalStorage } from 'node:async_hooks';

export interface Actor {
  /** The authenticated user name; null under noauth. */
  readonly user: string | null;
  /** The user's project (node `owner`/`lessee` scoping); null for system-scoped users. */
  readonly project: string | null;
  /** Ironic roles: `admin`, `member`, `reader`. */
  readonly roles: readonly string[];
}

const storage = new AsyncLocalStorage<Actor>();

export function runAs<T>(actor: Actor, fn: () => T): T {
  return storage.run(actor, fn);
}

/** The actor of the request this code runs for, or undefined in periodic tasks and start-up work. */
export function currentActor(): Actor | undefined {
  return storage.getStore();
}

/** `user (project)` as node history records it, or null when no user is known. */
export function describeActor(actor: Actor | undefined): string | null {
  if (!actor?.user) return null;
  return actor.project ? `${actor.user} (project ${actor.project})` : actor.user;
}
