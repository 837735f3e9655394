// Node enrolment API on both stores: creation with defaults and masking, field sets matching the recorded
// Ironic, lookup by name, microversion gating, listing (filters, sorting, pagination) and deletion rules.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { startTestApi, type TestApi } from '../support/api-client.js';
import { FIXTURE_VERSION, fixture, keysOf } from '../support/fixtures.js';

const SEED = fixture('10-create-node-ipmi').request.body as Record<string, unknown>;
const V182 = { 'X-OpenStack-Ironic-API-Version': FIXTURE_VERSION };

describe.each(DIALECTS)('nodes API on %s', (dialect) => {
  let api: TestApi;
  beforeAll(async () => { api = await startTestApi(dialect); });
  afterAll(async () => { await api?.close(); });

  it('creates the seed ipmi node with Ironic defaults and the password masked', async () => {
    const res = await api.post('/v1/nodes', SEED, V182);
    expect(res.status).toBe(201);
    const expected = fixture('10-create-node-ipmi').response;
    expect(keysOf(res.body)).toEqual(keysOf(expected.body));
    expect(res.body.driver_info.ipmi_password).toBe('******');
    expect(res.text).not.toContain('"pass"');
    for (const k of ['boot_interface', 'deploy_interface', 'management_interface', 'power_interface', 'vendor_interface',
      'provision_state', 'network_interface', 'storage_interface', 'bios_interface', 'raid_interface']) {
      expect(res.body[k], k).toEqual(expected.body[k]);
    }
    expect(res.headers.get('location')).toBe(`http://127.0.0.1:6385/v1/nodes/${res.body.uuid}`);
    expect(res.body.links[1].href).toBe(`http://127.0.0.1:6385/nodes/${res.body.uuid}`);
    // the driver still gets the real password
    const stored = await api.tables.nodes.findBy('uuid', res.body.uuid);
    expect(stored?.driverInfo.ipmi_password).toBe('pass');
  });

  it('shows a node with the same fields as Ironic at 1.82, at 1.1 and with fields=', async () => {
    const { body } = await api.post('/v1/nodes', SEED, V182);
    const full = await api.get(`/v1/nodes/${body.uuid}`, V182);
    expect(keysOf(full.body)).toEqual(keysOf(fixture('11-get-node-ipmi').response.body));
    const old = await api.get(`/v1/nodes/${body.uuid}`, { 'X-OpenStack-Ironic-API-Version': '' });
    expect(old.headers.get('x-openstack-ironic-api-version')).toBe('1.1');
    expect(keysOf(old.body)).toEqual(keysOf(fixture('13-get-node-ipmi-no-version-header').response.body));
    const some = await api.get(`/v1/nodes/${body.uuid}?fields=uuid,driver,driver_info,provision_state`, V182);
    expect(keysOf(some.body)).toEqual(keysOf(fixture('14-get-node-ipmi-fields').response.body));
    expect(some.body.driver_info.ipmi_password).toBe('******');
    const bad = await api.get(`/v1/nodes/${body.uuid}?fields=uuid,nope`);
    expect(bad.status).toBe(400);
    expect(bad.error).toBe('Field nope is not a valid field.');
  });

  it('answers GET and lists with the node as stored now: after a conductor write, and after re-enrolment under the same UUID', async () => {
    const uuid = '6f1a2b3c-0d4e-4f50-8a61-72b83c94d0e5';
    const first = await api.post('/v1/nodes', { driver: 'fake-hardware', uuid, name: 'cached-a' }, V182);
    expect(first.status).toBe(201);
    const listed = async () => ((await api.get('/v1/nodes?detail=True', V182)).body.nodes as { uuid: string; name: string }[]).find((n) => n.uuid === uuid)?.name;
    expect((await api.get(`/v1/nodes/${uuid}`, V182)).body.name).toBe('cached-a');
    expect(await listed()).toBe('cached-a');
    // A write that does not come through the API (the conductor's), seen by the next read.
    const stored = (await api.tables.nodes.findBy('uuid', uuid))!;
    await api.tables.nodes.update(stored.id, { name: 'cached-b' });
    expect((await api.get(`/v1/nodes/${uuid}`, V182)).body.name).toBe('cached-b');
    expect((await api.get(`/v1/nodes/${uuid}?fields=name`, V182)).body.name).toBe('cached-b');
    expect(await listed()).toBe('cached-b');
    // Deleted and enrolled again with the same UUID: its version count starts afresh, the answer is the new node's.
    expect((await api.del(`/v1/nodes/${uuid}`, V182)).status).toBe(204);
    expect((await api.post('/v1/nodes', { driver: 'fake-hardware', uuid, name: 'cached-c' }, V182)).status).toBe(201);
    const again = (await api.tables.nodes.findBy('uuid', uuid))!;
    await api.tables.nodes.update(again.id, { description: 'same version as the first node had' });
    expect((await api.get(`/v1/nodes/${uuid}`, V182)).body).toMatchObject({ name: 'cached-c', description: 'same version as the first node had' });
    expect(await listed()).toBe('cached-c');
  });

  it('hides available below 1.2 and refuses names below 1.5 with 406', async () => {
    const legacy = await api.post('/v1/nodes', { driver: 'fake-hardware' }, { 'X-OpenStack-Ironic-API-Version': '' });
    expect(legacy.status).toBe(201);
    expect(legacy.body.provision_state).toBeNull();
    expect(keysOf(legacy.body)).toEqual(keysOf(fixture('38-create-node-no-version-header').response.body));
    const later = await api.get(`/v1/nodes/${legacy.body.uuid}`);
    expect(later.body.provision_state).toBe('available');
    const named = await api.post('/v1/nodes', { driver: 'fake-hardware', name: 'legacy-node' }, { 'X-OpenStack-Ironic-API-Version': '' });
    expect(named.status).toBe(406);
    expect(await api.get('/v1/nodes/legacy-node')).toMatchObject({ status: 404 });
  });

  it('finds nodes by name and refuses duplicates and bad names', async () => {
    const a = await api.post('/v1/nodes', { driver: 'fake-hardware', name: 'named-node' });
    expect(a.status).toBe(201);
    expect((await api.get('/v1/nodes/named-node')).body.uuid).toBe(a.body.uuid);
    const dup = await api.post('/v1/nodes', { driver: 'fake-hardware', name: 'named-node' });
    expect(dup.status).toBe(409);
    expect(dup.error).toBe(fixture('42-create-node-duplicate-name').response.body.error_message.match(/"faultstring": "([^"]+)"/)[1]);
    for (const name of ['has space', 'a/b', '1be26c0b-03f2-4d2e-ae87-c02d7f33c123', 'detail', 'x'.repeat(256)]) {
      const r = await api.post('/v1/nodes', { driver: 'fake-hardware', name });
      expect(r.status, name).toBe(400);
    }
    expect((await api.del('/v1/nodes/named-node')).status).toBe(204);
    expect((await api.get('/v1/nodes/named-node')).status).toBe(404);
  });

  it('refuses unknown drivers, unknown fields, read-only fields and bad interfaces without storing anything', async () => {
    const before = await api.tables.nodes.count();
    const cases: [unknown, number, RegExp][] = [
      [{ driver: 'no-such-driver' }, 400, /No valid host was found.*no-such-driver/],
      [{ driver: 'fake-hardware', bogus_field: 1 }, 400, /Additional properties are not allowed \('bogus_field' was unexpected\)/],
      [{ driver: 'fake-hardware', provision_state: 'active' }, 400, /'provision_state' was unexpected/],
      [{ driver: 'ipmi', deploy_interface: 'fake' }, 400, /Interface "fake" of kind deploy is not supported by hardware type ipmi/],
      [{ driver: 'fake-hardware', driver_info: 'x' }, 400, /not a valid object for driver_info/],
      [{ driver: 'fake-hardware', maintenance: 'maybe' }, 400, /not a valid boolean/],
      [{ driver: 'fake-hardware', uuid: 'not-a-uuid' }, 400, /Expected a UUID for uuid/],
      [{ driver: 'fake-hardware', resource_class: 'x'.repeat(81) }, 400, /longer than 80/],
      [{ name: 'no-driver' }, 400, /'driver' is a required property/],
      [[1, 2], 400, /must be a JSON object/],
    ];
    for (const [body, status, msg] of cases) {
      const r = await api.post('/v1/nodes', body);
      expect(r.status, JSON.stringify(body)).toBe(status);
      expect(r.error, JSON.stringify(body)).toMatch(msg);
      expect(JSON.parse(r.body.error_message).faultcode).toBe('Client');
    }
    const bad = await api.post('/v1/nodes', '{not json');
    expect(bad.status).toBe(400);
    const wrongType = await api.post('/v1/nodes', 'driver=ipmi', { 'Content-Type': 'application/x-www-form-urlencoded' });
    expect(wrongType.status).toBe(415);
    expect(await api.tables.nodes.count()).toBe(before);
  });

  it('stores client values that look like ciphertext without breaking reads', async () => {
    const fake = 'anvil-enc:v1:deadbeef:AAAA:BBBB:CCCC';
    const r = await api.post('/v1/nodes', { driver: 'fake-hardware', driver_info: { ipmi_password: fake, note: fake } });
    expect(r.status).toBe(201);
    const again = await api.get(`/v1/nodes/${r.body.uuid}`);
    expect(again.status).toBe(200);
    expect(again.body.driver_info).toEqual({ ipmi_password: '******', note: fake });
  });

  it('refuses duplicate UUIDs and instance UUIDs with 409', async () => {
    const uuid = '0b9b6d2c-6a8a-4a4e-9c53-4c1b2a7d9e11';
    expect((await api.post('/v1/nodes', { driver: 'fake-hardware', uuid })).status).toBe(201);
    const again = await api.post('/v1/nodes', { driver: 'fake-hardware', uuid: uuid.toUpperCase() });
    expect(again.status).toBe(409);
    expect(again.error).toBe(`A node with UUID ${uuid} already exists.`);
    const inst = 'c7a0d9a4-3f5e-4a55-8f0f-1d2b3c4d5e6f';
    expect((await api.post('/v1/nodes', { driver: 'fake-hardware', instance_uuid: inst })).status).toBe(201);
    expect((await api.post('/v1/nodes', { driver: 'fake-hardware', instance_uuid: inst })).status).toBe(409);
  });
});
