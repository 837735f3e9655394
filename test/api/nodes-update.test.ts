// Changing and deleting nodes on both stores: JSON Patch as Ironic applies it, read-only and transition
// refusals, locks, deletion rules, validation report and traits.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { startTestApi, type TestApi } from '../support/api-client.js';
import { fixture } from '../support/fixtures.js';

const faultOf = (name: string) => JSON.parse(fixture(name).response.body.error_message).faultstring as string;

describe.each(DIALECTS)('node updates on %s', (dialect) => {
  let api: TestApi;
  let uuid: string;
  beforeAll(async () => {
    api = await startTestApi(dialect);
    const r = await api.post('/v1/nodes', fixture('10-create-node-ipmi').request.body);
    uuid = r.body.uuid;
  });
  afterAll(async () => { await api?.close(); });

  it('applies the recorded patch and masks the result', async () => {
    const r = await api.patch(`/v1/nodes/${uuid}`, fixture('19-patch-node-ipmi').request.body);
    expect(r.status).toBe(200);
    expect(r.body.properties).toEqual({ capabilities: 'boot_mode:uefi' });
    expect(r.body.instance_info.image_source).toBe('http://my.server.net/images/image.qcow2');
    expect(r.body.updated_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/);
    const pw = await api.patch(`/v1/nodes/${uuid}`, [{ op: 'replace', path: '/driver_info/ipmi_password', value: 'n3w-S3cret' }]);
    expect(pw.body.driver_info.ipmi_password).toBe('******');
    expect(pw.text).not.toContain('n3w-S3cret');
    expect((await api.tables.nodes.findBy('uuid', uuid))?.driverInfo.ipmi_password).toBe('n3w-S3cret');
  });

  it('reports patch errors with Ironic messages and keeps the node unchanged', async () => {
    const before = (await api.get(`/v1/nodes/${uuid}`)).body;
    const missing = await api.patch(`/v1/nodes/${uuid}`, fixture('20-patch-node-remove-missing-path').request.body);
    expect(missing.status).toBe(400);
    expect(missing.error).toBe(faultOf('20-patch-node-remove-missing-path'));
    const badOp = await api.patch(`/v1/nodes/${uuid}`, fixture('21-patch-node-bad-op').request.body);
    expect(badOp.error).toBe(faultOf('21-patch-node-bad-op'));
    const cases: [unknown, RegExp][] = [
      [[{ op: 'replace', path: '/provision_state', value: 'active' }], /Cannot patch \/provision_state/],
      [[{ op: 'add', path: '/bogus', value: 1 }], /Cannot patch \/bogus/],
      [[{ op: 'replace', path: '/uuid', value: '0b9b6d2c-6a8a-4a4e-9c53-4c1b2a7d9e11' }], /Cannot patch \/uuid/],
      [[{ op: 'add', path: '/traits', value: ['CUSTOM_X'] }], /traits/],
      [[{ op: 'replace', path: '/maintenance', value: 'sometimes' }], /not a valid boolean/],
      [[{ op: 'replace', path: '/name', value: 'bad name' }], /logical name/],
      [[{ op: 'replace', path: '/driver_info', value: [] }], /not a valid object/],
      [[{ op: 'replace', path: '/extra/a.b', value: 1 }], /does not match/],
      [[{ op: 'move', from: '/extra', path: '/extra' }], /Additional properties|is not one of/],
      [{ op: 'add', path: '/extra/x', value: 1 }, /JSON array/],
      [[], /at least one/],
      [[{ op: 'add', path: '/driver', value: 'no-such' }], /No valid host was found/],
      [[{ op: 'add', path: '/power_interface', value: 'fake' }], /not supported by hardware type ipmi/],
      [[{ op: 'add', path: '/extra/x', value: 1 }, { op: 'remove', path: '/extra/nope' }], /non-existent/],
    ];
    for (const [body, msg] of cases) {
      const r = await api.patch(`/v1/nodes/${uuid}`, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.error, JSON.stringify(body)).toMatch(msg);
    }
    expect((await api.get(`/v1/nodes/${uuid}`)).body).toEqual(before);
  });

  it('keeps interfaces on a driver change unless reset_interfaces=true, as Ironic does', async () => {
    const n = (await api.post('/v1/nodes', { driver: 'ipmi', boot_interface: 'pxe', deploy_interface: 'ramdisk' })).body;
    const before = (await api.get(`/v1/nodes/${n.uuid}`)).body;
    // ipmi's vendor interface stays and manual-management has none: refused, with the way out named.
    const refused = await api.patch(`/v1/nodes/${n.uuid}`, [{ op: 'replace', path: '/driver', value: 'manual-management' },
      { op: 'replace', path: '/power_interface', value: 'fake' }, { op: 'replace', path: '/management_interface', value: 'noop' }]);
    expect(refused.status).toBe(400);
    expect(refused.error).toMatch(/"ipmitool" of kind vendor is not supported by hardware type manual-management.*reset_interfaces=true/);
    expect((await api.get(`/v1/nodes/${n.uuid}`)).body).toEqual(before);

    const kept = await api.patch(`/v1/nodes/${n.uuid}?reset_interfaces=false`, [{ op: 'replace', path: '/driver', value: 'manual-management' },
      { op: 'replace', path: '/power_interface', value: 'fake' }, { op: 'replace', path: '/management_interface', value: 'noop' },
      { op: 'replace', path: '/vendor_interface', value: 'no-vendor' }]);
    expect(kept.status).toBe(200);
    expect(kept.body).toMatchObject({ driver: 'manual-management', boot_interface: 'pxe', deploy_interface: 'ramdisk', power_interface: 'fake' });

    // Reset: every interface the PATCH does not name goes to the new driver's default.
    const reset = await api.patch(`/v1/nodes/${n.uuid}?reset_interfaces=true`, [{ op: 'replace', path: '/driver', value: 'ipmi' },
      { op: 'replace', path: '/boot_interface', value: 'pxe' }]);
    expect(reset.status).toBe(200);
    expect(reset.body).toMatchObject({ boot_interface: 'pxe', deploy_interface: 'direct', power_interface: 'ipmitool',
      management_interface: 'ipmitool', vendor_interface: 'ipmitool', console_interface: 'no-console' });

    const fake = (await api.post('/v1/nodes', { driver: 'fake-hardware' })).body;
    expect((await api.patch(`/v1/nodes/${fake.uuid}`, [{ op: 'replace', path: '/driver', value: 'ipmi' }])).status).toBe(400);
    const moved = await api.patch(`/v1/nodes/${fake.uuid}?reset_interfaces=True`, [{ op: 'replace', path: '/driver', value: 'ipmi' }]);
    expect(moved.body).toMatchObject({ driver: 'ipmi', power_interface: 'ipmitool', boot_interface: 'ipxe' });

    const noDriver = await api.patch(`/v1/nodes/${n.uuid}?reset_interfaces=true`, [{ op: 'add', path: '/extra/a', value: 1 }]);
    expect(noDriver.status).toBe(400);
    expect(noDriver.error).toBe('The reset_interfaces parameter can only be used when changing the node\'s driver.');
    expect((await api.patch(`/v1/nodes/${n.uuid}?reset_interfaces=false`, [{ op: 'add', path: '/extra/a', value: 1 }])).status).toBe(200);
    const old = await api.patch(`/v1/nodes/${n.uuid}?reset_interfaces=true`, [{ op: 'replace', path: '/driver', value: 'ipmi' }], { 'X-OpenStack-Ironic-API-Version': '1.44' });
    expect(old.status).toBe(406);
  });

  it('changes interfaces only in enroll, inspecting, inspect wait, manageable and available or in maintenance', async () => {
    const n = (await api.post('/v1/nodes', { driver: 'fake-hardware' })).body;
    const rec = (await api.tables.nodes.findBy('uuid', n.uuid))!;
    await api.tables.nodes.update(rec.id, { provisionState: 'active' });
    const change = [{ op: 'replace', path: '/deploy_interface', value: 'direct' }];
    const active = await api.patch(`/v1/nodes/${n.uuid}`, change);
    expect(active.status).toBe(409);
    expect(active.error).toBe(`Node ${n.uuid} can not have deploy_interface updated unless it is in one of allowed ` +
      '(enroll, inspecting, inspect wait, manageable, available) states or in maintenance mode.');
    expect((await api.patch(`/v1/nodes/${n.uuid}`, [{ op: 'replace', path: '/deploy_interface', value: 'fake' }])).status).toBe(200);
    await api.tables.nodes.update(rec.id, { maintenance: true });
    expect((await api.patch(`/v1/nodes/${n.uuid}`, change)).body.deploy_interface).toBe('direct');
  });

  it('refuses changes while locked or in transition, and clears maintenance details', async () => {
    const n = (await api.post('/v1/nodes', { driver: 'fake-hardware' })).body;
    const rec = (await api.tables.nodes.findBy('uuid', n.uuid))!;
    await api.tables.nodes.update(rec.id, { reservation: 'other-host' });
    const locked = await api.patch(`/v1/nodes/${n.uuid}`, [{ op: 'add', path: '/extra/a', value: 1 }]);
    expect(locked.status).toBe(409);
    expect(locked.error).toBe(`Node ${n.uuid} is locked by host other-host, please retry after the current operation is completed.`);
    expect((await api.del(`/v1/nodes/${n.uuid}`)).status).toBe(409);
    await api.tables.nodes.update(rec.id, { reservation: null, provisionState: 'deploying', targetProvisionState: 'active' });
    const moving = await api.patch(`/v1/nodes/${n.uuid}`, [{ op: 'add', path: '/extra/a', value: 1 }]);
    expect(moving.status).toBe(409);
    expect(moving.error).toBe(`Node ${n.uuid} can not be updated while a state transition is in progress.`);
    await api.tables.nodes.update(rec.id, { provisionState: 'manageable', targetProvisionState: null, maintenance: true, maintenanceReason: 'why', fault: 'power failure' });
    const cleared = await api.patch(`/v1/nodes/${n.uuid}`, [{ op: 'replace', path: '/maintenance', value: false }]);
    expect(cleared.body).toMatchObject({ maintenance: false, maintenance_reason: null, fault: null });
  });

  it('deletes only in deletable states unless in maintenance, with its ports', async () => {
    const n = (await api.post('/v1/nodes', { driver: 'fake-hardware' })).body;
    const rec = (await api.tables.nodes.findBy('uuid', n.uuid))!;
    await api.tables.nodes.update(rec.id, { provisionState: 'active' });
    const refused = await api.del(`/v1/nodes/${n.uuid}`);
    expect(refused.status).toBe(409);
    expect(refused.error).toBe(faultOf('75-lifecycle-delete-active-node').replace('b2e9f662-a69b-424e-a6a0-ccb4a6cd85fb', n.uuid));
    await api.tables.nodes.update(rec.id, { maintenance: true });
    expect((await api.del(`/v1/nodes/${n.uuid}`)).status).toBe(204);
    expect((await api.get(`/v1/nodes/${n.uuid}`)).status).toBe(404);
  });

  it('validates each interface and reports reasons', async () => {
    const r = await api.get(`/v1/nodes/${uuid}/validate`);
    expect(Object.keys(r.body).sort()).toEqual(Object.keys(fixture('22-get-node-ipmi-validate').response.body).concat('firmware').sort());
    expect(r.body.power).toEqual({ result: true });
    expect(r.body.boot).toEqual({ result: false, reason: `Node ${uuid} does not have any port associated with it` });
    expect(r.body.rescue.reason).toBe('Driver ipmi does not support rescue (disabled or not implemented).');
    await api.patch(`/v1/nodes/${uuid}`, [{ op: 'remove', path: '/driver_info/ipmi_address' }]);
    expect((await api.get(`/v1/nodes/${uuid}/validate`)).body.power).toEqual({ result: false, reason: "Missing the following IPMI credentials in node's driver_info: ipmi_address." });
  });

  it('asks a direct deploy for ports only when the boot interface boots over the network (recorded Ironic answer)', async () => {
    const n = (await api.post('/v1/nodes', fixture('53-create-node-fake-hardware').request.body)).body;
    const recorded = fixture('59-patch-node-deploy-interface-direct');
    expect((await api.patch(`/v1/nodes/${n.uuid}`, recorded.request.body)).status).toBe(200);
    const ironic = JSON.parse(JSON.stringify(fixture('60-get-node-direct-validate').response.body).replaceAll(recorded.request.path.split('/').pop()!, n.uuid));
    const fakeBoot = (await api.get(`/v1/nodes/${n.uuid}/validate`)).body;
    for (const kind of Object.keys(ironic)) expect(fakeBoot[kind], kind).toEqual(ironic[kind]);
    await api.patch(`/v1/nodes/${n.uuid}`, [{ op: 'replace', path: '/boot_interface', value: 'ipxe' }]);
    expect((await api.get(`/v1/nodes/${n.uuid}/validate`)).body.deploy).toEqual({ result: false, reason: `Node ${n.uuid} does not have any port associated with it` });
  });

  it('manages traits', async () => {
    expect((await api.request('PUT', `/v1/nodes/${uuid}/traits`, { traits: ['CUSTOM_GPU', 'HW_CPU_X86_AVX2'] })).status).toBe(204);
    expect((await api.request('PUT', `/v1/nodes/${uuid}/traits/CUSTOM_RAID`)).status).toBe(204);
    expect((await api.get(`/v1/nodes/${uuid}/traits`)).body.traits).toEqual(['CUSTOM_GPU', 'HW_CPU_X86_AVX2', 'CUSTOM_RAID']);
    expect((await api.del(`/v1/nodes/${uuid}/traits/CUSTOM_GPU`)).status).toBe(204);
    expect((await api.del(`/v1/nodes/${uuid}/traits/CUSTOM_GPU`)).status).toBe(404);
    expect((await api.request('PUT', `/v1/nodes/${uuid}/traits/lower`)).status).toBe(400);
    expect((await api.get(`/v1/nodes/${uuid}`)).body.traits).toEqual(['HW_CPU_X86_AVX2', 'CUSTOM_RAID']);
  });
});
