// /v1/nodes: enrolment CRUD, lists with filters and pagination, validation and the small per-node
// sub-resources that need no conductor action (states read-out, maintenance flag, traits).
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { Hono } from 'hono';
import { ConflictError, InvalidParameterValueError, NotAcceptableError, InvalidError, NotFoundError } from '../../common/errors.js';
import { isValidTrait, normalizeUuid } from '../../common/ids.js';
import type { NodeRecord } from '../../db/records.js';
import { PROVISION_STATES } from '../../conductor/states.js';
import { MarkerNotFound, type Filter, type ListQuery } from '../../db/repository.js';
import { createNode, deleteNode, findNode, updateNode, validateNode, type NodeServiceDeps } from '../../conductor/node-service.js';
import { rewriteRecord } from '../../conductor/record-writes.js';
import type { ApiDeps, ApiEnv, Ctx } from '../context.js';
import { parseCreateBody, parseFieldsParam, parseSortKey } from '../fields.js';
import { parsePatch } from '../json-patch.js';
import { patchChanges } from '../record-patch.js';
import { nextLink, parsePage } from '../pagination.js';
import { boolParam, readJson } from '../request.js';
import { NODE_FIELDS } from './schemas/node-fields.js';
import { nodeView, nodeViewOf, type ViewOptions } from './node-view.js';
import { NodeViewCache } from './node-view-cache.js';
import { allowedOnNode, authorizeOnNode, nodePatchRules, nodeScope, redactNode } from '../auth/authorize.js';
import { allows, forbidden } from '../auth/policy.js';

export const nodeDeps = (c: Ctx): NodeServiceDeps => c.get('deps');

export const view = (c: Ctx, node: NodeRecord, extra: { fields?: readonly string[]; summary?: boolean; owner?: ViewOptions['owner'] } = {}) =>
  nodeView(node, { minor: c.get('minor'), base: c.get('base'), registry: nodeDeps(c).registry, redact: redactNode(c, node), ...extra });

type FilterParam = { name: string; since: number; build: (v: string, c: Ctx) => Filter | Filter[] | null };

const eq = (col: string) => (v: string): Filter => ({ col, op: 'eq', value: v });
const flag = (col: string, name: string) => (_: string, c: Ctx): Filter => ({ col, op: 'eq', value: boolParam(c, name) ? 1 : 0 });

/** Ironic's faults (common/faults.py). */
const FAULTS = ['power failure', 'clean failure', 'rescue abort failure', 'service failure'] as const;

/** An enumerated filter: an unknown value is a 400 naming the allowed ones, not an empty list. */
const oneOf = (name: string, col: string, allowed: readonly string[]) => (v: string): Filter => {
  if (!allowed.includes(v)) throw new InvalidParameterValueError(`Invalid ${name} "${v}"; valid values are: ${allowed.join(', ')}.`);
  return { col, op: 'eq', value: v };
};

const NODE_FILTERS: FilterParam[] = [
  { name: 'associated', since: 1, build: (_, c) => ({ col: 'instanceUuid', op: boolParam(c, 'associated') ? 'notNull' : 'isNull' }) },
  { name: 'maintenance', since: 1, build: flag('maintenance', 'maintenance') },
  { name: 'instance_uuid', since: 1, build: (v) => {
    const u = normalizeUuid(v);
    if (!u) throw new InvalidParameterValueError(`Expected a UUID for instance_uuid but received ${v}.`);
    return { col: 'instanceUuid', op: 'eq', value: u };
  } },
  { name: 'chassis_uuid', since: 1, build: (v) => ({ col: 'chassisUuid', op: 'eq', value: normalizeUuid(v) ?? v }) },
  { name: 'provision_state', since: 9, build: oneOf('provision_state', 'provisionState', PROVISION_STATES) },
  { name: 'driver', since: 16, build: eq('driver') },
  { name: 'resource_class', since: 21, build: eq('resourceClass') },
  { name: 'fault', since: 42, build: oneOf('fault', 'fault', FAULTS) },
  { name: 'conductor_group', since: 46, build: (v) => ({ col: 'conductorGroup', op: 'eq', value: v.toLowerCase() }) },
  { name: 'owner', since: 50, build: eq('owner') },
  { name: 'description_contains', since: 51, build: (v) => ({ col: 'description', op: 'contains', value: v }) },
  { name: 'retired', since: 61, build: flag('retired', 'retired') },
  { name: 'lessee', since: 65, build: eq('lessee') },
  { name: 'shard', since: 82, build: (v) => ({ col: 'shard', op: 'in', value: v.split(',').map((s) => s.trim()).filter(Boolean) }) },
  { name: 'sharded', since: 82, build: (_, c) => ({ col: 'shard', op: boolParam(c, 'sharded') ? 'notNull' : 'isNull' }) },
  { name: 'parent_node', since: 83, build: eq('parentNode') },
  // Handled after the loop: it widens the default rather than narrowing.
  { name: 'include_children', since: 83, build: (_, c) => (boolParam(c, 'include_children'), null) },
];

function listFilters(c: Ctx): Filter[] {
  const minor = c.get('minor');
  const out: Filter[] = [];
  for (const f of NODE_FILTERS) {
    const v = c.req.query(f.name);
    if (v === undefined) continue;
    if (f.since > minor) throw new NotAcceptableError(`The ${f.name} parameter requires API version 1.${f.since} or later.`);
    const built = f.build(v, c);
    if (built) out.push(...(Array.isArray(built) ? built : [built]));
  }
  // As in Ironic (1.83), child nodes are listed only when asked for: by parent or with include_children=true.
  if (c.req.query('parent_node') === undefined && boolParam(c, 'include_children') !== true) out.push({ col: 'parentNode', op: 'isNull' });
  return out;
}

/**
 * The conductor owning a node comes from the hash ring, not a column, so this filter reads batches in sort
 * order and keeps the matches until the page is full — pages stay full and `next` stays right.
 */
async function nodesOfConductor(c: Ctx, conductor: string, q: ListQuery & { limit: number }): Promise<NodeRecord[]> {
  const reg = nodeDeps(c).registry;
  const out: NodeRecord[] = [];
  let marker = q.marker;
  const batch = Math.max(q.limit, 200);
  for (;;) {
    const rows = await c.get('deps').tables.nodes.list({ ...q, limit: batch, marker });
    for (const n of rows) {
      if ((await reg.conductorFor(n.uuid, n.driver, n.conductorGroup)) === conductor) out.push(n);
      if (out.length === q.limit) return out;
    }
    if (rows.length < batch) return out;
    marker = rows.at(-1)!.uuid;
  }
}

export async function listNodes(c: Ctx, detailPath: boolean, scope: Filter[] = [], collection = 'nodes'): Promise<Response> {
  const minor = c.get('minor');
  const detailParam = boolParam(c, 'detail');
  if (detailParam !== undefined && minor < 43) throw new NotAcceptableError('The detail parameter requires API version 1.43 or later.');
  if (detailPath && detailParam !== undefined) throw new InvalidParameterValueError('The detail parameter can not be used with the /detail path.');
  const detail = detailPath || detailParam === true;
  const fields = parseFieldsParam(c.req.query('fields'), NODE_FIELDS, minor, ['links', 'ports', 'states', 'portgroups', 'volume']);
  if (fields && detail) throw new InvalidParameterValueError("Can not specify ?detail=True and fields in the same request.");
  const page = parsePage(c);
  const sortKey = parseSortKey(page.sortKeyRaw, NODE_FIELDS, minor);
  const filters = [...scope, ...nodeScope(c), ...listFilters(c)];
  const conductor = c.req.query('conductor');
  if (conductor !== undefined && minor < 49) throw new NotAcceptableError('The conductor parameter requires API version 1.49 or later.');
  const query = { filters, sortKey, sortDir: page.sortDir, limit: page.limit, marker: page.marker };
  let heads: NodeHead[];
  let loaded: NodeRecord[] = [];
  try {
    if (conductor === undefined) heads = (await c.get('deps').tables.nodes.listColumns(query, HEAD_COLUMNS)) as unknown as NodeHead[];
    else heads = loaded = await nodesOfConductor(c, conductor, query);
  } catch (err) {
    if (err instanceof MarkerNotFound) throw new InvalidParameterValueError(`The marker ${page.marker} could not be found.`);
    throw err;
  }
  const owner = await nodeDeps(c).registry.ownerLookup();
  const views = cachedViews(c, detail ? 'detail' : fields ? `fields:${fields.join(',')}` : 'summary', owner);
  const shape = detail ? {} : { fields: fields ?? undefined, summary: !fields };
  const parts = heads.map((h) => views.get(h));
  const missing = heads.filter((_, i) => parts[i] === undefined).map((h) => h.uuid);
  if (missing.length) {
    const fresh = new Map<string, NodeRecord>();
    for (const n of loaded) fresh.set(n.uuid, n);
    const at = new Map(heads.map((h, i) => [h.uuid, i]));
    // The first list after a start serialises every node of the page (~100 µs each): in slices, letting the
    // event loop answer the GETs that arrive meanwhile (the polling mix's tail was GETs queued behind a page).
    for (let i = 0; i < missing.length; i += VIEW_SLICE) {
      if (i > 0) await yieldToEventLoop();
      const slice = missing.slice(i, i + VIEW_SLICE);
      const toRead = slice.filter((u) => !fresh.has(u));
      if (toRead.length) for (const n of await c.get('deps').tables.nodes.list({ filters: [{ col: 'uuid', op: 'in', value: toRead }] })) fresh.set(n.uuid, n);
      for (const uuid of slice) {
        const n = fresh.get(uuid);
        if (n) parts[at.get(uuid)!] = views.render(n, shape); // else deleted between the two reads
        fresh.delete(uuid);
      }
    }
  }
  const next = nextLink(c, detailPath ? `${collection}/detail` : collection, heads.length, page, heads.at(-1)?.uuid);
  // Assembled from cached JSON fragments: the same bytes c.json would produce, without re-serialising.
  const chunks: Buffer[] = [LIST_OPEN];
  for (const p of parts) {
    if (p === undefined) continue; // deleted between the two reads
    if (chunks.length > 1) chunks.push(COMMA);
    chunks.push(p);
  }
  chunks.push(Buffer.from(`]${next ? `,"next":${JSON.stringify(next)}` : ''}}`));
  return c.body(Buffer.concat(chunks) as Uint8Array<ArrayBuffer>, 200, { 'Content-Type': 'application/json' });
}

/** Nodes serialised between two yields to the event loop when a list finds their views missing. */
const VIEW_SLICE = 100;

const LIST_OPEN = Buffer.from('{"nodes":[');
const COMMA = Buffer.from(',');

/** What decides whether a cached view is still the node's: its row version and the inputs of `conductor`. */
type NodeHead = Pick<NodeRecord, 'id' | 'uuid' | 'version' | 'driver' | 'conductorGroup' | 'createdAt' | 'owner' | 'lessee'>;
const HEAD_COLUMNS = ['id', 'uuid', 'version', 'driver', 'conductorGroup', 'createdAt', 'owner', 'lessee'];

/**
 * The cached views of one request's `shape` (detail, summary or the field list) at its version and base URL;
 * the cache compares the owning conductor too, and the row's id, version and creation time (ViewKey). A
 * lessee's view hides owner-only fields (api/auth/authorize.ts redactNode), so it is cached apart.
 */
function cachedViews(c: Ctx, shape: string, owner: Owner) {
  const cache = viewCache(c);
  const variant = `${c.get('minor')}|${c.get('base')}|${shape}`;
  const ownerOf = (n: NodeHead) => owner(n.uuid, n.driver, n.conductorGroup);
  const variantOf = (n: NodeHead) => (redactNode(c, n) ? `${variant}|redacted` : variant);
  const put = (n: NodeRecord, json: string, conductor = ownerOf(n)): Buffer => {
    const bytes = Buffer.from(json);
    cache.put(n, variantOf(n), conductor, bytes);
    return bytes;
  };
  return {
    get: (n: NodeHead) => cache.get(n, variantOf(n), ownerOf(n)),
    put,
    /** Serialises the view of `n` in this request's shape (`shape` must be what the cache variant names) and keeps it. */
    render(n: NodeRecord, shape: Pick<ViewOptions, 'fields' | 'summary'> = {}): Buffer {
      const conductor = ownerOf(n);
      const wire = nodeViewOf(n, { minor: c.get('minor'), base: c.get('base'), redact: redactNode(c, n), ...shape }, conductor);
      return put(n, JSON.stringify(wire), conductor);
    },
  };
}

type Owner = NonNullable<ViewOptions['owner']>;

/** findNode's lookup (UUID, or name from 1.5), reading only the head columns. */
async function findNodeHead(c: Ctx, ident: string, minor: number): Promise<NodeHead> {
  const nodes = c.get('deps').tables.nodes;
  const uuid = normalizeUuid(ident);
  const head = uuid ? await nodes.findColumnsBy('uuid', uuid, HEAD_COLUMNS) : minor >= 5 ? await nodes.findColumnsBy('name', ident, HEAD_COLUMNS) : null;
  // Not found: findNode raises exactly the error a full read would.
  if (!head) return findNode(c.get('deps').tables, ident, minor);
  return head as unknown as NodeHead;
}

/**
 * The cached full view GET /v1/nodes/{uuid} would answer for a system admin (no redaction) at `minor` and
 * `base`, or undefined when the node is unknown or its view is not cached at its current row version — the
 * caller then takes the full path, which answers (and caches) it. For api/fast-get.ts.
 */
export async function cachedNodeView(deps: ApiDeps, uuid: string, minor: number, base: string): Promise<Buffer | undefined> {
  const head = (await deps.tables.nodes.findColumnsBy('uuid', uuid, HEAD_COLUMNS)) as unknown as NodeHead | null;
  if (!head) return undefined;
  const owner = await deps.registry.ownerLookup();
  return cacheOf(deps.store).get(head, `${minor}|${base}|detail`, owner(head.uuid, head.driver, head.conductorGroup));
}

const VIEW_CACHES = new WeakMap<object, NodeViewCache>();

/** One cache per store, so separate services in one process (tests) never share entries. */
function viewCache(c: Ctx): NodeViewCache {
  return cacheOf(c.get('deps').store);
}

function cacheOf(store: object): NodeViewCache {
  let cache = VIEW_CACHES.get(store);
  if (!cache) {
    cache = new NodeViewCache();
    VIEW_CACHES.set(store, cache);
  }
  return cache;
}

/**
 * The full view of a node just written, as c.json would send it, kept in the view cache: the GET that
 * usually follows a write (a client checking its change, a controller's next poll) then finds it there.
 */
async function answerWithView(c: Ctx, node: NodeRecord, status: 200 | 201): Promise<Response> {
  const owner = await nodeDeps(c).registry.ownerLookup();
  const json = cachedViews(c, 'detail', owner).render(node);
  return c.body(json as Uint8Array<ArrayBuffer>, status, { 'Content-Type': 'application/json' });
}

/** Runs `change` on a fresh read of `node`, queued behind other writers of it and retried when one wins a race. */
function rewriteNode<T>(c: Ctx, node: Pick<NodeRecord, 'id' | 'uuid'>, change: (fresh: NodeRecord) => Promise<T>): Promise<T> {
  return rewriteRecord(`nodes:${node.id}`, async () => change(await findNode(c.get('deps').tables, node.uuid, c.get('minor'))));
}

/**
 * Who may enrol: a system admin, or (as Ironic's project_admin_can_manage_own_nodes allows) a project admin,
 * whose node then belongs to its project. @throws 403, or 400 for another project as owner.
 */
function authorizeCreate(c: Ctx, input: Partial<NodeRecord>): Partial<NodeRecord> {
  const actor = c.get('actor');
  const selfOwned = allows('baremetal:node:create:self_owned_node', actor);
  if (!selfOwned && !allows('baremetal:node:create', actor)) throw forbidden('baremetal:node:create');
  if (actor.project === null || !selfOwned) return input;
  if (input.owner && input.owner !== actor.project) {
    throw new InvalidError('Cannot create a node as a project scoped admin with an owner other than your own project.');
  }
  return { ...input, owner: actor.project };
}

/** Turns a JSON Patch on the wire form into record changes (secrets are patched in clear, masked on output). */
function patchToChanges(node: NodeRecord, body: unknown, minor: number): Partial<NodeRecord> {
  const ops = parsePatch(body);
  if (ops.some((o) => o.path === '/traits' || o.path.startsWith('/traits/'))) {
    throw new InvalidParameterValueError('Cannot update node traits via node patch. Node traits should be updated via the node traits API.');
  }
  return patchChanges(node, body, NODE_FIELDS, minor, 'node');
}

export function nodeRoutes(): Hono<ApiEnv> {
  const r = new Hono<ApiEnv>({ strict: false });

  r.get('/nodes', (c) => listNodes(c, false));
  r.get('/nodes/detail', (c) => listNodes(c, true));

  r.post('/nodes', async (c) => {
    const minor = c.get('minor');
    const input = parseCreateBody(await readJson(c), NODE_FIELDS, minor, 'node') as Partial<NodeRecord>;
    const node = await createNode(nodeDeps(c), authorizeCreate(c, input), minor);
    // For the audit trail, which would otherwise parse the answer again to learn the new node's UUID.
    c.set('createdUuid', node.uuid);
    c.header('Location', `${c.get('base')}/v1/nodes/${node.uuid}`);
    return answerWithView(c, node, 201);
  });

  r.get('/nodes/:ident', async (c) => {
    const minor = c.get('minor');
    const fields = parseFieldsParam(c.req.query('fields'), NODE_FIELDS, minor, ['links', 'ports', 'states', 'portgroups', 'volume']);
    // Controllers poll each node every few seconds and most polls find it unchanged: a read of the head
    // columns decides whether the serialised view of the last answer (or list) still holds.
    const head = await findNodeHead(c, c.req.param('ident'), minor);
    const owner = await nodeDeps(c).registry.ownerLookup();
    const views = cachedViews(c, fields ? `fields:${fields.join(',')}` : 'detail', owner);
    let json = views.get(head);
    if (json === undefined) {
      const node = await findNode(c.get('deps').tables, head.uuid, minor);
      json = views.render(node, { fields });
    }
    // The bytes c.json would send.
    return c.body(json as Uint8Array<ArrayBuffer>, 200, { 'Content-Type': 'application/json' });
  });

  r.patch('/nodes/:ident', async (c) => {
    const minor = c.get('minor');
    const node = await findNode(c.get('deps').tables, c.req.param('ident'), minor);
    const reset = boolParam(c, 'reset_interfaces');
    if (reset !== undefined && minor < 45) throw new NotAcceptableError('The reset_interfaces parameter requires API version 1.45 or later.');
    const body = await readJson(c);
    const ops = parsePatch(body);
    for (const rule of nodePatchRules(ops)) authorizeOnNode(c, rule, node);
    if (node.provisionState === 'active' && ops.some((o) => o.path === '/owner' && o.op !== 'remove') && !allowedOnNode(c, 'baremetal:node:update_owner_provisioned', node)) {
      throw new ConflictError(`Cannot update owner of node "${node.uuid}" while it is in state "active".`);
    }
    const saved = await rewriteNode(c, node, (fresh) => updateNode(nodeDeps(c), fresh, patchToChanges(fresh, body, minor), { resetInterfaces: reset }));
    return answerWithView(c, saved, 200);
  });

  r.delete('/nodes/:ident', async (c) => {
    const node = await findNode(c.get('deps').tables, c.req.param('ident'), c.get('minor'));
    // A project admin may delete the nodes its project owns (Ironic's project_admin_can_manage_own_nodes).
    if (!allowedOnNode(c, 'baremetal:node:delete', node)) authorizeOnNode(c, 'baremetal:node:delete:self_owned_node', node);
    await deleteNode(nodeDeps(c), node);
    return c.body(null, 204);
  });

  r.get('/nodes/:ident/validate', async (c) => {
    const node = await findNode(c.get('deps').tables, c.req.param('ident'), c.get('minor'));
    return c.json(await validateNode(nodeDeps(c), node, c.get('minor')));
  });

  r.get('/nodes/:ident/states', async (c) => {
    const minor = c.get('minor');
    const node = await findNode(c.get('deps').tables, c.req.param('ident'), minor);
    const wire = await view(c, node);
    const keys = ['power_state', 'target_power_state', 'provision_state', 'target_provision_state', 'provision_updated_at',
      'last_error', 'console_enabled', 'raid_config', 'target_raid_config', 'boot_mode', 'secure_boot'];
    return c.json(Object.fromEntries(keys.filter((k) => k in wire).map((k) => [k, wire[k]])));
  });

  r.get('/nodes/:ident/traits', async (c) => {
    requireTraits(c);
    const node = await findNode(c.get('deps').tables, c.req.param('ident'), c.get('minor'));
    return c.json({ traits: node.traits });
  });
  r.put('/nodes/:ident/traits', async (c) => {
    requireTraits(c);
    const node = await findNode(c.get('deps').tables, c.req.param('ident'), c.get('minor'));
    const body = await readJson(c) as { traits?: unknown };
    if (!body || typeof body !== 'object' || !Array.isArray(body.traits)) throw new InvalidError("Schema error for traits: 'traits' must be a list of strings");
    const traits = checkTraitCount(node, [...new Set(body.traits.map((t) => checkTrait(t)))]);
    await rewriteNode(c, node, (fresh) => updateNode(nodeDeps(c), fresh, { traits }));
    return c.body(null, 204);
  });
  r.put('/nodes/:ident/traits/:trait', async (c) => {
    requireTraits(c);
    const node = await findNode(c.get('deps').tables, c.req.param('ident'), c.get('minor'));
    const trait = checkTrait(c.req.param('trait'));
    await rewriteNode(c, node, async (fresh) => (fresh.traits.includes(trait) ? fresh
      : updateNode(nodeDeps(c), fresh, { traits: checkTraitCount(fresh, [...fresh.traits, trait]) })));
    return c.body(null, 204);
  });
  r.delete('/nodes/:ident/traits', async (c) => {
    requireTraits(c);
    const node = await findNode(c.get('deps').tables, c.req.param('ident'), c.get('minor'));
    await rewriteNode(c, node, (fresh) => updateNode(nodeDeps(c), fresh, { traits: [] }));
    return c.body(null, 204);
  });
  r.delete('/nodes/:ident/traits/:trait', async (c) => {
    requireTraits(c);
    const node = await findNode(c.get('deps').tables, c.req.param('ident'), c.get('minor'));
    const trait = c.req.param('trait');
    await rewriteNode(c, node, (fresh) => {
      if (!fresh.traits.includes(trait)) throw new NotFoundError(`Node ${node.uuid} doesn't have a trait '${trait}'`);
      return updateNode(nodeDeps(c), fresh, { traits: fresh.traits.filter((t) => t !== trait) });
    });
    return c.body(null, 204);
  });

  return r;
}

// Below 1.37 Ironic routes /nodes/{node}/traits to the node itself with `traits` as the field list, and a
// field newer than the request is 406 there; the other sub-resources (vifs, bios, history…) are plain 404s.
function requireTraits(c: Ctx): void {
  if (c.get('minor') < 37) throw new NotAcceptableError('The traits resource is available from API version 1.37.');
}

/** Ironic's MAX_TRAITS_PER_NODE, for both the set-all and the add-one form. */
const MAX_TRAITS = 50;

function checkTraitCount(node: NodeRecord, traits: string[]): string[] {
  if (traits.length > MAX_TRAITS) {
    throw new InvalidParameterValueError(`Could not modify the traits of node ${node.uuid}: it would have ${traits.length} traits, at most ${MAX_TRAITS} are allowed.`);
  }
  return traits;
}

function checkTrait(t: unknown): string {
  if (!isValidTrait(t)) {
    throw new InvalidParameterValueError(`Invalid trait ${JSON.stringify(t)}: a trait is upper case letters, digits and "_", e.g. CUSTOM_RAID, at most 255 characters.`);
  }
  return t;
}

