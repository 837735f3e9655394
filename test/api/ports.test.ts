// /v1/ports on every store: shapes compared with the recorded Ironic responses, version gates, validation
// of every writable field, filters and pagination, and refusals that leave the store untouched.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { startTestApi, type TestApi } from '../support/api-client.js';
import { expectIronicError, expectRefused, recordedFault } from '../support/api-assertions.js';
import { FIXTURE_VERSION, keysOf, fixture } from '../support/fixtures.js';

const AT_FIXTURE = { 'X-OpenStack-Ironic-API-Version': FIXTURE_VERSION };
const at = (v: string) => ({ 'X-OpenStack-Ironic-API-Version': v });

let seq = 0;
/** A MAC no other test uses. */
const mac = () => `52:54:00:aa:${(Math.floor(++seq / 256) % 256).toString(16).padStart(2, '0')}:${(seq % 256).toString(16).padStart(2, '0')}`;

describe.each(DIALECTS)('ports API (%s)', (dialect) => {
  let api: TestApi;
  let node: string;

  beforeAll(async () => {
    api = await startTestApi(dialect);
    node = (await api.post('/v1/nodes', { driver: 'fake-hardware', name: 'port-node' })).body.uuid;
  });
  afterAll(() => api.close());

  const newNode = async () => (await api.post('/v1/nodes', { driver: 'fake-hardware' })).body.uuid as string;
  const newPort = async (body: Record<string, unknown> = {}, headers?: Record<string, string>) => {
    const res = await api.post('/v1/ports', { address: mac(), node_uuid: node, ...body }, headers);
    expect(res.status, res.text).toBe(201);
    return res.body;
  };

  describe('shapes match the recorded Ironic responses at 1.82', () => {
    it('create (23), get (28), list (29), detail (30), node ports (31), delete (81)', async () => {
      const own = await newNode();
      const created = await api.post('/v1/ports', { address: '52:54:00:12:34:56', node_uuid: own }, AT_FIXTURE);
      expect(created.status).toBe(fixture('23-create-port').response.status);
      expect(keysOf(created.body)).toEqual(keysOf(fixture('23-create-port').response.body));
      expect(created.headers.get('location')).toBe(`http://127.0.0.1:6385/v1/ports/${created.body.uuid}`);
      expect(created.body).toMatchObject({ address: '52:54:00:12:34:56', node_uuid: own, pxe_enabled: true, is_smartnic: false,
        extra: {}, internal_info: {}, local_link_connection: {}, physical_network: null, portgroup_uuid: null, updated_at: null });
      expect(created.body.links).toEqual([
        { href: `http://127.0.0.1:6385/v1/ports/${created.body.uuid}`, rel: 'self' },
        { href: `http://127.0.0.1:6385/ports/${created.body.uuid}`, rel: 'bookmark' }]);
      // Ironic puts portgroup_uuid after links; keep its key order.
      expect(Object.keys(created.body)).toEqual(Object.keys(fixture('23-create-port').response.body));

      const got = await api.get(`/v1/ports/${created.body.uuid}`, AT_FIXTURE);
      expect(got.body).toEqual(created.body);
      expect(keysOf(got.body)).toEqual(keysOf(fixture('28-get-port').response.body));

      const list = await api.get(`/v1/ports?node_uuid=${own}`, AT_FIXTURE);
      expect(list.body.ports.map(keysOf)).toEqual(fixture('29-list-ports').response.body.ports.map(keysOf));
      const detail = await api.get(`/v1/ports?detail=True&node_uuid=${own}`, AT_FIXTURE);
      expect(detail.body.ports.map(keysOf)).toEqual(fixture('30-list-ports-detail').response.body.ports.map(keysOf));
      const nodePorts = await api.get(`/v1/nodes/${own}/ports`, AT_FIXTURE);
      expect(nodePorts.body).toEqual(list.body);
      expect(keysOf(nodePorts.body)).toEqual(keysOf(fixture('31-list-node-ports').response.body));

      const del = await api.del(`/v1/ports/${created.body.uuid}`, AT_FIXTURE);
      expect(del.status).toBe(fixture('81-delete-port').response.status);
      expect(del.text).toBe('');
      expectIronicError(await api.get(`/v1/ports/${created.body.uuid}`), 404, `Port ${created.body.uuid} could not be found.`);
    });

    it('duplicate MAC (24, 25 upper-case), invalid MAC (26), unknown node (27) give the recorded messages', async () => {
      const own = await newNode();
      const address = mac();
      await newPort({ address, node_uuid: own });
      const dupMessage = (m: string) => recordedFault(fixture('24-create-port-duplicate-mac')).replace('52:54:00:12:34:56', m);
      await expectRefused(api, () => api.post('/v1/ports', { address, node_uuid: own }, AT_FIXTURE), 409, dupMessage(address));
      await expectRefused(api, () => api.post('/v1/ports', { address: address.toUpperCase(), node_uuid: own }, AT_FIXTURE), 409, dupMessage(address));
      await expectRefused(api, () => api.post('/v1/ports', { address: address.replace(/:/g, '-'), node_uuid: own }), 409, dupMessage(address));
      await expectRefused(api, () => api.post('/v1/ports', { address: '52:54:00:zz:34:56', node_uuid: own }, AT_FIXTURE),
        400, recordedFault(fixture('26-create-port-invalid-mac')));
      const missing = fixture('27-create-port-unknown-node').request.body as { node_uuid: string };
      await expectRefused(api, () => api.post('/v1/ports', { address: mac(), node_uuid: missing.node_uuid }, AT_FIXTURE),
        400, recordedFault(fixture('27-create-port-unknown-node')));
    });
  });

  describe('microversions', () => {
    it('hides fields newer than the request', async () => {
      const port = await newPort();
      expect(keysOf((await api.get(`/v1/ports/${port.uuid}`, at('1.1'))).body))
        .toEqual(['address', 'created_at', 'extra', 'links', 'node_uuid', 'updated_at', 'uuid']);
      expect((await api.get(`/v1/ports/${port.uuid}`, at('1.18'))).body).toHaveProperty('internal_info');
      expect((await api.get(`/v1/ports/${port.uuid}`, at('1.18'))).body).not.toHaveProperty('pxe_enabled');
      expect((await api.get(`/v1/ports/${port.uuid}`, at('1.23'))).body).not.toHaveProperty('portgroup_uuid');
      expect((await api.get(`/v1/ports/${port.uuid}`, at('1.33'))).body).not.toHaveProperty('physical_network');
      expect((await api.get(`/v1/ports/${port.uuid}`, at('1.52'))).body).not.toHaveProperty('is_smartnic');
      expect((await api.get(`/v1/ports/${port.uuid}`, at('1.87'))).body).not.toHaveProperty('name');
      expect((await api.get(`/v1/ports/${port.uuid}`, at('1.88'))).body).toHaveProperty('name', null);
    });

    it('refuses fields newer than the request with 406', async () => {
      const base = () => ({ address: mac(), node_uuid: node });
      await expectRefused(api, () => api.post('/v1/ports', { ...base(), pxe_enabled: false }, at('1.18')), 406);
      await expectRefused(api, () => api.post('/v1/ports', { ...base(), physical_network: 'a' }, at('1.33')), 406);
      await expectRefused(api, () => api.post('/v1/ports', { ...base(), is_smartnic: true }, at('1.52')), 406);
      await expectRefused(api, () => api.post('/v1/ports', { ...base(), name: 'p' }, at('1.87')), 406);
      await expectRefused(api, () => api.post('/v1/ports', { ...base(), local_link_connection: { network_type: 'unmanaged' } }, at('1.63')), 406);
      await expectRefused(api, () => api.get('/v1/ports?fields=name', at('1.87')), 406);
      const port = await newPort();
      await expectRefused(api, () => api.patch(`/v1/ports/${port.uuid}`, [{ op: 'add', path: '/name', value: 'x' }], at('1.87')), 406);
    });
  });

  describe('create validation', () => {
    it('normalises the MAC and accepts every writable field', async () => {
      const created = await newPort({
        address: 'AA-BB-CC-DD-EE-0F', pxe_enabled: false, extra: { rack: 4 }, physical_network: 'physnet1', name: 'eth0-a',
        local_link_connection: { switch_id: '0A:1B:2C:3D:4E:5F', port_id: 'Gig0/1', switch_info: 'tor1' },
      });
      expect(created).toMatchObject({ address: 'aa:bb:cc:dd:ee:0f', pxe_enabled: false, extra: { rack: 4 }, physical_network: 'physnet1',
        name: 'eth0-a', local_link_connection: { switch_id: '0a:1b:2c:3d:4e:5f', port_id: 'Gig0/1', switch_info: 'tor1' } });
      const dpid = await newPort({ local_link_connection: { switch_id: '00000000000000AB', port_id: 'p1' } });
      expect(dpid.local_link_connection.switch_id).toBe('00000000000000ab');
      expect((await newPort({ local_link_connection: { network_type: 'unmanaged' } })).local_link_connection).toEqual({ network_type: 'unmanaged' });
      expect((await newPort({ is_smartnic: true, local_link_connection: { port_id: 'rep0', hostname: 'host-a' } })).is_smartnic).toBe(true);
      const uuid = '8f0e8e0b-6a4f-4e0e-9f59-4c9d1b7d1e11';
      expect((await newPort({ uuid })).uuid).toBe(uuid);
      await expectRefused(api, () => api.post('/v1/ports', { address: mac(), node_uuid: node, uuid }), 409, `A port with UUID ${uuid} already exists.`);
      await expectRefused(api, () => api.post('/v1/ports', { address: mac(), node_uuid: node, name: 'eth0-a' }), 409, 'A port with name eth0-a already exists.');
    });

    it('refuses missing, unknown, read-only and mistyped fields', async () => {
      const post = (body: unknown) => () => api.post('/v1/ports', body);
      await expectRefused(api, post({ node_uuid: node }), 400, "Schema error for port: 'address' is a required property");
      await expectRefused(api, post({ address: mac() }), 400, "Schema error for port: 'node_uuid' is a required property");
      await expectRefused(api, post({ address: mac(), node_uuid: node, colour: 'red' }), 400, /Additional properties are not allowed \('colour' was unexpected\)/);
      await expectRefused(api, post({ address: mac(), node_uuid: node, internal_info: {} }), 400, /'internal_info' was unexpected/);
      await expectRefused(api, post({ address: mac(), node_uuid: node, created_at: 'x' }), 400);
      await expectRefused(api, post({ address: 42, node_uuid: node }), 400);
      await expectRefused(api, post({ address: mac(), node_uuid: 'not-a-uuid' }), 400);
      await expectRefused(api, post({ address: mac(), node_uuid: node, extra: 'x' }), 400);
      await expectRefused(api, post({ address: mac(), node_uuid: node, pxe_enabled: 'maybe' }), 400);
      await expectRefused(api, post({ address: mac(), node_uuid: node, physical_network: 'p'.repeat(65) }), 400);
      await expectRefused(api, post({ address: mac(), node_uuid: node, physical_network: '' }), 400, 'A non-empty value is required when setting physical_network');
      await expectRefused(api, post({ address: mac(), node_uuid: node, name: 'bad name' }), 400);
      // PostgreSQL text cannot hold NUL: refused as input, never a 500 from the store.
      await expectRefused(api, post({ address: mac(), node_uuid: node, physical_network: 'a\u0000b' }), 400, /must not contain NUL/);
      await expectRefused(api, post([{ address: mac() }]), 400);
      await expectRefused(api, () => api.post('/v1/ports', '{"address": '), 400);
    });

    it('refuses bad local_link_connection values', async () => {
      const post = (llc: unknown, extra: Record<string, unknown> = {}) => () =>
        api.post('/v1/ports', { address: mac(), node_uuid: node, local_link_connection: llc, ...extra });
      const shape = /^Schema error for local_link_connection: .* is not valid under any of the given schemas$/;
      await expectRefused(api, post({ port_id: 'Gig0/1' }), 400, shape);
      await expectRefused(api, post({ switch_id: 'aa:bb:cc:dd:ee:ff' }), 400, shape);
      await expectRefused(api, post({ port_id: 'p', switch_id: 'aa:bb:cc:dd:ee:ff', vlan: '5' }), 400, shape);
      await expectRefused(api, post({ port_id: 1, switch_id: 'aa:bb:cc:dd:ee:ff' }), 400, shape);
      await expectRefused(api, post({ network_type: 'managed' }), 400, shape);
      await expectRefused(api, post('x'), 400);
      await expectRefused(api, post({ port_id: 'p', switch_id: 'switch-1' }), 400, 'Expected a MAC address or OpenFlow datapath ID but received switch-1.');
      await expectRefused(api, post({ port_id: 'p', switch_id: 'aa:bb:cc:dd:ee:ff' }, { is_smartnic: true }), 400,
        'Smart NIC port must have port_id and hostname in local_link_connection');
    });
  });

  describe('show, list, filters and pagination', () => {
    it('finds a port by name from 1.88 only', async () => {
      const port = await newPort({ name: 'by-name-port' });
      expect((await api.get('/v1/ports/by-name-port')).body.uuid).toBe(port.uuid);
      expectIronicError(await api.get('/v1/ports/by-name-port', at('1.87')), 400, 'Expected UUID for port_uuid: by-name-port');
      expectIronicError(await api.get('/v1/ports/no-such-port'), 404, 'Port no-such-port could not be found.');
      expectIronicError(await api.get('/v1/ports/a%00b'), 404);
    });

    it('filters by node (uuid or name), node_uuid, address and portgroup', async () => {
      const own = await newNode();
      await api.patch(`/v1/nodes/${own}`, [{ op: 'add', path: '/name', value: 'filter-node' }]);
      const a = await newPort({ node_uuid: own });
      const b = await newPort({ node_uuid: own });
      const uuids = (res: { body: { ports: { uuid: string }[] } }) => res.body.ports.map((p) => p.uuid);
      expect(uuids(await api.get('/v1/ports?node=filter-node'))).toEqual([a.uuid, b.uuid]);
      expect(uuids(await api.get(`/v1/ports?node_uuid=${own}`))).toEqual([a.uuid, b.uuid]);
      expect(uuids(await api.get(`/v1/ports?address=${b.address.toUpperCase()}`))).toEqual([b.uuid]);
      const pg = (await api.post('/v1/portgroups', { node_uuid: own, name: 'filter-pg' })).body;
      await api.patch(`/v1/ports/${a.uuid}`, [{ op: 'replace', path: '/portgroup_uuid', value: pg.uuid }]);
      expect(uuids(await api.get('/v1/ports?portgroup=filter-pg'))).toEqual([a.uuid]);
      expect(uuids(await api.get(`/v1/portgroups/${pg.uuid}/ports`))).toEqual([a.uuid]);
      expectIronicError(await api.get('/v1/ports?address=zz'), 400, 'Expected valid MAC address for address: zz');
      expectIronicError(await api.get('/v1/ports?node_uuid=zz'), 400, 'Expected UUID for node_uuid: zz');
      expectIronicError(await api.get('/v1/ports?node=no-such-node'), 404, 'Node no-such-node could not be found.');
      expectIronicError(await api.get('/v1/ports?node=a%00b'), 404);
      expectIronicError(await api.get('/v1/ports?marker=a%00b'), 400);
      expectIronicError(await api.get('/v1/nodes/no-such-node/ports'), 404, 'Node no-such-node could not be found.');
      expectIronicError(await api.get('/v1/ports?portgroup=filter-pg', at('1.23')), 406);
    });

    it('pages with limit/marker and a next link, sorts, and selects fields', async () => {
      const own = await newNode();
      const made = [await newPort({ node_uuid: own }), await newPort({ node_uuid: own }), await newPort({ node_uuid: own })];
      const first = await api.get(`/v1/nodes/${own}/ports?limit=2`);
      expect(first.body.ports.map((p: { uuid: string }) => p.uuid)).toEqual([made[0].uuid, made[1].uuid]);
      expect(first.body.next).toBe(`http://127.0.0.1:6385/v1/nodes/${own}/ports?limit=2&marker=${made[1].uuid}`);
      const second = await api.get(new URL(first.body.next).pathname + new URL(first.body.next).search);
      expect(second.body.ports.map((p: { uuid: string }) => p.uuid)).toEqual([made[2].uuid]);
      expect(second.body.next).toBeUndefined();
      const detailNext = (await api.get(`/v1/ports/detail?node_uuid=${own}&limit=1`)).body.next;
      expect(detailNext).toMatch(/\/v1\/ports\/detail\?node_uuid=.*&limit=1&marker=/);
      const desc = await api.get(`/v1/ports?node_uuid=${own}&sort_key=address&sort_dir=desc`);
      expect(desc.body.ports.map((p: { address: string }) => p.address)).toEqual(made.map((p) => p.address).sort().reverse());
      const some = await api.get(`/v1/ports?node_uuid=${own}&fields=uuid,pxe_enabled`);
      expect(some.body.ports.map(keysOf)).toEqual([['links', 'pxe_enabled', 'uuid'], ['links', 'pxe_enabled', 'uuid'], ['links', 'pxe_enabled', 'uuid']]);
      expect(keysOf((await api.get(`/v1/ports/${made[0].uuid}?fields=address`)).body)).toEqual(['address', 'links']);
      expectIronicError(await api.get('/v1/ports?fields=bogus'), 400, 'Field bogus is not a valid field.');
      expectIronicError(await api.get('/v1/ports?fields=uuid&detail=true'), 400);
      expectIronicError(await api.get('/v1/ports?sort_key=extra'), 400);
      expectIronicError(await api.get('/v1/ports?sort_dir=up'), 400);
      expectIronicError(await api.get('/v1/ports?limit=0'), 400, 'Limit must be positive');
      expectIronicError(await api.get('/v1/ports?marker=3f6e2d3e-0000-4000-8000-000000000000'), 400);
      expectIronicError(await api.get('/v1/ports?detail=true', at('1.42')), 406);
    });
  });

  describe('patch', () => {
    const patch = (uuid: string, ops: unknown, headers?: Record<string, string>) => () => api.patch(`/v1/ports/${uuid}`, ops, headers);

    it('updates writable fields, re-validating and normalising them', async () => {
      const port = await newPort({ extra: { a: 1 } });
      const address = mac();
      const res = await api.patch(`/v1/ports/${port.uuid}`, [
        { op: 'replace', path: '/address', value: address.toUpperCase() },
        { op: 'add', path: '/extra/b', value: 2 },
        { op: 'remove', path: '/extra/a' },
        { op: 'replace', path: '/pxe_enabled', value: false },
        { op: 'add', path: '/local_link_connection', value: { switch_id: 'AA:BB:CC:DD:EE:FF', port_id: 'xe-0/0/1' } },
        { op: 'add', path: '/name', value: 'patched-name' },
      ]);
      expect(res.status, res.text).toBe(200);
      expect(res.body).toMatchObject({ address, extra: { b: 2 }, pxe_enabled: false, name: 'patched-name',
        local_link_connection: { switch_id: 'aa:bb:cc:dd:ee:ff', port_id: 'xe-0/0/1' } });
      expect(res.body.updated_at).toEqual(expect.any(String));
      expect((await api.get(`/v1/ports/${port.uuid}`)).body).toEqual(res.body);
      const removed = await api.patch(`/v1/ports/${port.uuid}`, [{ op: 'remove', path: '/pxe_enabled' }, { op: 'remove', path: '/name' }]);
      expect(removed.body).toMatchObject({ pxe_enabled: true, name: null });
    });

    it('moves a port to another node', async () => {
      const port = await newPort();
      const other = await newNode();
      const res = await api.patch(`/v1/ports/${port.uuid}`, [{ op: 'replace', path: '/node_uuid', value: other }]);
      expect(res.body.node_uuid).toBe(other);
      await expectRefused(api, patch(port.uuid, [{ op: 'replace', path: '/node_uuid', value: '1be26c0b-03f2-4d2e-ae87-c02d7f33c123' }]),
        400, 'Node 1be26c0b-03f2-4d2e-ae87-c02d7f33c123 could not be found.');
    });

    it('refuses read-only, unknown and invalid changes without touching the store', async () => {
      const port = await newPort();
      const taken = (await newPort()).address;
      await expectRefused(api, patch(port.uuid, [{ op: 'replace', path: '/internal_info', value: {} }]), 400, /^Cannot patch \/internal_info/);
      await expectRefused(api, patch(port.uuid, [{ op: 'replace', path: '/uuid', value: '8f0e8e0b-6a4f-4e0e-9f59-4c9d1b7d1e12' }]), 400, /^Cannot patch \/uuid/);
      await expectRefused(api, patch(port.uuid, [{ op: 'add', path: '/colour', value: 'red' }]), 400, /^Cannot patch \/colour/);
      await expectRefused(api, patch(port.uuid, [{ op: 'move', path: '/extra', from: '/extra' }]), 400);
      await expectRefused(api, patch(port.uuid, [{ op: 'remove', path: '/extra/missing' }]), 400);
      await expectRefused(api, patch(port.uuid, { op: 'replace', path: '/extra', value: {} }), 400);
      await expectRefused(api, patch(port.uuid, [{ op: 'replace', path: '/address', value: taken.toUpperCase() }]), 409,
        `A port with MAC address ${taken} already exists.`);
      await expectRefused(api, patch(port.uuid, [{ op: 'replace', path: '/address', value: 'nope' }]), 400, 'Expected valid MAC address for address: nope');
      await expectRefused(api, patch(port.uuid, [{ op: 'remove', path: '/address' }]), 400);
      await expectRefused(api, patch(port.uuid, [{ op: 'replace', path: '/pxe_enabled', value: 'sometimes' }]), 400);
      await expectRefused(api, patch(port.uuid, [{ op: 'replace', path: '/local_link_connection', value: { port_id: 'p' } }]), 400);
      await expectRefused(api, patch(port.uuid, [{ op: 'replace', path: '/is_smartnic', value: true }]), 400,
        'Smart NIC port must have port_id and hostname in local_link_connection');
      // A later valid op does not rescue an earlier failing one: nothing is applied.
      await expectRefused(api, patch(port.uuid, [{ op: 'add', path: '/extra/k', value: 1 }, { op: 'replace', path: '/address', value: 'bad' }]), 400);
    });

    it('restricts address and connectivity changes by node state, as the conductor does', async () => {
      const own = await newNode();
      const port = await newPort({ node_uuid: own });
      await api.tables.nodes.update((await api.tables.nodes.findBy('uuid', own))!.id, { provisionState: 'available' });
      await expectRefused(api, patch(port.uuid, [{ op: 'replace', path: '/pxe_enabled', value: false }]), 409, /can not have any connectivity attributes/);
      expect((await api.patch(`/v1/ports/${port.uuid}`, [{ op: 'add', path: '/extra/ok', value: true }])).status).toBe(200);
      await api.tables.nodes.update((await api.tables.nodes.findBy('uuid', own))!.id, { provisionState: 'active', instanceUuid: null });
      await expectRefused(api, patch(port.uuid, [{ op: 'replace', path: '/address', value: mac() }]), 409, /Cannot update hardware address/);
      await api.tables.nodes.update((await api.tables.nodes.findBy('uuid', own))!.id, { maintenance: true });
      expect((await api.patch(`/v1/ports/${port.uuid}`, [{ op: 'replace', path: '/address', value: mac() }])).status).toBe(200);
    });
  });

  describe('portgroup membership', () => {
    it('requires the portgroup to exist, be on the same node and accept standalone ports', async () => {
      const own = await newNode();
      const other = await newNode();
      const pg = (await api.post('/v1/portgroups', { node_uuid: own })).body;
      const strict = (await api.post('/v1/portgroups', { node_uuid: own, standalone_ports_supported: false })).body;
      const foreign = (await api.post('/v1/portgroups', { node_uuid: other })).body;
      expect((await newPort({ node_uuid: own, portgroup_uuid: pg.uuid })).portgroup_uuid).toBe(pg.uuid);
      const missing = '0b6a3c4e-7f52-4b5a-9d43-3a7d0c2c9e11';
      await expectRefused(api, () => api.post('/v1/ports', { address: mac(), node_uuid: own, portgroup_uuid: missing }), 400,
        `Port group ${missing} could not be found.`);
      await expectRefused(api, () => api.post('/v1/ports', { address: mac(), node_uuid: own, portgroup_uuid: foreign.uuid }), 400,
        'Port can not be added to a portgroup belonging to a different node.');
      await expectRefused(api, () => api.post('/v1/ports', { address: mac(), node_uuid: own, portgroup_uuid: strict.uuid, pxe_enabled: true }), 409,
        /doesn't support standalone ports/);
      await expectRefused(api, () => api.post('/v1/ports', { address: mac(), node_uuid: own, portgroup_uuid: pg.uuid }, at('1.23')), 406);
    });

    it('keeps the members of a portgroup on one physical network', async () => {
      const own = await newNode();
      const pg = (await api.post('/v1/portgroups', { node_uuid: own })).body;
      await newPort({ node_uuid: own, portgroup_uuid: pg.uuid, physical_network: 'net-a' });
      await expectRefused(api, () => api.post('/v1/ports', { address: mac(), node_uuid: own, portgroup_uuid: pg.uuid, physical_network: 'net-b' }),
        409, `Port with physical network net-b cannot become a member of port group ${pg.uuid} which has ports in physical network net-a.`);
    });
  });

  describe('node lock and delete', () => {
    it('answers 409 NodeLocked for create, patch and delete while the node is reserved', async () => {
      const own = await newNode();
      const port = await newPort({ node_uuid: own });
      const row = (await api.tables.nodes.findBy('uuid', own))!;
      await api.tables.nodes.update(row.id, { reservation: 'other-conductor' });
      const locked = `Node ${own} is locked by host other-conductor, please retry after the current operation is completed.`;
      await expectRefused(api, () => api.post('/v1/ports', { address: mac(), node_uuid: own }), 409, locked);
      await expectRefused(api, () => api.patch(`/v1/ports/${port.uuid}`, [{ op: 'add', path: '/extra/x', value: 1 }]), 409, locked);
      await expectRefused(api, () => api.del(`/v1/ports/${port.uuid}`), 409, locked);
      // Moving a port onto a locked node is refused too.
      const elsewhere = await newPort();
      await expectRefused(api, () => api.patch(`/v1/ports/${elsewhere.uuid}`, [{ op: 'replace', path: '/node_uuid', value: own }]), 409, locked);
      await api.tables.nodes.update(row.id, { reservation: null });
      expect((await api.del(`/v1/ports/${port.uuid}`)).status).toBe(204);
    });

    it('lets simultaneous creates through one at a time: 201 or a retriable 409, one port per MAC', async () => {
      const own = await newNode();
      const address = mac();
      const results = await Promise.all(Array.from({ length: 8 }, () => api.post('/v1/ports', { address, node_uuid: own })));
      expect(results.filter((r) => r.status === 201)).toHaveLength(1);
      for (const r of results.filter((x) => x.status !== 201)) {
        expectIronicError(r, 409, new RegExp(`^(A port with MAC address ${address} already exists\\.|Node ${own} is locked by host .*)$`));
      }
      expect(await api.tables.ports.count([{ col: 'address', op: 'eq', value: address }])).toBe(1);
      expect((await api.tables.nodes.findBy('uuid', own))!.reservation).toBeNull();
    });

    it('refuses to delete a port bound to a tenant network of a deployed node', async () => {
      const own = await newNode();
      const port = await newPort({ node_uuid: own, extra: { vif_port_id: 'vif-1' } });
      await api.tables.nodes.update((await api.tables.nodes.findBy('uuid', own))!.id, { provisionState: 'active' });
      await expectRefused(api, () => api.del(`/v1/ports/${port.uuid}`), 409, /is bound to vif vif-1/);
      expectIronicError(await api.del('/v1/ports/8f0e8e0b-6a4f-4e0e-9f59-4c9d1b7d1e99'), 404);
    });
  });
});
