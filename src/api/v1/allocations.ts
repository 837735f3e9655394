// /v1/allocations (1.52) and a node's allocation (/v1/nodes/{node}/allocation): create (the node is found in
// the background, or given for a backfill from 1.58), show, list with filters, patch (1.57), delete.
import { Hono } from 'hono';
import {
  AllocationNotFoundError, InvalidError, MethodNotAllowedError, NotAuthorizedError, NodeNotFoundError, NodeReferenceNotFoundError, NotAcceptableError, NotFoundError,
} from '../../common/errors.js';
import type { AllocationRecord, NodeRecord } from '../../db/records.js';
import type { Filter } from '../../db/repository.js';
import { createAllocation, deleteAllocation, findAllocation, updateAllocation } from '../../conductor/allocation-service.js';
import { findNode } from '../../conductor/node-service.js';
import { rewriteRecord } from '../../conductor/record-writes.js';
import type { ApiEnv, Ctx } from '../context.js';
import { parseCreateBody, parseFieldsParam } from '../fields.js';
import { pyRepr } from '../json-patch.js';
import { patchChanges } from '../record-patch.js';
import { readJson } from '../request.js';
import { listResources, requireVersionByMethod } from './collection.js';
import { resourceView } from './resource-view.js';
import { allowedOnNode, authorizeOnAllocation } from '../auth/authorize.js';
import { allows, forbidden } from '../auth/policy.js';
import { ALLOCATION_FIELDS, ALLOCATION_SHAPE } from './schemas/allocation-fields.js';

const view = (c: Ctx, allocation: AllocationRecord, fields?: readonly string[]) =>
  resourceView(ALLOCATION_SHAPE, allocation, { minor: c.get('minor'), base: c.get('base'), fields });

const gate = (c: Ctx) => requireVersionByMethod(c, 52, 'The API version does not allow allocations');

/** A node named by the request (body or query) rather than the path: Ironic answers 400 when it is missing. */
async function namedNode(c: Ctx, ident: string): Promise<NodeRecord> {
  let node: NodeRecord;
  try {
    node = await findNode(c.get('deps').tables, ident, c.get('minor'));
  } catch (err) {
    if (err instanceof NodeNotFoundError) throw new NodeReferenceNotFoundError(err.message);
    throw err;
  }
  // A node the user may not see is answered as if it did not exist.
  if (!allowedOnNode(c, 'baremetal:node:get', node)) throw new NodeReferenceNotFoundError(`Node ${ident} could not be found.`);
  return node;
}

/**
 * Who may create an allocation and for whom (Ironic's _authorize_create_allocation and post): any member; a
 * project user's allocation belongs to its project unless it holds create_restricted (system members).
 */
function authorizeCreate(c: Ctx, input: Partial<AllocationRecord>): { input: Partial<AllocationRecord>; candidateProject: string | null } {
  const actor = c.get('actor');
  if (!allows('baremetal:allocation:create', actor)) throw forbidden('baremetal:allocation:create');
  if (actor.project === null) return { input, candidateProject: null };
  const restricted = allows('baremetal:allocation:create_restricted', actor);
  if (input.owner && input.owner !== actor.project && !restricted) {
    throw new NotAuthorizedError(`Cannot create allocation with an owner Project ID value ${input.owner} not matching the requester Project ID ${actor.project}. ` +
      'Policy baremetal:allocation:create_restricted is required for this capability.');
  }
  return { input: input.owner ? input : { ...input, owner: actor.project }, candidateProject: restricted ? null : actor.project };
}

async function allocationFilters(c: Ctx): Promise<Filter[]> {
  const out: Filter[] = [];
  const node = c.req.query('node');
  if (node !== undefined) out.push({ col: 'nodeUuid', op: 'eq', value: (await namedNode(c, node)).uuid });
  for (const [param, col] of [['resource_class', 'resourceClass'], ['state', 'state']] as const) {
    const v = c.req.query(param);
    if (v !== undefined) out.push({ col, op: 'eq', value: v });
  }
  const owner = c.req.query('owner');
  if (owner !== undefined) {
    if (c.get('minor') < 60) throw new NotAcceptableError('The owner parameter requires API version 1.60 or later.');
    out.push({ col: 'owner', op: 'eq', value: owner });
  }
  // A project user lists its own allocations only, and may not ask for another owner's.
  const project = c.get('listProject');
  if (project) {
    if (owner !== undefined && owner !== project) throw forbidden('baremetal:allocation:list_all');
    out.push({ col: 'owner', op: 'eq', value: project });
  }
  return out;
}

/** The allocation of a node (the path's node): none is AllocationNotFound with Ironic's wording. */
async function nodeAllocation(c: Ctx, node: NodeRecord): Promise<AllocationRecord> {
  const [found] = await c.get('deps').tables.allocations.list({ filters: [{ col: 'nodeUuid', op: 'eq', value: node.uuid }], limit: 1 });
  if (!found) throw new AllocationNotFoundError(`Allocation for node ${c.req.param('node')} was not found`);
  return found;
}

function requireNodeAllocationVersion(c: Ctx): void {
  if (c.get('minor') < 52) throw new NotFoundError('The API version does not allow allocations');
}

export function allocationRoutes(): Hono<ApiEnv> {
  const r = new Hono<ApiEnv>({ strict: false });

  r.get('/allocations', async (c) => {
    gate(c);
    const filters = await allocationFilters(c);
    return listResources(c, { shape: ALLOCATION_SHAPE, repo: c.get('deps').tables.allocations, detailPath: false, filters, path: 'allocations' });
  });

  r.post('/allocations', async (c) => {
    gate(c);
    const minor = c.get('minor');
    const body = await readJson(c);
    // `node` (backfill) is a request argument, not an allocation field.
    let nodeIdent: unknown;
    let fields = body;
    if (body !== null && typeof body === 'object' && !Array.isArray(body) && 'node' in body) {
      ({ node: nodeIdent, ...fields } = body as Record<string, unknown>);
    }
    const { input, candidateProject } = authorizeCreate(c, parseCreateBody(fields, ALLOCATION_FIELDS, minor, 'allocation') as Partial<AllocationRecord>);
    let node: NodeRecord | undefined;
    if (nodeIdent !== undefined && nodeIdent !== null && nodeIdent !== '') {
      if (typeof nodeIdent !== 'string') throw new InvalidError(`Schema error for allocation: ${pyRepr(nodeIdent)} is not of type 'string', 'null'`);
      if (minor < 58) throw new InvalidError('Cannot set node when creating an allocation in this API version');
      node = await namedNode(c, nodeIdent);
    }
    const allocation = await createAllocation(c.get('deps'), { input, node, candidateProject });
    c.header('Location', `${c.get('base')}/v1/allocations/${allocation.uuid}`);
    return c.json(view(c, allocation), 201);
  });

  r.get('/allocations/:ident', async (c) => {
    gate(c);
    const fields = parseFieldsParam(c.req.query('fields'), ALLOCATION_FIELDS, c.get('minor'), ['links']);
    return c.json(view(c, await findAllocation(c.get('deps').tables, c.req.param('ident')), fields));
  });

  r.patch('/allocations/:ident', async (c) => {
    gate(c);
    if (c.get('minor') < 57) throw new MethodNotAllowedError('The API version does not allow updating allocations');
    const allocation = await findAllocation(c.get('deps').tables, c.req.param('ident'));
    const body = await readJson(c);
    return c.json(view(c, await rewriteRecord(`allocations:${allocation.id}`, async () => {
      const fresh = await findAllocation(c.get('deps').tables, allocation.uuid);
      return updateAllocation(c.get('deps'), fresh, patchChanges(fresh, body, ALLOCATION_FIELDS, c.get('minor'), 'allocation'));
    })));
  });

  r.delete('/allocations/:ident', async (c) => {
    gate(c);
    await deleteAllocation(c.get('deps'), await findAllocation(c.get('deps').tables, c.req.param('ident')));
    return c.body(null, 204);
  });

  r.get('/nodes/:node/allocation', async (c) => {
    requireNodeAllocationVersion(c);
    const fields = parseFieldsParam(c.req.query('fields'), ALLOCATION_FIELDS, c.get('minor'), ['links']);
    // Ironic looks the node up as a list filter here, so an unknown node is a 400 (but a 404 on DELETE).
    const allocation = await nodeAllocation(c, await namedNode(c, c.req.param('node')));
    authorizeOnAllocation(c, 'baremetal:allocation:get', allocation.owner);
    return c.json(view(c, allocation, fields));
  });

  r.delete('/nodes/:node/allocation', async (c) => {
    requireNodeAllocationVersion(c);
    const node = await findNode(c.get('deps').tables, c.req.param('node'), c.get('minor'));
    const allocation = await nodeAllocation(c, node);
    authorizeOnAllocation(c, 'baremetal:allocation:delete', allocation.owner);
    await deleteAllocation(c.get('deps'), allocation);
    return c.body(null, 204);
  });

  return r;
}
