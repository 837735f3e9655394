// What the conductor does about work interrupted elsewhere: its own stale locks after a restart, locks of
// conductors that stopped heartbeating, interrupted allocations; plus inspection data arriving from a ramdisk.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { startTestApi, type TestApi } from '../support/api-client.js';
import { failInterruptedAllocations, releaseDeadConductorReservations, releaseOwnStaleReservations } from '../../src/conductor/periodics/stale-reservations.js';

describe.each(DIALECTS)('recovery on %s', (dialect) => {
  let api: TestApi;
  beforeAll(async () => { api = await startTestApi(dialect); });
  afterAll(async () => { await api?.close(); });
  const ctx = () => ({ tables: api.tables, config: api.config, registry: api.registry, work: api.work });

  async function nodeIn(state: string, extra: Record<string, unknown> = {}) {
    const { body } = await api.post('/v1/nodes', { driver: 'fake-hardware' });
    const rec = (await api.tables.nodes.findBy('uuid', body.uuid))!;
    await api.tables.nodes.update(rec.id, { provisionState: state, ...extra });
    return body.uuid as string;
  }

  it('fails work its own previous run left half-done and frees the lock', async () => {
    const busy = await nodeIn('deploying', { targetProvisionState: 'active', reservation: 'test-conductor' });
    const resting = await nodeIn('manageable', { reservation: 'test-conductor' });
    expect(await releaseOwnStaleReservations(ctx())).toBe(2);
    expect((await api.get(`/v1/nodes/${busy}`)).body).toMatchObject({
      provision_state: 'deploy failed', target_provision_state: null, reservation: null,
      last_error: 'Conductor test-conductor restarted while the node was deploying',
    });
    expect((await api.get(`/v1/nodes/${resting}`)).body).toMatchObject({ provision_state: 'manageable', reservation: null, last_error: null });
  });

  it('frees locks of conductors that stopped heartbeating, not of live ones', async () => {
    const old = '2020-01-01T00:00:00.000000+00:00';
    await api.tables.conductors.insert({ hostname: 'gone', conductorGroup: '', online: true, drivers: ['fake-hardware'], createdAt: old, updatedAt: old });
    const orphan = await nodeIn('cleaning', { targetProvisionState: 'available', reservation: 'gone' });
    const guarded = await nodeIn('cleaning', { targetProvisionState: 'available', reservation: 'test-conductor' });
    expect(await releaseDeadConductorReservations(ctx())).toBe(1);
    expect((await api.get(`/v1/nodes/${orphan}`)).body).toMatchObject({ provision_state: 'clean failed', reservation: null });
    expect((await api.get(`/v1/nodes/${guarded}`)).body).toMatchObject({ provision_state: 'cleaning', reservation: 'test-conductor' });
  });

  it('fails allocations interrupted by a restart', async () => {
    const now = new Date().toISOString();
    await api.tables.allocations.insert({ uuid: 'a3f4c1de-2b1b-4f57-9b3a-1f2e3d4c5b6a', name: null, nodeUuid: null, state: 'allocating', lastError: null,
      resourceClass: 'x', traits: [], candidateNodes: [], extra: {}, owner: null, createdAt: now, updatedAt: null } as never);
    expect(await failInterruptedAllocations(ctx())).toBe(1);
    const a = await api.get('/v1/allocations/a3f4c1de-2b1b-4f57-9b3a-1f2e3d4c5b6a');
    expect(a.body).toMatchObject({ state: 'error' });
    expect(a.body.last_error).toMatch(/interrupted by a conductor restart/);
  });

  it('takes inspection data from the ramdisk and finishes inspection', async () => {
    const uuid = await nodeIn('inspect wait', { targetProvisionState: 'manageable' });
    await api.post('/v1/ports', { address: '52:54:00:cc:dd:01', node_uuid: uuid });
    const inventory = { interfaces: [{ name: 'eth0', mac_address: '52:54:00:CC:DD:01' }], cpu: { count: 4 }, memory: { physical_mb: 8192 } };
    const r = await api.post('/v1/continue_inspection', { inventory, plugin: { x: 1 } });
    expect(r.status).toBe(202);
    expect(r.body).toEqual({ uuid });
    expect((await api.get(`/v1/nodes/${uuid}`)).body).toMatchObject({ provision_state: 'manageable', target_provision_state: null });
    expect((await api.get(`/v1/nodes/${uuid}/inventory`)).body).toEqual({ inventory, plugin_data: { plugin: { x: 1 } } });
    expect((await api.post('/v1/continue_inspection', { inventory })).status).toBe(404);
    expect((await api.post('/v1/continue_inspection', { nope: 1 })).status).toBe(400);
    expect((await api.post('/v1/continue_inspection', { inventory }, { 'X-OpenStack-Ironic-API-Version': '1.83' })).status).toBe(404);
  });

  it('drops the allocation when its instance is removed from the node, and refuses replacing it', async () => {
    const uuid = await nodeIn('available', { powerState: 'power off' });
    await api.patch(`/v1/nodes/${uuid}`, [{ op: 'add', path: '/resource_class', value: 'gold' }]);
    const alloc = await api.post('/v1/allocations', { resource_class: 'gold' });
    await api.work.idle();
    expect((await api.get(`/v1/allocations/${alloc.body.uuid}`)).body.state).toBe('active');
    const swap = await api.patch(`/v1/nodes/${uuid}`, [{ op: 'replace', path: '/instance_uuid', value: '0b9b6d2c-6a8a-4a4e-9c53-4c1b2a7d9e11' }]);
    expect(swap.status).toBe(409);
    const drop = await api.patch(`/v1/nodes/${uuid}`, [{ op: 'remove', path: '/instance_uuid' }]);
    expect(drop.status).toBe(200);
    expect(drop.body).toMatchObject({ instance_uuid: null, allocation_uuid: null });
    expect((await api.get(`/v1/allocations/${alloc.body.uuid}`)).status).toBe(404);
  });

  it('masks CHAP secrets of volume targets', async () => {
    const uuid = await nodeIn('manageable');
    const t = await api.post('/v1/volume/targets', { node_uuid: uuid, volume_type: 'iscsi', volume_id: 'v1', boot_index: 0, properties: { auth_username: 'u', auth_password: 'chap-s3cret' } });
    expect(t.status).toBe(201);
    expect(t.body.properties).toEqual({ auth_username: 'u', auth_password: '******' });
    expect(t.text).not.toContain('chap-s3cret');
  });
});
