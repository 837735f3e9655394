// Small helpers shared by the node routers: strict JSON-object bodies, microversion gates that answer 404
// like Ironic does for sub-resources that do not exist yet, and the node named in the path.
import { InvalidError, NotFoundError } from '../../common/errors.js';
import type { NodeRecord } from '../../db/records.js';
import { findNode } from '../../conductor/node-service.js';
import type { Ctx } from '../context.js';

/** The body as an object whose keys are all in `allowed`. @throws InvalidError (400). */
export function objectBody(body: unknown, what: string, allowed: readonly string[]): Record<string, unknown> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new InvalidError(`Schema error for ${what}: the body must be a JSON object`);
  for (const k of Object.keys(body)) {
    if (!allowed.includes(k)) throw new InvalidError(`Schema error for ${what}: Additional properties are not allowed ('${k}' was unexpected)`);
  }
  return body as Record<string, unknown>;
}

/** Below `since` the resource does not exist: 404 in Ironic's error format. */
export function requireMinor(c: Ctx, since: number, what: string): void {
  if (c.get('minor') < since) throw new NotFoundError(`The ${what} resource is available from API version 1.${since}.`);
}

/** The node named by the `:ident` path parameter (UUID, or name from 1.5). @throws NodeNotFoundError (404). */
export function nodeParam(c: Ctx): Promise<NodeRecord> {
  return findNode(c.get('deps').tables, c.req.param('ident')!, c.get('minor'));
}
