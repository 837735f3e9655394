// /v1/allocations and /v1/nodes/{node}/allocation on every store: the matching (resource class, traits, candidate
// nodes, name preference, locks), backfill, PATCH, deletion giving the node back, filters, version gates, and
// refusals that leave the store untouched.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { startTestApi, type TestApi } from '../support/api-client.js';
import { expectIronicError, expectRefused } from '../support/api-assertions.js';

const at = (v: string) => ({ 'X-OpenStack-Ironic-API-Version': v });
const BASE = 'http://127.0.0.1:6385';

let seq = 0;
/** Each test matches its own resource class, so allocations of one test never take nodes of another. */
const rc = () => `rc-${++seq}`;

describe.each(DIALECTS)('allocations API (%s)', (dialect) => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi(dialect);
  });
  afterAll(() => api.close());

  /** An allocatable node; `state` seeds what enrolment and power sync would have set. */
  const newNode = async (resourceClass: string, state: Record<string, unknown> = {}, body: Record<string, unknown> = {}) => {
    const res = await api.post('/v1/nodes', { driver: 'fake-hardware', resource_class: resourceClass, ...body });
    expect(res.status, res.text).toBe(201);
    const node = await api.tables.nodes.findBy('uuid', res.body.uuid);
    await api.tables.nodes.update(node!.id, { provisionState: 'available', powerState: 'power off', ...state });
    return res.body.uuid as string;
  };
  const node = async (uuid: string) => (await api.get(`/v1/nodes/${uuid}`)).body;
  /** Creates an allocation and waits for the background matching to settle. */
  const allocate = async (body: Record<string, unknown>, headers?: Record<string, string>) => {
    const res = await api.post('/v1/allocations', body, headers);
    expect(res.status, res.text).toBe(201);
    await api.work.idle();
    return (await api.get(`/v1/allocations/${res.body.uuid}`)).body;
  };

  describe('matching', () => {
    it('answers 201 "allocating" at once, then reserves a matching node in the background', async () => {
      const cls = rc();
      const target = await newNode(cls, { traits: ['CUSTOM_GPU', 'CUSTOM_FAST'] });
      const res = await api.post('/v1/allocations', { resource_class: cls, traits: ['CUSTOM_GPU'], name: 'alloc-first', extra: { a: 1 } });
      expect(res.status, res.text).toBe(201);
      expect(Object.keys(res.body)).toEqual(['uuid', 'created_at', 'updated_at', 'candidate_nodes', 'extra', 'last_error', 'name', 'owner',
        'resource_class', 'state', 'traits', 'links', 'node_uuid']);
      expect(res.body).toMatchObject({ state: 'allocating', node_uuid: null, resource_class: cls, traits: ['CUSTOM_GPU'], candidate_nodes: [] });
      expect(res.headers.get('location')).toBe(`${BASE}/v1/allocations/${res.body.uuid}`);
      expect(res.body.links).toEqual([{ href: `${BASE}/v1/allocations/${res.body.uuid}`, rel: 'self' },
        { href: `${BASE}/allocations/${res.body.uuid}`, rel: 'bookmark' }]);
      await api.work.idle();
      const done = (await api.get('/v1/allocations/alloc-first')).body;
      expect(done).toMatchObject({ uuid: res.body.uuid, state: 'active', node_uuid: target, last_error: null });
      const n = await node(target);
      expect(n).toMatchObject({ instance_uuid: res.body.uuid, allocation_uuid: res.body.uuid });
      expect(n.instance_info.traits).toEqual(['CUSTOM_GPU']);
      expect((await api.get(`/v1/nodes/${target}/allocation`)).body).toEqual(done);
    });

    it('takes only available, powered, unclaimed, non-maintenance nodes of the class', async () => {
      const cls = rc();
      await newNode(cls, { maintenance: true });
      await newNode(cls, { provisionState: 'manageable' });
      await newNode(cls, { powerState: null });
      await newNode(cls, { instanceUuid: '6a1e6f3b-90c1-45c8-a3f4-2d8e2f0c1a11' });
      await newNode(rc());
      const a = await allocate({ resource_class: cls });
      expect(a).toMatchObject({ state: 'error', node_uuid: null,
        last_error: `Failed to process allocation ${a.uuid}: no available nodes match the resource class ${cls}.` });
      const good = await newNode(cls);
      expect(await allocate({ resource_class: cls })).toMatchObject({ state: 'active', node_uuid: good });
    });

    it('requires every requested trait', async () => {
      const cls = rc();
      await newNode(cls, { traits: ['CUSTOM_A'] });
      const both = await newNode(cls, { traits: ['CUSTOM_A', 'CUSTOM_B', 'CUSTOM_C'] });
      expect(await allocate({ resource_class: cls, traits: ['CUSTOM_A', 'CUSTOM_B'] })).toMatchObject({ state: 'active', node_uuid: both });
      const none = await allocate({ resource_class: cls, traits: ['CUSTOM_A', 'CUSTOM_Z'] });
      expect(none).toMatchObject({ state: 'error',
        last_error: `Failed to process allocation ${none.uuid}: no suitable nodes have the requested traits CUSTOM_A, CUSTOM_Z.` });
    });

    it('limits the search to candidate nodes, given by name or UUID and shown as UUIDs', async () => {
      const cls = rc();
      await newNode(cls);
      const named = await newNode(cls, {}, { name: `cand-${seq}` });
      const a = await allocate({ resource_class: cls, candidate_nodes: [`cand-${seq}`] });
      expect(a).toMatchObject({ state: 'active', node_uuid: named, candidate_nodes: [named] });
      const busy = await allocate({ resource_class: cls, candidate_nodes: [named] });
      expect(busy).toMatchObject({ state: 'error',
        last_error: `Failed to process allocation ${busy.uuid}: none of the requested nodes are available and match the resource class ${cls}.` });
      await expectRefused(api, () => api.post('/v1/allocations', { resource_class: cls, candidate_nodes: [named, 'ghost-1', 'ghost-2'] }), 400,
        'Nodes cannot be found: ghost-1, ghost-2');
    });

    it('prefers the node named like the allocation (1.79)', async () => {
      for (let i = 0; i < 4; i++) {
        const cls = rc();
        for (let j = 0; j < 3; j++) await newNode(cls);
        const twin = await newNode(cls, {}, { name: `twin-${seq}` });
        for (let j = 0; j < 3; j++) await newNode(cls);
        expect(await allocate({ resource_class: cls, name: `twin-${seq}` })).toMatchObject({ state: 'active', node_uuid: twin });
      }
    });

    it('skips a locked node and reserves another; gives up after retrying when all are locked', async () => {
      const cls = rc();
      // Named like the allocation, the locked node is the first one tried.
      const locked = await newNode(cls, { reservation: 'other-conductor' }, { name: `locked-${seq}` });
      const free = await newNode(cls);
      expect(await allocate({ resource_class: cls, name: `locked-${seq}` })).toMatchObject({ state: 'active', node_uuid: free });
      expect((await node(locked)).instance_uuid).toBeNull();
      const stuck = await allocate({ resource_class: cls });
      expect(stuck).toMatchObject({ state: 'error', last_error: `Failed to process allocation ${stuck.uuid}: could not reserve any of 1 suitable nodes.` });
    });

    it('never gives one node to two allocations made at once', async () => {
      const cls = rc();
      const nodes = [await newNode(cls), await newNode(cls), await newNode(cls)];
      const created = await Promise.all(Array.from({ length: 5 }, () => api.post('/v1/allocations', { resource_class: cls })));
      expect(created.map((r) => r.status)).toEqual([201, 201, 201, 201, 201]);
      await api.work.idle();
      const all = (await api.get(`/v1/allocations?resource_class=${cls}`)).body.allocations as { state: string; node_uuid: string | null; uuid: string }[];
      const active = all.filter((a) => a.state === 'active');
      expect(active.map((a) => a.node_uuid).sort()).toEqual([...nodes].sort());
      expect(all.filter((a) => a.state === 'error')).toHaveLength(2);
      for (const a of active) expect((await node(a.node_uuid!)).instance_uuid).toBe(a.uuid);
    });

    it('only takes nodes owned or leased by the allocation owner (1.60)', async () => {
      const cls = rc();
      await newNode(cls, { owner: 'project-a' });
      const leased = await newNode(cls, { owner: 'project-a', lessee: 'project-b' });
      expect(await allocate({ resource_class: cls, owner: 'project-b' })).toMatchObject({ state: 'active', node_uuid: leased, owner: 'project-b' });
      expect((await allocate({ resource_class: cls, owner: 'project-c' })).state).toBe('error');
      await expectRefused(api, () => api.post('/v1/allocations', { resource_class: cls, owner: 'project-b' }, at('1.59')), 406);
      expectIronicError(await api.get('/v1/allocations?owner=project-b', at('1.59')), 406);
      expect((await api.get(`/v1/allocations?resource_class=${cls}`, at('1.59'))).body.allocations[0]).not.toHaveProperty('owner');
    });
  });

  describe('backfill (1.58)', () => {
    it('links an active node, taking its instance UUID', async () => {
      const cls = rc();
      const instance = '3f0bb3f8-54ab-4c8b-9a1d-1c8e62c5a0d4';
      const n = await newNode(cls, { provisionState: 'active', instanceUuid: instance, traits: ['CUSTOM_X'] });
      const res = await api.post('/v1/allocations', { node: n, traits: ['CUSTOM_X'] });
      expect(res.status, res.text).toBe(201);
      expect(res.body).toMatchObject({ uuid: instance, state: 'active', node_uuid: n, resource_class: cls });
      expect(await node(n)).toMatchObject({ instance_uuid: instance, allocation_uuid: instance });
    });

    it('fails for a node that is not deployed, recording the error on the allocation', async () => {
      const n = await newNode(rc());
      const res = await api.post('/v1/allocations', { node: n, name: `bf-${seq}` });
      expectIronicError(res, 500, new RegExp(`Cannot backfill an allocation for node ${n}: Node must be in the "active" state, but the current state is "available"`));
      expect((await api.get(`/v1/allocations/bf-${seq}`)).body).toMatchObject({ state: 'error', node_uuid: null });
      expect((await node(n)).allocation_uuid).toBeNull();
    });

    it('is refused before 1.58 and for unknown nodes', async () => {
      const n = await newNode(rc(), { provisionState: 'active' });
      await expectRefused(api, () => api.post('/v1/allocations', { node: n }, at('1.57')), 400,
        'Cannot set node when creating an allocation in this API version');
      await expectRefused(api, () => api.post('/v1/allocations', { node: 'no-such-node' }), 400, 'Node no-such-node could not be found.');
    });
  });

  describe('create validation', () => {
    it.each([
      ['no resource class', {}, 'The resource_class field is mandatory when not backfilling'],
      ['an invalid name', { resource_class: 'x', name: 'bad name' }, "Cannot create allocation with invalid name 'bad name'"],
      ['an invalid trait', { resource_class: 'x', traits: ['gpu'] }, /'gpu' is not valid under any of the given schemas/],
      ['a non-string candidate', { resource_class: 'x', candidate_nodes: [1] }, /1 is not of type 'string'/],
      ['a too long resource class', { resource_class: 'x'.repeat(81) }, /resource_class is longer than 80 characters/],
      ['an unknown field', { resource_class: 'x', state: 'active' }, /'state' was unexpected/],
      ['a bad UUID', { resource_class: 'x', uuid: 'nope' }, /Expected a UUID for uuid/],
    ])('refuses %s with 400', async (_what, body, message) => {
      await expectRefused(api, () => api.post('/v1/allocations', body), 400, message);
    });

    it('refuses duplicate names and UUIDs with 409', async () => {
      const a = await allocate({ resource_class: rc(), name: `dup-${seq}` });
      await expectRefused(api, () => api.post('/v1/allocations', { resource_class: 'x', name: a.name }), 409, `An allocation with name ${a.name} already exists.`);
      await expectRefused(api, () => api.post('/v1/allocations', { resource_class: 'x', uuid: a.uuid }), 409, `An allocation with UUID ${a.uuid} already exists.`);
    });
  });

  describe('list, show, patch', () => {
    it('filters by node, resource class and state, and shows every field in plain lists', async () => {
      const cls = rc();
      const n = await newNode(cls, {}, { name: `listed-${seq}` });
      const ok = await allocate({ resource_class: cls });
      const failed = await allocate({ resource_class: cls });
      expect((await api.get(`/v1/allocations?resource_class=${cls}`)).body.allocations).toEqual([ok, failed]);
      expect((await api.get(`/v1/allocations?node=listed-${seq}`)).body.allocations).toEqual([ok]);
      expect((await api.get(`/v1/allocations?resource_class=${cls}&state=error`)).body.allocations).toEqual([failed]);
      expect((await api.get(`/v1/allocations?resource_class=${cls}&fields=state,node_uuid`)).body.allocations)
        .toEqual([{ state: 'active', node_uuid: n, links: ok.links }, { state: 'error', node_uuid: null, links: failed.links }]);
      const page = await api.get(`/v1/allocations?resource_class=${cls}&limit=1`);
      expect(page.body.next).toBe(`${BASE}/v1/allocations?resource_class=${cls}&limit=1&marker=${ok.uuid}`);
      expectIronicError(await api.get('/v1/allocations?node=ghost-node'), 400, 'Node ghost-node could not be found.');
      expectIronicError(await api.get('/v1/allocations?sort_key=traits'), 400);
      expectIronicError(await api.get('/v1/allocations/no-such-allocation'), 404, 'Allocation no-such-allocation could not be found.');
    });

    it('answers for a node without allocation as Ironic does', async () => {
      const n = await newNode(rc(), {}, { name: `bare-${seq}` });
      expectIronicError(await api.get(`/v1/nodes/bare-${seq}/allocation`), 404, `Allocation for node bare-${seq} was not found`);
      expectIronicError(await api.get('/v1/nodes/ghost-node/allocation'), 400, 'Node ghost-node could not be found.');
      expectIronicError(await api.del('/v1/nodes/ghost-node/allocation'), 404, 'Node ghost-node could not be found.');
      expectIronicError(await api.del(`/v1/nodes/${n}/allocation`), 404);
    });

    it('patches name and extra only (1.57)', async () => {
      const a = await allocate({ resource_class: rc(), name: `p-${seq}` });
      const other = await allocate({ resource_class: rc(), name: `p-${seq}` });
      const res = await api.patch(`/v1/allocations/${a.uuid}`, [{ op: 'replace', path: '/name', value: `renamed-${seq}` }, { op: 'add', path: '/extra/k', value: 'v' }]);
      expect(res.status, res.text).toBe(200);
      expect(res.body).toMatchObject({ name: `renamed-${seq}`, extra: { k: 'v' } });
      const patch = (ops: unknown, headers?: Record<string, string>) => () => api.patch(`/v1/allocations/${a.uuid}`, ops, headers);
      await expectRefused(api, patch([{ op: 'replace', path: '/resource_class', value: 'y' }]), 400, /^Cannot patch \/resource_class/);
      await expectRefused(api, patch([{ op: 'replace', path: '/name', value: 'bad name' }]), 400, "Cannot update allocation with invalid name 'bad name'");
      await expectRefused(api, patch([{ op: 'replace', path: '/name', value: other.name }]), 409, `An allocation with name ${other.name} already exists.`);
      await expectRefused(api, patch([{ op: 'add', path: '/extra/z', value: 1 }], at('1.56')), 405, 'The API version does not allow updating allocations');
    });
  });

  describe('deletion', () => {
    it('gives the node back, but not while it is deployed unless in maintenance', async () => {
      const cls = rc();
      const n = await newNode(cls, { instanceInfo: { image_source: 'http://images/x.qcow2' } });
      const a = await allocate({ resource_class: cls, traits: [] });
      expect(a.node_uuid).toBe(n);
      await api.tables.nodes.update((await api.tables.nodes.findBy('uuid', n))!.id, { provisionState: 'active' });
      await expectRefused(api, () => api.del(`/v1/allocations/${a.uuid}`), 409,
        `Cannot remove allocation ${a.uuid} for node ${n}, because the node is active (and maintenance mode is off)`);
      await api.tables.nodes.update((await api.tables.nodes.findBy('uuid', n))!.id, { provisionState: 'deploying', targetProvisionState: 'active' });
      await expectRefused(api, () => api.del(`/v1/nodes/${n}/allocation`), 409, /because the node is in state deploying where updates are not allowed/);
      await api.tables.nodes.update((await api.tables.nodes.findBy('uuid', n))!.id, { maintenance: true });
      expect((await api.del(`/v1/nodes/${n}/allocation`)).status).toBe(204);
      const after = await api.tables.nodes.findBy('uuid', n);
      expect(after).toMatchObject({ instanceUuid: null, allocationUuid: null, instanceInfo: { image_source: 'http://images/x.qcow2' } });
      expectIronicError(await api.get(`/v1/allocations/${a.uuid}`), 404);
    });

    it('deletes allocations without a node, and is refused while the node is locked', async () => {
      const failed = await allocate({ resource_class: rc() });
      expect((await api.del(`/v1/allocations/${failed.uuid}`)).status).toBe(204);
      const cls = rc();
      const n = await newNode(cls);
      const a = await allocate({ resource_class: cls });
      await api.tables.nodes.update((await api.tables.nodes.findBy('uuid', n))!.id, { reservation: 'other-conductor' });
      await expectRefused(api, () => api.del(`/v1/allocations/${a.uuid}`), 409, /is locked by host other-conductor/);
      await api.tables.nodes.update((await api.tables.nodes.findBy('uuid', n))!.id, { reservation: null });
      expect((await api.del(`/v1/allocations/${a.uuid}`)).status).toBe(204);
      expect((await node(n)).instance_info.traits).toBeUndefined();
    });

    it('goes when the instance is torn down (deploy, then undeploy)', async () => {
      const cls = rc();
      const created = await api.post('/v1/nodes', { driver: 'fake-hardware', resource_class: cls, deploy_interface: 'fake', boot_interface: 'fake',
        power_interface: 'fake', management_interface: 'fake' });
      const n = created.body.uuid as string;
      const provision = async (target: string) => {
        expect((await api.request('PUT', `/v1/nodes/${n}/states/provision`, { target })).status).toBe(202);
        await api.work.idle();
      };
      for (const target of ['manage', 'provide']) await provision(target);
      const a = await allocate({ resource_class: cls, traits: [] });
      expect(a).toMatchObject({ state: 'active', node_uuid: n });
      await provision('deploy');
      expect(await node(n)).toMatchObject({ provision_state: 'active', instance_uuid: a.uuid, allocation_uuid: a.uuid });
      await provision('undeploy');
      expect(await node(n)).toMatchObject({ provision_state: 'available', instance_uuid: null, allocation_uuid: null });
      expectIronicError(await api.get(`/v1/allocations/${a.uuid}`), 404);
    });

    it('goes with its node', async () => {
      const cls = rc();
      const n = await newNode(cls);
      const a = await allocate({ resource_class: cls });
      await api.tables.nodes.update((await api.tables.nodes.findBy('uuid', n))!.id, { maintenance: true });
      expect((await api.del(`/v1/nodes/${n}`)).status).toBe(204);
      expectIronicError(await api.get(`/v1/allocations/${a.uuid}`), 404);
    });
  });

  describe('microversions', () => {
    it('does not exist before 1.52: GET is 404, other methods 405', async () => {
      const n = await newNode(rc());
      expectIronicError(await api.get('/v1/allocations', at('1.51')), 404, 'The API version does not allow allocations');
      await expectRefused(api, () => api.post('/v1/allocations', { resource_class: 'x' }, at('1.51')), 405, 'The API version does not allow allocations');
      expectIronicError(await api.get(`/v1/nodes/${n}/allocation`, at('1.51')), 404);
      expectIronicError(await api.del(`/v1/nodes/${n}/allocation`, at('1.51')), 404);
      expect((await api.get(`/v1/nodes/${n}`, at('1.51'))).body).not.toHaveProperty('allocation_uuid');
      expect((await api.get(`/v1/nodes/${n}`, at('1.52'))).body).toHaveProperty('allocation_uuid', null);
      expect((await api.get('/v1/', at('1.52'))).body).toHaveProperty('allocations');
    });
  });
});
