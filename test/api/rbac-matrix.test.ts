// Project-scoped RBAC over real HTTP (http_basic + users file): every route of the app has a policy row, and a
// walk of the whole matrix — every endpoint × every role (system admin/member/reader, project admin/member/
// reader, an authenticated user with no role) × the user's project being the node's owner, its lessee or
// neither — answers exactly what the policy table says: allowed (whatever the handler then says, never a 5xx),
// Ironic's 403 naming the rule, or the record's own 404 for a project that may not see it. Independent of the
// table, it also checks what must hold whatever the table says: another project's records are always 404,
// readers and role-less users change nothing, a system admin is never refused.
// The policy is not store-specific (the list filters are: rbac-scoping.test.ts runs on every store).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENDPOINT_POLICY, type Guard } from '../../src/api/auth/endpoint-policy.js';
import { guardFor as routeGuard } from '../../src/api/auth/authorize.js';
import { allows, allowsWithoutTarget, type PolicyTarget, type RuleName } from '../../src/api/auth/policy.js';
import type { Actor } from '../../src/common/request-actor.js';
import { createApp } from '../../src/api/app.js';
import { startTestApi, type ApiResponse, type TestApi } from '../support/api-client.js';
import { writeHtpasswd } from '../support/htpasswd.js';
import { RBAC_USERS, RBAC_USERS_YAML, basicAuth, type RbacUser } from '../support/rbac-users.js';

type Relation = 'owner' | 'lessee' | 'other';

interface Fixture {
  node: string; port: string; portgroup: string; connector: string; target: string; allocation: string; chassis: string; template: string;
  owner: string; lessee: string | null; allocationOwner: string;
}

/** Extra check a handler makes after the guard (creates, patches, deletes that Ironic decides in the controller). */
interface Then { readonly rules: readonly RuleName[]; readonly on: 'node' | 'allocation' | 'none'; readonly names: RuleName }

interface Case {
  readonly method: string;
  /** The route as registered (the ENDPOINT_POLICY key). */
  readonly route: string;
  /** Concrete path; {node} etc. are filled from the fixture. */
  readonly path?: string;
  readonly body?: (f: Fixture) => unknown;
  readonly then?: Then;
  /** A server-sent event stream: only the status is read. */
  readonly stream?: boolean;
}

let mac = 0;
const nextMac = () => `52:54:00:aa:${((++mac >> 8) & 0xff).toString(16).padStart(2, '0')}:${(mac & 0xff).toString(16).padStart(2, '0')}`;
const VIF = 'b4e0a8c6-0000-4000-8000-000000000001';
const nodeThen = (rule: RuleName): Then => ({ rules: [rule], on: 'node', names: rule });

// One concrete request per route. Bodies are chosen so an allowed request either succeeds harmlessly or fails
// in the handler (400/409) — after authorisation, which is what is measured. DELETEs run last (see below).
const CASES: readonly Case[] = [
  { method: 'GET', route: '/dashboard/*', path: '/dashboard/' },
  { method: 'GET', route: '/dashboard/events', stream: true },
  { method: 'GET', route: '/nodes' },
  { method: 'GET', route: '/nodes/detail' },
  { method: 'POST', route: '/nodes', body: () => ({ driver: 'fake-hardware' }),
    then: { rules: ['baremetal:node:create:self_owned_node', 'baremetal:node:create'], on: 'none', names: 'baremetal:node:create' } },
  { method: 'GET', route: '/nodes/:ident' },
  { method: 'PATCH', route: '/nodes/:ident', body: () => [{ op: 'add', path: '/extra/rbac', value: 'x' }], then: nodeThen('baremetal:node:update_extra') },
  { method: 'GET', route: '/nodes/:ident/validate' },
  { method: 'GET', route: '/nodes/:ident/states' },
  { method: 'GET', route: '/nodes/:ident/traits' },
  { method: 'PUT', route: '/nodes/:ident/traits', body: () => ({ traits: ['CUSTOM_A'] }) },
  { method: 'PUT', route: '/nodes/:ident/traits/:trait', path: '/nodes/{node}/traits/CUSTOM_B' },
  { method: 'PUT', route: '/nodes/:ident/states/provision', body: () => ({ target: 'no-such-verb' }) },
  { method: 'PUT', route: '/nodes/:ident/states/power', body: () => ({ target: 'no-such-state' }) },
  { method: 'GET', route: '/nodes/:ident/states/console' },
  { method: 'PUT', route: '/nodes/:ident/states/console', body: () => ({ enabled: 'maybe' }) },
  { method: 'PUT', route: '/nodes/:ident/states/raid', body: () => ({ logical_disks: 'not-a-list' }) },
  { method: 'PUT', route: '/nodes/:ident/states/boot_mode', body: () => ({ target: 'no-such-mode' }) },
  { method: 'PUT', route: '/nodes/:ident/states/secure_boot', body: () => ({ target: 'maybe' }) },
  { method: 'GET', route: '/nodes/:ident/management/boot_device' },
  { method: 'GET', route: '/nodes/:ident/management/boot_device/supported' },
  { method: 'PUT', route: '/nodes/:ident/management/boot_device', body: () => ({ boot_device: 'no-such-device' }) },
  { method: 'PUT', route: '/nodes/:ident/management/inject_nmi', body: () => ({}) },
  { method: 'GET', route: '/nodes/:ident/management/indicators' },
  { method: 'GET', route: '/nodes/:ident/management/indicators/:indicator', path: '/nodes/{node}/management/indicators/led@system' },
  { method: 'PUT', route: '/nodes/:ident/management/indicators/:indicator', path: '/nodes/{node}/management/indicators/led@system', body: () => ({ state: 'BOGUS' }) },
  { method: 'PUT', route: '/nodes/:ident/maintenance', body: () => ({ reason: 'rbac' }) },
  { method: 'GET', route: '/nodes/:ident/history' },
  { method: 'GET', route: '/nodes/:ident/history/:event', path: '/nodes/{node}/history/detail' },
  { method: 'GET', route: '/nodes/:ident/vifs' },
  { method: 'POST', route: '/nodes/:ident/vifs', body: () => ({ id: VIF }) },
  { method: 'GET', route: '/nodes/:ident/bios' },
  { method: 'GET', route: '/nodes/:ident/bios/:name', path: '/nodes/{node}/bios/BootMode' },
  { method: 'POST', route: '/nodes/:ident/vmedia', body: () => ({ device_type: 'cdrom', image_url: 'http://127.0.0.1:9/x.iso' }) },
  { method: 'GET', route: '/nodes/:ident/vmedia' },
  { method: 'GET', route: '/nodes/:ident/inventory' },
  { method: 'GET', route: '/nodes/:ident/firmware' },
  { method: 'GET', route: '/nodes/:ident/children' },
  { method: 'GET', route: '/shards' },
  { method: 'POST', route: '/events', body: () => ({ events: [] }) },
  { method: 'GET', route: '/ports' },
  { method: 'GET', route: '/ports/detail' },
  { method: 'GET', route: '/nodes/:node/ports' },
  { method: 'GET', route: '/nodes/:node/ports/detail' },
  { method: 'GET', route: '/portgroups/:portgroup/ports' },
  { method: 'GET', route: '/portgroups/:portgroup/ports/detail' },
  { method: 'POST', route: '/ports', body: (f) => ({ node_uuid: f.node, address: nextMac() }), then: nodeThen('baremetal:port:create') },
  { method: 'GET', route: '/ports/:ident' },
  { method: 'PATCH', route: '/ports/:ident', body: () => [{ op: 'add', path: '/extra/rbac', value: 'x' }] },
  { method: 'GET', route: '/portgroups' },
  { method: 'GET', route: '/portgroups/detail' },
  { method: 'GET', route: '/nodes/:node/portgroups' },
  { method: 'GET', route: '/nodes/:node/portgroups/detail' },
  { method: 'POST', route: '/portgroups', body: (f) => ({ node_uuid: f.node, address: nextMac() }), then: nodeThen('baremetal:portgroup:create') },
  { method: 'GET', route: '/portgroups/:ident' },
  { method: 'PATCH', route: '/portgroups/:ident', body: () => [{ op: 'add', path: '/extra/rbac', value: 'x' }] },
  { method: 'GET', route: '/chassis' },
  { method: 'GET', route: '/chassis/detail' },
  { method: 'GET', route: '/chassis/:ident' },
  { method: 'GET', route: '/chassis/:ident/nodes' },
  { method: 'GET', route: '/chassis/:ident/nodes/detail' },
  { method: 'POST', route: '/chassis', body: () => ({ description: 'rbac' }) },
  { method: 'PATCH', route: '/chassis/:ident', body: () => [{ op: 'add', path: '/extra/rbac', value: 'x' }] },
  { method: 'GET', route: '/drivers' },
  { method: 'GET', route: '/drivers/:name', path: '/drivers/fake-hardware' },
  { method: 'GET', route: '/drivers/:name/properties', path: '/drivers/fake-hardware/properties' },
  { method: 'GET', route: '/drivers/:name/raid/logical_disk_properties', path: '/drivers/fake-hardware/raid/logical_disk_properties' },
  { method: 'GET', route: '/conductors' },
  { method: 'GET', route: '/conductors/:hostname', path: '/conductors/test-conductor' },
  { method: 'GET', route: '/allocations' },
  { method: 'POST', route: '/allocations', body: () => ({ resource_class: 'rbac-none' }),
    then: { rules: ['baremetal:allocation:create'], on: 'none', names: 'baremetal:allocation:create' } },
  { method: 'GET', route: '/allocations/:ident' },
  { method: 'PATCH', route: '/allocations/:ident', body: () => [{ op: 'add', path: '/extra/rbac', value: 'x' }] },
  { method: 'GET', route: '/nodes/:node/allocation', then: { rules: ['baremetal:allocation:get'], on: 'allocation', names: 'baremetal:allocation:get' } },
  { method: 'GET', route: '/volume' },
  { method: 'GET', route: '/nodes/:node/volume' },
  { method: 'GET', route: '/volume/connectors' },
  { method: 'GET', route: '/nodes/:node/volume/connectors' },
  { method: 'POST', route: '/volume/connectors', body: (f) => ({ node_uuid: f.node, type: 'iqn', connector_id: `iqn.2024-01.org.rbac:${nextMac()}` }),
    then: nodeThen('baremetal:volume:create') },
  { method: 'GET', route: '/volume/connectors/:ident' },
  { method: 'PATCH', route: '/volume/connectors/:ident', body: () => [{ op: 'add', path: '/extra/rbac', value: 'x' }] },
  { method: 'GET', route: '/volume/targets' },
  { method: 'GET', route: '/nodes/:node/volume/targets' },
  { method: 'POST', route: '/volume/targets', body: (f) => ({ node_uuid: f.node, volume_type: 'iscsi', boot_index: 7, volume_id: `v-${nextMac()}` }),
    then: nodeThen('baremetal:volume:create') },
  { method: 'GET', route: '/volume/targets/:ident' },
  { method: 'PATCH', route: '/volume/targets/:ident', body: () => [{ op: 'add', path: '/extra/rbac', value: 'x' }] },
  ...['connectors', 'targets'].flatMap((s): Case[] => [
    ...['POST', 'PUT', 'PATCH'].map((method) => ({ method, route: `/nodes/:node/volume/${s}`, body: () => ({}) })),
    { method: 'GET', route: `/nodes/:node/volume/${s}/:ident`, path: `/nodes/{node}/volume/${s}/{${s === 'connectors' ? 'connector' : 'target'}}` },
  ]),
  { method: 'GET', route: '/deploy_templates' },
  { method: 'POST', route: '/deploy_templates', body: () => ({ name: `CUSTOM_RBAC_${++mac}`, steps: [{ interface: 'deploy', step: 'x', args: {}, priority: 1 }] }) },
  { method: 'GET', route: '/deploy_templates/:ident' },
  { method: 'PATCH', route: '/deploy_templates/:ident', body: () => [{ op: 'add', path: '/extra/rbac', value: 'x' }] },
  // Destructive ones last, node last of all (the fixture node is protected, so an allowed delete is a 403
  // NodeProtected from the handler, not a policy refusal).
  { method: 'DELETE', route: '/nodes/:ident/traits/:trait', path: '/nodes/{node}/traits/CUSTOM_B' },
  { method: 'DELETE', route: '/nodes/:ident/traits' },
  { method: 'DELETE', route: '/nodes/:ident/maintenance' },
  { method: 'DELETE', route: '/nodes/:ident/vifs/:vif', path: `/nodes/{node}/vifs/${VIF}` },
  { method: 'DELETE', route: '/nodes/:ident/vmedia' },
  { method: 'DELETE', route: '/nodes/:node/allocation', then: { rules: ['baremetal:allocation:delete'], on: 'allocation', names: 'baremetal:allocation:delete' } },
  { method: 'DELETE', route: '/nodes/:node/volume/connectors' },
  { method: 'DELETE', route: '/nodes/:node/volume/targets' },
  { method: 'DELETE', route: '/ports/:ident' },
  { method: 'DELETE', route: '/portgroups/:ident' },
  { method: 'DELETE', route: '/volume/connectors/:ident' },
  { method: 'DELETE', route: '/volume/targets/:ident' },
  { method: 'DELETE', route: '/allocations/:ident' },
  { method: 'DELETE', route: '/chassis/:ident' },
  { method: 'DELETE', route: '/deploy_templates/:ident' },
  { method: 'DELETE', route: '/nodes/:ident',
    then: { rules: ['baremetal:node:delete', 'baremetal:node:delete:self_owned_node'], on: 'node', names: 'baremetal:node:delete:self_owned_node' } },
];

const PLACEHOLDER: Readonly<Record<string, keyof Fixture>> = {
  ':ident': 'node', ':node': 'node', ':portgroup': 'portgroup', ':hostname': 'node', ':name': 'node',
};

/** The route with its parameters filled from the fixture (the record kind follows the path's resource). */
function concretePath(c: Case, f: Fixture): string {
  const template = c.path ?? c.route.replace(/^\/(ports|portgroups|allocations|chassis|deploy_templates)\/:ident/, (_m, res: string) =>
    `/${res}/{${({ ports: 'port', portgroups: 'portgroup', allocations: 'allocation', chassis: 'chassis', deploy_templates: 'template' } as const)[res as 'ports']}}`)
    .replace(/^\/volume\/(connectors|targets)\/:ident/, (_m, res: string) => `/volume/${res}/{${res === 'connectors' ? 'connector' : 'target'}}`);
  const filled = template.replace(/:\w+/g, (p) => `{${PLACEHOLDER[p] ?? 'node'}}`);
  return (c.route.startsWith('/dashboard') ? '' : '/v1') + filled.replace(/\{(\w+)\}/g, (_m, k: string) => String(f[k as keyof Fixture]));
}

/** The guard of a case's route (a route registered for ALL methods has its row under ALL). */
const guardFor = (method: string, route: string) => routeGuard(method, route) ?? routeGuard('ALL', route);

/** Status and first bytes of a stream, then hang up. */
async function probeStream(api: TestApi, path: string, headers: Record<string, string>): Promise<ApiResponse> {
  const ctl = new AbortController();
  const res = await fetch(api.origin + path, { headers, signal: ctl.signal });
  const text = res.status === 200 ? '' : await res.text();
  ctl.abort();
  let error: string | undefined;
  try { error = JSON.parse(JSON.parse(text).error_message).faultstring; } catch { error = undefined; }
  return { status: res.status, headers: res.headers, body: undefined, text, error };
}

type Outcome = { kind: 'allowed' } | { kind: 'forbidden'; rule: string } | { kind: 'hidden' };

function relationTarget(f: Fixture): PolicyTarget {
  return { nodeOwner: f.owner, nodeLessee: f.lessee };
}

/** What the policy table says this user gets (computed from the rules, checked against the wire). */
function expected(c: Case, guard: Guard, actor: Actor, f: Fixture): Outcome {
  const node = relationTarget(f);
  const allocation = { allocationOwner: f.allocationOwner };
  const visible = (kind: string, rule: RuleName): Outcome | null => {
    const vis: RuleName = kind === 'allocation' ? 'baremetal:allocation:get' : 'baremetal:node:get';
    const target = kind === 'allocation' ? allocation : node;
    if (!allows(vis, actor, target)) return actor.project !== null ? { kind: 'hidden' } : { kind: 'forbidden', rule: vis };
    return allows(rule, actor, target) ? null : { kind: 'forbidden', rule };
  };
  let out: Outcome | null = null;
  switch (guard.on) {
    case 'public': break;
    case 'system': if (!allowsWithoutTarget(guard.rule, actor)) out = { kind: 'forbidden', rule: guard.rule }; break;
    case 'body': break;
    case 'list': {
      if (guard.parent) out = visible(guard.parent.on, 'baremetal:node:get');
      if (!out && !allows(guard.rules[0], actor)) {
        if (actor.project === null) out = { kind: 'forbidden', rule: guard.rules[0] };
        else if (!allows(guard.rules[1], actor)) out = { kind: 'forbidden', rule: guard.rules[1] };
      }
      break;
    }
    default: out = visible(guard.on, guard.rule);
  }
  if (!out && c.then) {
    const target = c.then.on === 'node' ? node : c.then.on === 'allocation' ? allocation : {};
    if (!c.then.rules.some((r) => allows(r, actor, target))) out = { kind: 'forbidden', rule: c.then.names };
  }
  return out ?? { kind: 'allowed' };
}

const CONCEALED = /^(Node|Port|Port group|Volume connector|Volume target|Allocation) \S+ could not be found\.$/;

function observed(r: ApiResponse): Outcome {
  if (r.status === 403 && r.error?.startsWith('Access was denied to the following resource: ')) {
    return { kind: 'forbidden', rule: r.error.slice('Access was denied to the following resource: '.length) };
  }
  if (r.status === 404 && CONCEALED.test(r.error ?? '')) return { kind: 'hidden' };
  return { kind: 'allowed' };
}

describe('RBAC policy matrix over HTTP (sqlite)', () => {
  let api: TestApi;
  let dir: string;
  const admin = () => basicAuth(RBAC_USERS.find((u) => u.name === 'sys-admin')!);
  let results: { user: RbacUser; relation: Relation; c: Case; status: number; want: Outcome; got: Outcome; text: string }[] = [];

  async function adminPost(path: string, body: unknown): Promise<any> {
    const r = await api.post(path, body, admin());
    if (r.status >= 300) throw new Error(`${path}: ${r.status} ${r.text}`);
    return r.body;
  }

  /** A fresh set of records for one user × relation: the node, what hangs off it, and system-wide ones. */
  async function fixture(relation: Relation, n: number): Promise<Fixture> {
    const owner = relation === 'owner' ? 'proj-a' : 'proj-b';
    const lessee = relation === 'lessee' ? 'proj-a' : null;
    const chassis = (await adminPost('/v1/chassis', { description: `rbac-${n}` })).uuid;
    const node = await adminPost('/v1/nodes', { driver: 'fake-hardware', name: `rbac-${n}`, owner, ...(lessee ? { lessee } : {}), chassis_uuid: chassis });
    const portgroup = (await adminPost('/v1/portgroups', { node_uuid: node.uuid, address: nextMac() })).uuid;
    const port = (await adminPost('/v1/ports', { node_uuid: node.uuid, address: nextMac(), portgroup_uuid: portgroup })).uuid;
    const connector = (await adminPost('/v1/volume/connectors', { node_uuid: node.uuid, type: 'iqn', connector_id: `iqn.2024-01.org.rbac:${n}` })).uuid;
    const target = (await adminPost('/v1/volume/targets', { node_uuid: node.uuid, volume_type: 'iscsi', boot_index: 0, volume_id: `vol-${n}` })).uuid;
    const allocationOwner = relation === 'owner' ? 'proj-a' : 'proj-b';
    const allocation = (await adminPost('/v1/allocations', { resource_class: 'rbac-none', owner: allocationOwner })).uuid;
    const template = (await adminPost('/v1/deploy_templates', { name: `CUSTOM_RBAC_FIX_${n}`, steps: [{ interface: 'deploy', step: 'x', args: {}, priority: 1 }] })).uuid;
    // Deployed and protected: an allowed DELETE of the node is refused by the handler (NodeProtected), so the
    // walk goes on with the same records.
    const rec = (await api.tables.nodes.findBy('uuid', node.uuid))!;
    await api.tables.nodes.update(rec.id, { provisionState: 'active', protected: true });
    // The allocation describes this node (as a backfill would), so /nodes/{node}/allocation finds it.
    await api.work.idle();
    const alloc = (await api.tables.allocations.findBy('uuid', allocation))!;
    await api.tables.allocations.update(alloc.id, { nodeUuid: node.uuid });
    return { node: node.uuid, port, portgroup, connector, target, allocation, chassis, template, owner, lessee, allocationOwner };
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'anvil-rbac-'));
    writeHtpasswd(join(dir, 'htpasswd'), Object.fromEntries(RBAC_USERS.map((u) => [u.name, u.password])));
    writeFileSync(join(dir, 'users.yaml'), RBAC_USERS_YAML);
    api = await startTestApi('sqlite', { authStrategy: 'http_basic', httpBasicAuthUserFile: join(dir, 'htpasswd'), authUsersFile: join(dir, 'users.yaml') },
      { http: true });
    let n = 0;
    for (const user of RBAC_USERS) {
      // A system user's answer does not depend on who owns the node: one relation is enough.
      for (const relation of (user.actor.project === null ? ['other'] : ['owner', 'lessee', 'other']) as Relation[]) {
        const f = await fixture(relation, ++n);
        for (const c of CASES) {
          const path = concretePath(c, f);
          const r = c.stream ? await probeStream(api, path, basicAuth(user)) : await api.request(c.method, path, c.body?.(f), basicAuth(user));
          const guard = guardFor(c.method, c.route)!;
          results.push({ user, relation, c, status: r.status, want: expected(c, guard, user.actor, f), got: observed(r), text: r.text.slice(0, 300) });
        }
      }
    }
    await api.work.idle();
  }, 120_000);

  afterAll(async () => {
    await api?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('has a policy row for every route of the app, and a matrix case for every guarded row', () => {
    const app = createApp(api as never);
    const routes = new Set(app.routes.filter((r) => !(r.method === 'ALL' && /(^|\/)\*$/.test(r.path)))
      .map((r) => `${r.method} ${r.path.replace(/^\/v1(?=\/|$)/, '') || '/'}`));
    const missing = [...routes].filter((k) => !(k in ENDPOINT_POLICY));
    expect(missing).toEqual([]);
    const cased = new Set(CASES.map((c) => `${c.method} ${c.route}`));
    const uncased = Object.entries(ENDPOINT_POLICY).filter(([k, g]) => g.on !== 'public' && !cased.has(k) && !k.startsWith('ALL ')).map(([k]) => k);
    expect(uncased).toEqual([]);
    for (const c of CASES) expect(guardFor(c.method, c.route), `${c.method} ${c.route}`).toBeDefined();
  });

  it('answers every endpoint × role × owner/lessee/other as the policy says', () => {
    // The test app has no live node feed: its stream answers 503 to those allowed to open it.
    const wrong = results.filter((r) => JSON.stringify(r.want) !== JSON.stringify(r.got) || (r.status >= 500 && !(r.c.stream && r.status === 503)))
      .map((r) => `${r.user.name}/${r.relation} ${r.c.method} ${r.c.route}: want ${JSON.stringify(r.want)} got ${r.status} ${r.text}`);
    expect(wrong).toEqual([]);
    console.info(`policy matrix: ${results.length} requests (${CASES.length} endpoints × ${new Set(results.map((r) => `${r.user.name}/${r.relation}`)).size} user × relation)`);
    // The walk really exercised all three answers.
    expect(results.length).toBeGreaterThan(CASES.length * 12);
    for (const kind of ['allowed', 'forbidden', 'hidden']) expect(results.some((r) => r.got.kind === kind), kind).toBe(true);
  });

  it("hides another project's records entirely, whatever the role", () => {
    const recordRoutes = (c: Case) => /:ident|:node|:portgroup/.test(c.route) && !/^\/(chassis|deploy_templates|drivers|conductors)\//.test(c.route);
    const leaks = results.filter((r) => r.user.actor.project !== null && r.relation === 'other' && recordRoutes(r.c) && r.got.kind !== 'hidden')
      .map((r) => `${r.user.name} ${r.c.method} ${r.c.route}: ${r.status}`);
    expect(leaks).toEqual([]);
  });

  it('lets readers and role-less users change nothing, and never refuses a system admin', () => {
    const writes = results.filter((r) => r.c.method !== 'GET' && (r.user.name.endsWith('reader') || r.user.name === 'nobody'));
    expect(writes.length).toBeGreaterThan(40);
    // Whatever refuses them (the policy or the handler), no write of theirs succeeds.
    expect(writes.filter((r) => r.status < 400).map((r) => `${r.user.name} ${r.c.method} ${r.c.route}: ${r.status}`)).toEqual([]);
    expect(results.filter((r) => r.user.name === 'sys-admin' && r.got.kind !== 'allowed').map((r) => `${r.c.method} ${r.c.route}`)).toEqual([]);
    expect(results.filter((r) => r.user.name === 'nobody' && r.got.kind === 'allowed' && r.status !== 403).map((r) => `${r.c.method} ${r.c.route}`))
      .toEqual(['GET /dashboard/*']);
  });

  it('answers refusals in Ironic\'s error format', () => {
    const refused = results.filter((r) => r.got.kind !== 'allowed');
    for (const r of refused.slice(0, 50)) {
      const body = JSON.parse(r.text.length < 300 ? r.text : '{}') as { error_message?: string };
      if (!body.error_message) continue;
      const inner = JSON.parse(body.error_message) as Record<string, unknown>;
      expect(inner).toMatchObject({ faultcode: 'Client', debuginfo: null });
      expect(typeof inner.faultstring).toBe('string');
    }
  });
});
