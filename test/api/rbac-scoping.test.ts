// What project scoping shows and allows, on every store (the list filters are SQL): a project's lists hold
// exactly the nodes it owns or leases and what hangs off them; a lessee sees owner-only fields redacted; the
// narrower set of actions of lessees and members (Ironic's defaults, written out here independently of the
// policy table); creates by project admins and members land in their project; another project's node can
// neither be linked to nor picked as an allocation candidate.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api-client.js';
import { DIALECTS } from '../support/databases.js';
import { writeHtpasswd } from '../support/htpasswd.js';

const USERS = {
  admin: { roles: ['admin'] }, viewer: { roles: ['reader'] },
  'a-admin': { project: 'proj-a', roles: ['admin'] }, 'a-member': { project: 'proj-a', roles: ['member'] },
  'a-reader': { project: 'proj-a', roles: ['reader'] }, 'b-member': { project: 'proj-b', roles: ['member'] },
  'b-admin': { project: 'proj-b', roles: ['admin'] },
} as const;
type Who = keyof typeof USERS;
const as = (who: Who) => ({ Authorization: `Basic ${Buffer.from(`${who}:${who}-pw`).toString('base64')}` });
const DENIED = /^Access was denied to the following resource: /;

describe.each(DIALECTS)('project scoping (%s)', (dialect) => {
  let api: TestApi;
  let dir: string;
  // owned by proj-a; owned by proj-b and leased to proj-a; owned by proj-b only; nobody's
  const ids = { owned: '', leased: '', foreign: '', unowned: '' };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'anvil-rbac-scope-'));
    writeHtpasswd(join(dir, 'htpasswd'), Object.fromEntries(Object.keys(USERS).map((u) => [u, `${u}-pw`])));
    writeFileSync(join(dir, 'users.yaml'), JSON.stringify(USERS));
    api = await startTestApi(dialect, { authStrategy: 'http_basic', httpBasicAuthUserFile: join(dir, 'htpasswd'), authUsersFile: join(dir, 'users.yaml') });
    const mk = async (name: string, body: Record<string, unknown>, mac: string) => {
      const r = await api.post('/v1/nodes', { driver: 'fake-hardware', name, driver_info: { ipmi_address: `bmc-${name}.example`, ipmi_password: 'Secr3t' }, ...body }, as('admin'));
      expect(r.status, r.text).toBe(201);
      expect((await api.post('/v1/ports', { node_uuid: r.body.uuid, address: mac }, as('admin'))).status).toBe(201);
      expect((await api.post('/v1/volume/targets', { node_uuid: r.body.uuid, volume_type: 'iscsi', boot_index: 0, volume_id: `v-${name}`,
        properties: { target_iqn: `iqn.${name}` } }, as('admin'))).status).toBe(201);
      const rec = (await api.tables.nodes.findBy('uuid', r.body.uuid))!;
      await api.tables.nodes.update(rec.id, { lastError: `BMC bmc-${name}.example timed out`, driverInternalInfo: { agent_url: 'http://10.0.0.9:9999' } });
      return r.body.uuid as string;
    };
    ids.owned = await mk('owned', { owner: 'proj-a' }, '52:54:00:0a:00:01');
    ids.leased = await mk('leased', { owner: 'proj-b', lessee: 'proj-a' }, '52:54:00:0a:00:02');
    ids.foreign = await mk('foreign', { owner: 'proj-b' }, '52:54:00:0a:00:03');
    ids.unowned = await mk('unowned', {}, '52:54:00:0a:00:04');
  }, 60_000);

  afterAll(async () => {
    await api?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('lists only the nodes a project owns or leases, and what hangs off them', async () => {
    const names = async (who: Who) => (await api.get('/v1/nodes', as(who))).body.nodes.map((n: { name: string }) => n.name).sort();
    expect(await names('admin')).toEqual(['foreign', 'leased', 'owned', 'unowned']);
    expect(await names('viewer')).toEqual(['foreign', 'leased', 'owned', 'unowned']);
    expect(await names('a-reader')).toEqual(['leased', 'owned']);
    expect(await names('b-member')).toEqual(['foreign', 'leased']);
    const ports = (await api.get('/v1/ports/detail', as('a-reader'))).body.ports.map((p: { node_uuid: string }) => p.node_uuid).sort();
    expect(ports).toEqual([ids.owned, ids.leased].sort());
    const targets = (await api.get('/v1/volume/targets?detail=true', as('a-member'))).body.targets.map((t: { node_uuid: string }) => t.node_uuid).sort();
    expect(targets).toEqual([ids.owned, ids.leased].sort());
    // Filters narrow the scoped list further, never widen it.
    expect((await api.get('/v1/nodes?owner=proj-b', as('a-reader'))).body.nodes.map((n: { name: string }) => n.name)).toEqual(['leased']);
    // Pagination stays inside the scope.
    const page = await api.get('/v1/nodes?limit=1', as('a-reader'));
    expect(page.body.nodes).toHaveLength(1);
    const rest = await api.get(`/v1/nodes?limit=5&marker=${page.body.nodes[0].uuid}`, as('a-reader'));
    expect([...page.body.nodes, ...rest.body.nodes].map((n: { name: string }) => n.name).sort()).toEqual(['leased', 'owned']);
    // System-wide resources stay system-only.
    expect((await api.get('/v1/drivers', as('a-admin'))).status).toBe(403);
    expect((await api.get('/v1/conductors', as('a-admin'))).status).toBe(403);
  });

  it("redacts owner-only fields for a lessee, as Ironic's filter_threshold does", async () => {
    const leased = (await api.get(`/v1/nodes/${ids.leased}`, as('a-member'))).body;
    expect(leased.driver_info).toEqual({ content: '** Redacted - requires baremetal:node:get:driver_info permission. **' });
    expect(leased.last_error).toBe('** Value Redacted - Requires baremetal:node:get:last_error permission. **');
    expect(leased.driver_internal_info).toEqual({ content: '** Redacted - Requires baremetal:node:get:driver_internal_info permission. **' });
    expect(leased.reservation).toBe('** Redacted - requires baremetal:node:get:reservation permission. **');
    const owned = (await api.get(`/v1/nodes/${ids.owned}`, as('a-member'))).body;
    expect(owned.driver_info).toEqual({ ipmi_address: 'bmc-owned.example', ipmi_password: '******' });
    expect(owned.last_error).toBe('BMC bmc-owned.example timed out');
    // The same in lists (cached apart from the full view) and for the owner of the leased node.
    const detail = (await api.get('/v1/nodes/detail', as('a-member'))).body.nodes;
    expect(detail.find((n: { name: string }) => n.name === 'leased').driver_info.content).toMatch(/Redacted/);
    expect(detail.find((n: { name: string }) => n.name === 'owned').driver_info.ipmi_address).toBe('bmc-owned.example');
    expect((await api.get(`/v1/nodes/${ids.leased}`, as('b-member'))).body.driver_info.ipmi_address).toBe('bmc-leased.example');
    expect((await api.get(`/v1/nodes/${ids.leased}`, as('admin'))).body.last_error).toBe('BMC bmc-leased.example timed out');
    // Volume target properties: system readers and admins only.
    const t = (await api.get('/v1/volume/targets?detail=true', as('a-member'))).body.targets[0];
    expect(t.properties).toEqual({ redacted_contents: '** Value redacted: Requires permission baremetal:volume:view_target_properties access. Permission denied. **' });
    expect((await api.get('/v1/volume/targets?detail=true', as('a-admin'))).body.targets[0].properties.target_iqn).toMatch(/^iqn\./);
  });

  it("gives lessees and members Ironic's narrower set of actions", async () => {
    const put = (who: Who, node: string, sub: string, body: unknown) => api.request('PUT', `/v1/nodes/${node}/${sub}`, body, as(who));
    const patch = (who: Who, node: string, path: string, value: unknown) => api.patch(`/v1/nodes/${node}`, [{ op: 'add', path, value }], as(who));
    // Owner member: provisioning, driver_info, lessee; not the owner field, not traits (owner admin).
    expect((await put('a-member', ids.owned, 'states/provision', { target: 'manage' })).status).toBe(202);
    expect((await patch('a-member', ids.owned, '/driver_info/ipmi_port', '623')).status).toBe(200);
    expect((await patch('a-member', ids.owned, '/lessee', 'proj-c')).status).toBe(200);
    const owner = await patch('a-member', ids.owned, '/owner', 'proj-c');
    expect([owner.status, owner.error]).toEqual([403, 'Access was denied to the following resource: baremetal:node:update:owner']);
    expect((await put('a-member', ids.owned, 'traits', { traits: ['CUSTOM_X'] })).status).toBe(403);
    expect((await put('a-admin', ids.owned, 'traits', { traits: ['CUSTOM_X'] })).status).toBe(204);
    // Lessee member: power and extra, but no provisioning, no driver_info, no boot device.
    expect((await put('a-member', ids.leased, 'states/power', { target: 'power on' })).status).toBe(202);
    expect((await patch('a-member', ids.leased, '/extra/team', 'a')).status).toBe(200);
    const prov = await put('a-member', ids.leased, 'states/provision', { target: 'manage' });
    expect([prov.status, prov.error]).toEqual([403, 'Access was denied to the following resource: baremetal:node:set_provision_state']);
    expect((await patch('a-member', ids.leased, '/driver_info/ipmi_port', '623')).error).toMatch(/baremetal:node:update:driver_info$/);
    expect((await put('a-member', ids.leased, 'management/boot_device', { boot_device: 'pxe' })).status).toBe(403);
    // Lessee admin may provision (and attach VIFs), still not touch driver_info.
    const leasedPort = (await api.get(`/v1/nodes/${ids.leased}/ports`, as('a-admin'))).body.ports;
    expect(leasedPort).toHaveLength(1);
    expect((await put('a-admin', ids.leased, 'states/provision', { target: 'manage' })).status).toBe(202);
    expect((await patch('a-admin', ids.leased, '/driver_info/ipmi_port', '623')).status).toBe(403);
    // Readers change nothing; another project's node does not exist for them.
    expect((await patch('a-reader', ids.owned, '/extra/x', 'y')).status).toBe(403);
    const hidden = await put('a-admin', ids.foreign, 'states/power', { target: 'power on' });
    expect([hidden.status, hidden.error]).toEqual([404, `Node ${ids.foreign} could not be found.`]);
    expect((await api.get(`/v1/nodes/${ids.foreign}/history`, as('a-admin'))).status).toBe(404);
    // History is the owner's: the lessee sees the node but not its history.
    expect((await api.get(`/v1/nodes/${ids.leased}/history`, as('a-member'))).error).toMatch(/baremetal:node:history:get$/);
    await api.work.idle();
  });

  it('puts what project users create into their project', async () => {
    const made = await api.post('/v1/nodes', { driver: 'fake-hardware', name: 'self-owned' }, as('a-admin'));
    expect([made.status, made.body?.owner]).toEqual([201, 'proj-a']);
    const other = await api.post('/v1/nodes', { driver: 'fake-hardware', owner: 'proj-b' }, as('a-admin'));
    expect([other.status, other.error]).toEqual([400, 'Cannot create a node as a project scoped admin with an owner other than your own project.']);
    expect((await api.post('/v1/nodes', { driver: 'fake-hardware' }, as('a-member'))).error).toBe('Access was denied to the following resource: baremetal:node:create');
    // A project admin may delete its own project's nodes (not a leased one).
    expect((await api.del(`/v1/nodes/${made.body.uuid}`, as('a-admin'))).status).toBe(204);
    expect((await api.del(`/v1/nodes/${ids.leased}`, as('a-admin'))).error).toMatch(/baremetal:node:delete:self_owned_node$/);
    // Ports: owner admin only, and never moved to another owner's node.
    expect((await api.post('/v1/ports', { node_uuid: ids.leased, address: '52:54:00:0a:00:10' }, as('a-admin'))).status).toBe(403);
    const port = await api.post('/v1/ports', { node_uuid: ids.owned, address: '52:54:00:0a:00:11' }, as('a-admin'));
    expect(port.status).toBe(201);
    const move = await api.patch(`/v1/ports/${port.body.uuid}`, [{ op: 'replace', path: '/node_uuid', value: ids.foreign }], as('admin'));
    expect([move.status, move.error]).toEqual([400, `Unable to apply the requested node_uuid '${ids.foreign}'. Requested value was invalid.`]);
    // Allocations: a member's belongs to its project, candidates only among its nodes, lists only its own.
    const alloc = await api.post('/v1/allocations', { resource_class: 'none-such' }, as('a-member'));
    expect([alloc.status, alloc.body?.owner]).toEqual([201, 'proj-a']);
    const foreignCandidate = await api.post('/v1/allocations', { resource_class: 'x', candidate_nodes: [ids.foreign] }, as('a-member'));
    expect([foreignCandidate.status, foreignCandidate.error]).toEqual([400, `Nodes cannot be found: ${ids.foreign}`]);
    const forOther = await api.post('/v1/allocations', { resource_class: 'x', owner: 'proj-b' }, as('a-member'));
    expect(forOther.status).toBe(403);
    expect((await api.post('/v1/allocations', { resource_class: 'none-such' }, as('b-member'))).status).toBe(201);
    expect((await api.get('/v1/allocations', as('a-reader'))).body.allocations.map((a: { owner: string }) => a.owner)).toEqual(['proj-a']);
    expect((await api.get('/v1/allocations?owner=proj-b', as('a-reader'))).error).toMatch(DENIED);
    expect((await api.get('/v1/allocations', as('admin'))).body.allocations).toHaveLength(2);
    await api.work.idle();
  });
});
