// Provisioning through the API on both stores: the fake-hardware lifecycle enroll -> active -> available,
// the recorded refusals, locks, maintenance, wait timeouts and the ramdisk lookup/heartbeat handshake.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { startTestApi, type TestApi } from '../support/api-client.js';
import { fixture } from '../support/fixtures.js';
import { fakeMachine } from '../../src/drivers/fake/fake-interfaces.js';

const faultOf = (name: string) => JSON.parse(fixture(name).response.body.error_message).faultstring as string;

describe.each(DIALECTS)('provisioning on %s', (dialect) => {
  let api: TestApi;
  beforeAll(async () => { api = await startTestApi(dialect, { deployCallbackTimeout: 1 }); });
  afterAll(async () => { await api?.close(); });

  const provision = (uuid: string, body: object, headers?: Record<string, string>) => api.request('PUT', `/v1/nodes/${uuid}/states/provision`, body, headers);
  const show = async (uuid: string) => (await api.get(`/v1/nodes/${uuid}`)).body;

  it('takes a fake-hardware node from enroll to active and back to available', async () => {
    const { body: node } = await api.post('/v1/nodes', fixture('65-create-node-lifecycle').request.body);
    const seen: string[] = [];
    for (const [target, stable] of [['manage', 'manageable'], ['provide', 'available'], ['deploy', 'active'], ['undeploy', 'available']] as const) {
      const r = await provision(node.uuid, { target });
      expect(r.status, target).toBe(202);
      expect(r.headers.get('location')).toBe(`http://127.0.0.1:6385/v1/nodes/${node.uuid}/states`);
      const mid = await show(node.uuid);
      // between the answer and arrival the target is set; after arrival it is cleared
      if (mid.provision_state !== stable) expect(mid.target_provision_state).toBe(stable);
      await api.work.idle();
      const after = await show(node.uuid);
      expect(after).toMatchObject({ provision_state: stable, target_provision_state: null, last_error: null, reservation: null });
      seen.push(after.provision_state);
    }
    expect(seen).toEqual(['manageable', 'available', 'active', 'available']);
    const states = await api.get(`/v1/nodes/${node.uuid}/states`);
    expect(Object.keys(states.body).sort()).toEqual(Object.keys(fixture('72-lifecycle-get-states').response.body).sort());
  });

  it('refuses transitions the machine does not allow, with Ironic\'s messages', async () => {
    const { body: node } = await api.post('/v1/nodes', { driver: 'fake-hardware' });
    const bad = await provision(node.uuid, { target: 'active' });
    expect(bad.status).toBe(400);
    expect(bad.error).toBe(faultOf('66-lifecycle-bad-transition-deploy-from-enroll').replaceAll('b2e9f662-a69b-424e-a6a0-ccb4a6cd85fb', node.uuid));
    expect((await provision(node.uuid, { target: 'bogus' })).error).toBe(faultOf('67-lifecycle-unknown-target').replaceAll('b2e9f662-a69b-424e-a6a0-ccb4a6cd85fb', node.uuid));
    expect((await provision(node.uuid, { target: 'provide' })).status).toBe(400);
    expect((await provision(node.uuid, { target: 'manage', clean_steps: [] })).status).toBe(400);
    expect((await provision(node.uuid, { target: 'deploy' }, { 'X-OpenStack-Ironic-API-Version': '1.72' })).status).toBe(406);
    expect((await provision(node.uuid, { nope: 1 })).status).toBe(400);
    expect((await show(node.uuid)).provision_state).toBe('enroll');
  });

  it('allows abort in inspect wait only from 1.41', async () => {
    const { body: node } = await api.post('/v1/nodes', { driver: 'fake-hardware' });
    const rec = (await api.tables.nodes.findBy('uuid', node.uuid))!;
    await api.tables.nodes.update(rec.id, { provisionState: 'inspect wait', targetProvisionState: 'manageable' });
    expect((await provision(node.uuid, { target: 'abort' }, { 'X-OpenStack-Ironic-API-Version': '1.40' })).status).toBe(400);
    expect((await provision(node.uuid, { target: 'abort' }, { 'X-OpenStack-Ironic-API-Version': '1.41' })).status).toBe(202);
    expect((await show(node.uuid)).provision_state).toBe('inspect failed');
  });

  it('answers 409 while another action holds the node, and 400 for deploys in maintenance', async () => {
    const { body: node } = await api.post('/v1/nodes', { driver: 'fake-hardware' });
    const rec = (await api.tables.nodes.findBy('uuid', node.uuid))!;
    await api.tables.nodes.update(rec.id, { reservation: 'other-conductor' });
    const locked = await provision(node.uuid, { target: 'manage' });
    expect(locked.status).toBe(409);
    expect(locked.error).toMatch(/is locked by host other-conductor/);
    expect((await api.request('PUT', `/v1/nodes/${node.uuid}/states/power`, { target: 'power on' })).status).toBe(409);
    await api.tables.nodes.update(rec.id, { reservation: null, provisionState: 'available', maintenance: true });
    const maint = await provision(node.uuid, { target: 'active' });
    expect(maint.status).toBe(400);
    expect(maint.error).toMatch(/maintenance/);
    expect((await api.request('PUT', `/v1/nodes/${node.uuid}/maintenance`, { reason: 'disk swap' })).status).toBe(202);
    expect((await show(node.uuid)).maintenance_reason).toBe('disk swap');
    expect((await api.del(`/v1/nodes/${node.uuid}/maintenance`)).status).toBe(202);
    expect((await show(node.uuid))).toMatchObject({ maintenance: false, maintenance_reason: null });
  });

  it('lets only one of many simultaneous actions through', async () => {
    const { body: node } = await api.post('/v1/nodes', { driver: 'fake-hardware' });
    const results = await Promise.all(Array.from({ length: 6 }, () => provision(node.uuid, { target: 'manage' })));
    const codes = results.map((r) => r.status).sort();
    expect(codes.filter((c) => c === 202)).toHaveLength(1);
    expect(codes.every((c) => c === 202 || c === 409 || c === 400)).toBe(true);
    await api.work.idle();
    expect((await show(node.uuid)).provision_state).toBe('manageable');
  });

  it('switches power and records it', async () => {
    const { body: node } = await api.post('/v1/nodes', { driver: 'fake-hardware' });
    for (const target of ['power on', 'power off', 'rebooting', 'soft power off']) {
      expect((await api.request('PUT', `/v1/nodes/${node.uuid}/states/power`, { target })).status, target).toBe(202);
      await api.work.idle();
      expect((await show(node.uuid)).power_state).toBe(target === 'power off' || target === 'soft power off' ? 'power off' : 'power on');
      expect((await show(node.uuid)).target_power_state).toBeNull();
    }
    expect((await api.request('PUT', `/v1/nodes/${node.uuid}/states/power`, { target: 'sideways' })).status).toBe(400);
    expect((await api.request('PUT', `/v1/nodes/${node.uuid}/states/power`, { target: 'power on', timeout: -1 })).status).toBe(400);
  });

  it('sets the remembered boot device again before each power on when ipmi_force_boot_device is set', async () => {
    const { body: node } = await api.post('/v1/nodes', { driver: 'fake-hardware', driver_info: { ipmi_force_boot_device: true } });
    const bootDevice = `/v1/nodes/${node.uuid}/management/boot_device`;
    expect((await api.request('PUT', bootDevice, { boot_device: 'pxe', persistent: true })).status).toBe(204);
    expect((await api.tables.nodes.findBy('uuid', node.uuid))!.driverInternalInfo.persistent_boot_device).toBe('pxe');
    // The "BMC" forgets: the device is changed behind the conductor's back.
    fakeMachine(node.uuid).bootDevice = 'disk';
    expect((await api.get(bootDevice)).body.boot_device).toBe('disk');
    expect((await api.request('PUT', `/v1/nodes/${node.uuid}/states/power`, { target: 'power on' })).status).toBe(202);
    await api.work.idle();
    expect((await api.get(bootDevice)).body).toEqual({ boot_device: 'pxe', persistent: true });
    // Without the flag nothing is remembered or re-applied.
    const { body: plain } = await api.post('/v1/nodes', { driver: 'fake-hardware' });
    await api.request('PUT', `/v1/nodes/${plain.uuid}/management/boot_device`, { boot_device: 'pxe', persistent: true });
    expect((await api.tables.nodes.findBy('uuid', plain.uuid))!.driverInternalInfo.persistent_boot_device).toBeUndefined();
  });

  it('refuses a direct deploy of an HTTP image without a checksum', async () => {
    const { body: node } = await api.post('/v1/nodes', { driver: 'fake-hardware', deploy_interface: 'direct', instance_info: { image_source: 'http://my.server.net/images/image.qcow2' } });
    await api.post('/v1/ports', { address: '52:54:00:aa:bb:01', node_uuid: node.uuid });
    const rec = (await api.tables.nodes.findBy('uuid', node.uuid))!;
    await api.tables.nodes.update(rec.id, { provisionState: 'available' });
    const r = await provision(node.uuid, { target: 'active' });
    expect(r.status).toBe(400);
    expect(r.error).toBe(faultOf('61-provision-deploy-direct-no-checksum').replaceAll('3d47b98c-42dc-468e-87b2-cd65ed9d6017', node.uuid));
  });

  it('refuses a malformed JSON config drive at the request and stores nothing of it', async () => {
    const { body: node } = await api.post('/v1/nodes', { driver: 'fake-hardware' });
    const rec = (await api.tables.nodes.findBy('uuid', node.uuid))!;
    await api.tables.nodes.update(rec.id, { provisionState: 'available' });
    const V = { 'X-OpenStack-Ironic-API-Version': '1.59' };
    for (const [configdrive, why] of [
      [{ meta_data: {}, userdata: 'typo' }, /Unknown config drive keys: userdata/],
      [{ network_data: 'not an object' }, /network_data must be a JSON object/],
    ] as const) {
      const r = await provision(node.uuid, { target: 'active', configdrive }, V);
      expect(r.status).toBe(400);
      expect(r.error).toMatch(why);
      const after = (await api.tables.nodes.findBy('uuid', node.uuid))!;
      expect(after.provisionState).toBe('available');
      expect(after.instanceInfo.configdrive).toBeUndefined();
    }
    // A well-formed one is accepted (the fake deploy has no disk to write it to).
    expect((await provision(node.uuid, { target: 'active', configdrive: { meta_data: { hostname: 'h' }, user_data: '#!/bin/sh' } }, V)).status).toBe(202);
    await api.work.idle();
    expect((await show(node.uuid)).provision_state).toBe('active');
  });

});
