// What every route handler can reach: the negotiated version, the base URL for links, and the services.
import type { Context } from 'hono';
import type { Store } from '../db/database.js';
import type { ConductorContext } from '../conductor/context.js';
import type { Actor } from '../common/request-actor.js';

export interface ApiDeps extends ConductorContext {
  readonly store: Store;
}

export type ApiEnv = {
  Variables: {
    minor: number; base: string; deps: ApiDeps; actor: Actor; listProject: string | null;
    /** UUID of the node a POST /v1/nodes created, for the audit trail. */
    createdUuid?: string;
  };
};
export type Ctx = Context<ApiEnv>;

export type Link = { href: string; rel: 'self' | 'bookmark' };

/** Ironic's self + bookmark pair; `path` is relative to /v1 (e.g. `nodes/<uuid>/ports`). */
export function links(base: string, path: string): Link[] {
  return [{ href: `${base}/v1/${path}`, rel: 'self' }, { href: `${base}/${path}`, rel: 'bookmark' }];
}
