// Enforces the policy of api/auth/endpoint-policy.ts on every authenticated request, before the handler runs.
// The guard is chosen by the route that will answer (Hono's own match, so no second path parser can disagree
// with the router). A project user who may not even see the record named in the path gets that record's 404;
// one who may see it but not act gets Ironic's 403 naming the rule. System users whose role alone decides the
// rule are let through without any read, so noauth (a system admin) and operators pay nothing.
//
// Lists set the `listProject` request variable: null sees everything, a project name narrows the list to
// that project's nodes (owner or lessee) and what hangs off them. Handlers call the helpers below for the
// checks that need the body or the record (creates, node patches, redacted node fields).
import type { MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import { AllocationNotFoundError, InvalidError, NodeNotFoundError, PortgroupNotFoundError, PortNotFoundError, type AppError } from '../../common/errors.js';
import type { Actor } from '../../common/request-actor.js';
import type { NodeRecord } from '../../db/records.js';
import type { Filter } from '../../db/repository.js';
import type { Tables } from '../../db/tables.js';
import { findNode } from '../../conductor/node-service.js';
import { findPort } from '../../conductor/port-service.js';
import { findPortgroup } from '../../conductor/portgroup-service.js';
import { findAllocation } from '../../conductor/allocation-service.js';
import { CONNECTOR_KIND, TARGET_KIND, findVolumeRecord } from '../../conductor/volume-service.js';
import type { ApiEnv, Ctx } from '../context.js';
import { ENDPOINT_POLICY, NODE_PATCH_RULES, type Guard, type RecordKind } from './endpoint-policy.js';
import { allows, allowsWithoutTarget, enforce, forbidden, type PolicyTarget, type RuleName } from './policy.js';

/** The guard of `METHOD /path` (path as registered, with or without the /v1 prefix). */
export function guardFor(method: string, routePath: string): Guard | undefined {
  const path = routePath.replace(/^\/v1(?=\/|$)/, '').replace(/(?<=.)\/+$/, '') || '/';
  return ENDPOINT_POLICY[`${method} ${path}`];
}

const nodeTarget = (n: Pick<NodeRecord, 'owner' | 'lessee'> | null | undefined): PolicyTarget => ({ nodeOwner: n?.owner ?? null, nodeLessee: n?.lessee ?? null });

interface Resolved {
  readonly target: PolicyTarget;
  /** The error a user who may not see the record gets: the record's own "could not be found". */
  readonly concealed: () => AppError;
}

async function nodeOf(tables: Tables, uuid: string | null | undefined): Promise<NodeRecord | null> {
  return uuid ? tables.nodes.findBy('uuid', uuid) : null;
}

/** Reads the record and the node that decides who may see it. Not found throws the finder's own 404. */
const RESOLVE: Readonly<Record<RecordKind, (tables: Tables, ident: string, minor: number) => Promise<Resolved>>> = {
  node: async (t, ident, minor) => {
    const n = await findNode(t, ident, minor);
    return { target: nodeTarget(n), concealed: () => new NodeNotFoundError(`Node ${ident} could not be found.`) };
  },
  port: async (t, ident, minor) => {
    const p = await findPort(t, ident, minor);
    return { target: nodeTarget(await nodeOf(t, p.nodeUuid)), concealed: () => new PortNotFoundError(`Port ${ident} could not be found.`) };
  },
  portgroup: async (t, ident) => {
    const pg = await findPortgroup(t, ident);
    return { target: nodeTarget(await nodeOf(t, pg.nodeUuid)), concealed: () => new PortgroupNotFoundError(`Port group ${ident} could not be found.`) };
  },
  connector: async (t, ident) => {
    const v = await findVolumeRecord(t, CONNECTOR_KIND, ident);
    return { target: nodeTarget(await nodeOf(t, v.nodeUuid)), concealed: () => CONNECTOR_KIND.notFound(ident) };
  },
  target: async (t, ident) => {
    const v = await findVolumeRecord(t, TARGET_KIND, ident);
    return { target: nodeTarget(await nodeOf(t, v.nodeUuid)), concealed: () => TARGET_KIND.notFound(ident) };
  },
  allocation: async (t, ident) => {
    const a = await findAllocation(t, ident);
    return { target: { allocationOwner: a.owner }, concealed: () => new AllocationNotFoundError(`Allocation ${ident} could not be found.`) };
  },
};

/** The rule that decides whether a record may be seen at all, before the endpoint's own rule. */
const VISIBILITY: Readonly<Record<RecordKind, RuleName>> = {
  node: 'baremetal:node:get', port: 'baremetal:node:get', portgroup: 'baremetal:node:get', connector: 'baremetal:node:get',
  target: 'baremetal:node:get', allocation: 'baremetal:allocation:get',
};

/** Ironic's check_*_policy_and_retrieve: 404 for a record the user may not see, then 403 for the rule. */
async function checkRecord(c: Ctx, actor: Actor, kind: RecordKind, ident: string, rule: RuleName): Promise<void> {
  const visibility = VISIBILITY[kind];
  if (allowsWithoutTarget(visibility, actor) && allowsWithoutTarget(rule, actor)) return;
  const { target, concealed } = await RESOLVE[kind](c.get('deps').tables, ident, c.get('minor'));
  if (!allows(visibility, actor, target)) throw actor.project !== null ? concealed() : forbidden(visibility);
  enforce(rule, actor, target);
}

/** The project a list is narrowed to (null: everything), after Ironic's list_all-then-list fallback. */
function listScope(actor: Actor, [all, scoped]: readonly [RuleName, RuleName]): string | null {
  if (allows(all, actor)) return null;
  if (actor.project === null) throw forbidden(all);
  enforce(scoped, actor);
  return actor.project;
}

async function check(c: Ctx, actor: Actor, guard: Guard, param: (name: string) => string | undefined): Promise<void> {
  switch (guard.on) {
    case 'public':
      return;
    case 'system':
      if (!allowsWithoutTarget(guard.rule, actor)) throw forbidden(guard.rule);
      return;
    case 'list':
      if (guard.parent) await checkRecord(c, actor, guard.parent.on, param(guard.parent.param) ?? '', 'baremetal:node:get');
      c.set('listProject', listScope(actor, guard.rules));
      return;
    case 'body':
      // The handler checks the rule once it knows the node the body names.
      return;
    default:
      await checkRecord(c, actor, guard.on, param(guard.param) ?? '', guard.rule);
  }
}

/** The route Hono will answer with: the first non-middleware match after this middleware. */
function answeringRoute(c: Ctx): { index: number; method: string; path: string } | undefined {
  const routes = matchedRoutes(c);
  const method = c.req.method === 'HEAD' ? 'GET' : c.req.method;
  for (let i = c.req.routeIndex + 1; i < routes.length; i++) {
    const r = routes[i]!;
    if (r.method === method || (r.method === 'ALL' && r.path !== '*' && r.path !== '/*' && !r.path.endsWith('/*'))) {
      return { index: i, method: r.method, path: r.path };
    }
  }
  return undefined;
}

export function authorizeMiddleware(): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    c.set('listProject', null);
    const route = answeringRoute(c);
    // No route: the fallback answers 404/405 and touches nothing.
    if (!route) return next();
    const guard = guardFor(route.method, route.path);
    // A route without a row is refused rather than left open (the matrix test keeps the table complete).
    if (!guard) throw forbidden(`${route.method} ${route.path}`);
    const actor = c.get('actor');
    // The path parameters as the answering route will see them (Hono decodes them the same way there).
    const here = c.req.routeIndex;
    c.req.routeIndex = route.index;
    const params = c.req.param() as Record<string, string>;
    c.req.routeIndex = here;
    await check(c, actor, guard, (name) => params[name]);
    await next();
  };
}

// ---- helpers for handlers ----

/** Whether the user's role and scope alone grant the rule (checks that have no record, e.g. volume target properties). */
export function permits(c: Ctx, rule: RuleName): boolean {
  return allowsWithoutTarget(rule, c.get('actor'));
}

/** The project a node list outside the list endpoints (a node's children) is narrowed to, or null. */
export function nodeListProject(c: Ctx): string | null {
  return listScope(c.get('actor'), ['baremetal:node:list_all', 'baremetal:node:list']);
}

/** Filters that narrow a node list to the request's project (owner or lessee), or none. */
export function nodeScope(c: Ctx): Filter[] {
  const project = c.get('listProject');
  return project === null || project === undefined ? [] : [{ col: 'uuid', op: 'ofProject', value: project }];
}

/** Filters that narrow a list of records hanging off nodes (ports, portgroups, volume records). */
export function nodeChildScope(c: Ctx): Filter[] {
  const project = c.get('listProject');
  return project === null || project === undefined ? [] : [{ col: 'nodeUuid', op: 'ofProject', value: project }];
}

/** @throws 403 unless the rule allows this request on the node. */
export function authorizeOnNode(c: Ctx, rule: RuleName, node: Pick<NodeRecord, 'owner' | 'lessee'> | null): void {
  enforce(rule, c.get('actor'), nodeTarget(node));
}

export function allowedOnNode(c: Ctx, rule: RuleName, node: Pick<NodeRecord, 'owner' | 'lessee'>): boolean {
  return allows(rule, c.get('actor'), nodeTarget(node));
}

/** For creates: the rule against the node the body names (none or unknown: checked with no owner, as Ironic). */
export async function authorizeOnNamedNode(c: Ctx, rule: RuleName, uuid: string | null | undefined): Promise<void> {
  const actor = c.get('actor');
  if (allowsWithoutTarget(rule, actor)) return;
  enforce(rule, actor, nodeTarget(await nodeOf(c.get('deps').tables, uuid)));
}

/**
 * Moving a port or portgroup to another node (Ironic's authorize_node_link): the new node must be visible and
 * have the same owner; both refusals are the same 400, so nobody learns whether the node exists.
 */
export async function authorizeNodeLink(c: Ctx, from: string | null, to: string | null | undefined, field: string): Promise<void> {
  if (!to || to === from) return;
  const invalid = () => new InvalidError(`Unable to apply the requested ${field} '${to}'. Requested value was invalid.`);
  const tables = c.get('deps').tables;
  const [orig, next] = [await nodeOf(tables, from), await nodeOf(tables, to)];
  if (!next) return; // unknown: the service answers its own 400
  if (!allows('baremetal:node:get', c.get('actor'), nodeTarget(next)) || (orig?.owner ?? null) !== (next.owner ?? null)) throw invalid();
}

export function authorizeOnAllocation(c: Ctx, rule: RuleName, owner: string | null): void {
  enforce(rule, c.get('actor'), { allocationOwner: owner });
}

const DRIVER_INTERFACES = ['bios', 'boot', 'console', 'deploy', 'firmware', 'inspect', 'management', 'network', 'power', 'raid',
  'rescue', 'storage', 'vendor'];

/** The rules a node JSON patch needs (Ironic's _authorize_patch_and_get_node), in patch order. */
export function nodePatchRules(patch: readonly { path: string; value?: unknown }[]): RuleName[] {
  const rules: RuleName[] = [];
  let generic = false;
  for (const op of patch) {
    const hit = NODE_PATCH_RULES.find(([prefix]) => op.path.startsWith(prefix));
    const name = op.path.replace(/^\//, '');
    if (hit) rules.push(hit[1]);
    else if (name.endsWith('_interface') && DRIVER_INTERFACES.includes(name.slice(0, -'_interface'.length))) rules.push('baremetal:node:update:driver_interfaces');
    else if (op.path.startsWith('/automated_clean') && (op.value === false || /^(false|0|no|off|n|f)$/i.test(String(op.value)))) rules.push('baremetal:node:disable_cleaning');
    else generic = true;
  }
  if (generic || rules.length === 0) rules.push('baremetal:node:update');
  return rules;
}

/** Which node fields a user must not read: Ironic's filter_threshold redactions for non-owners (lessees). */
export function redactNode(c: Ctx, node: Pick<NodeRecord, 'owner' | 'lessee'>): boolean {
  const actor = c.get('actor');
  return !!actor && !allowsWithoutTarget('baremetal:node:get:filter_threshold', actor) && !allowedOnNode(c, 'baremetal:node:get:driver_info', node);
}
