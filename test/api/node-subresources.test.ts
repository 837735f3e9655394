// Node sub-resources on every store: RAID target config and logical disk properties (1.12), VIFs (1.28,
// 1.67), BIOS settings (1.40, 1.74), inventory (1.81), shards (1.82), children (1.83), firmware (1.86) and
// events (1.54): success shapes, version gates, refused input that leaves the store alone, and the node lock.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { startTestApi, type TestApi } from '../support/api-client.js';
import { expectIronicError, expectRefused } from '../support/api-assertions.js';
import { at, createNode, reserveNode } from '../support/nodes.js';
import { saveFirmwareComponent, saveInventory } from '../../src/conductor/node-data.js';

let seq = 0;
const mac = () => `52:54:00:cc:${(Math.floor(++seq / 256) % 256).toString(16).padStart(2, '0')}:${(seq % 256).toString(16).padStart(2, '0')}`;
const VIF = (n: number) => `aaaaaaaa-bbbb-cccc-dddd-${String(n).padStart(12, '0')}`;

describe.each(DIALECTS)('node sub-resources (%s)', (dialect) => {
  let api: TestApi;
  beforeAll(async () => { api = await startTestApi(dialect); });
  afterAll(() => api.close());

  const newNode = (body: Record<string, unknown> = {}) => createNode(api, body);
  const lock = (uuid: string, holder: string | null = 'other-host') => reserveNode(api, uuid, holder);
  const put = (path: string, body: unknown, h?: Record<string, string>) => api.request('PUT', path, body, h);

  describe('RAID', () => {
    const config = { logical_disks: [{ size_gb: 100, raid_level: '1', is_root_volume: true }, { size_gb: 'MAX', raid_level: '5+0' }] };

    it('stores a valid target configuration and clears it with {}', async () => {
      const node = await newNode();
      expect((await put(`/v1/nodes/${node}/states/raid`, config)).status).toBe(204);
      expect((await api.get(`/v1/nodes/${node}`)).body.target_raid_config).toEqual(config);
      expect((await api.get(`/v1/nodes/${node}/states`)).body.target_raid_config).toEqual(config);
      expect((await put(`/v1/nodes/${node}/states/raid`, {})).status).toBe(204);
      expect((await api.get(`/v1/nodes/${node}`)).body.target_raid_config).toEqual({});
    });

    it('refuses bad configurations with 400 and changes nothing', async () => {
      const node = await newNode();
      const bad = [
        [], { logical_disks: [] }, { disks: [] }, { logical_disks: [{ raid_level: '1' }] },
        { logical_disks: [{ size_gb: 10, raid_level: '7' }] }, { logical_disks: [{ size_gb: 0, raid_level: '1' }] },
        { logical_disks: [{ size_gb: '10', raid_level: '1' }] }, { logical_disks: [{ size_gb: 10, raid_level: '1', colour: 'red' }] },
        { logical_disks: [{ size_gb: 10, raid_level: '1', is_root_volume: true }, { size_gb: 10, raid_level: '0', is_root_volume: true }] },
      ];
      for (const body of bad) await expectRefused(api, () => put(`/v1/nodes/${node}/states/raid`, body), 400);
    });

    it('needs a RAID interface (404 like Ironic), 1.12 (406) and the node lock (409)', async () => {
      const ipmi = await newNode({ driver: 'ipmi' });
      await expectRefused(api, () => put(`/v1/nodes/${ipmi}/states/raid`, config), 404, /does not support raid/);
      expect((await put(`/v1/nodes/${ipmi}/states/raid`, {})).status).toBe(204);
      const node = await newNode();
      await expectRefused(api, () => put(`/v1/nodes/${node}/states/raid`, config, at('1.11')), 406);
      expectIronicError(await put(`/v1/nodes/${crypto.randomUUID()}/states/raid`, config), 404);
      await lock(node);
      await expectRefused(api, () => put(`/v1/nodes/${node}/states/raid`, config), 409, /locked by host other-host/);
      await lock(node, null);
    });

    it('describes logical disk properties per driver', async () => {
      const res = await api.get('/v1/drivers/fake-hardware/raid/logical_disk_properties');
      expect(res.status).toBe(200);
      expect(Object.keys(res.body)).toEqual(expect.arrayContaining(['raid_level', 'size_gb', 'volume_name', 'is_root_volume']));
      expect(res.body.size_gb).toMatch(/Required\.$/);
      expect(res.body.volume_name).toMatch(/Optional\.$/);
      expect((await api.get('/v1/drivers/ipmi/raid/logical_disk_properties')).body).toEqual(res.body);
      expectIronicError(await api.get('/v1/drivers/nope/raid/logical_disk_properties'), 404);
      expectIronicError(await api.get('/v1/drivers/fake-hardware/raid/logical_disk_properties', at('1.11')), 406);
    });
  });

  describe('VIFs', () => {
    const addPort = async (node: string, extra: Record<string, unknown> = {}) => {
      const res = await api.post('/v1/ports', { node_uuid: node, address: mac(), ...extra });
      expect(res.status, res.text).toBe(201);
      return res.body.uuid as string;
    };
    const portInfo = async (uuid: string) => (await api.get(`/v1/ports/${uuid}`)).body.internal_info;

    it('attaches to a free port, preferring PXE-enabled ones, lists and detaches', async () => {
      const node = await newNode();
      const plain = await addPort(node, { pxe_enabled: false });
      const pxe = await addPort(node);
      expect((await api.get(`/v1/nodes/${node}/vifs`)).body).toEqual({ vifs: [] });
      expect((await api.post(`/v1/nodes/${node}/vifs`, { id: VIF(1) })).status).toBe(204);
      expect(await portInfo(pxe)).toEqual({ tenant_vif_port_id: VIF(1) });
      expect((await api.post(`/v1/nodes/${node}/vifs`, { id: VIF(2), extra_key: 'ignored' })).status).toBe(204);
      expect(await portInfo(plain)).toEqual({ tenant_vif_port_id: VIF(2) });
      expect((await api.get(`/v1/nodes/${node}/vifs`)).body.vifs).toEqual([{ id: VIF(2) }, { id: VIF(1) }]);
      await expectRefused(api, () => api.post(`/v1/nodes/${node}/vifs`, { id: VIF(3) }), 400, /not enough free physical ports/);
      await expectRefused(api, () => api.post(`/v1/nodes/${node}/vifs`, { id: VIF(1) }), 409, /already attached to Port/);
      expect((await api.del(`/v1/nodes/${node}/vifs/${VIF(1)}`)).status).toBe(204);
      expect(await portInfo(pxe)).toEqual({});
      await expectRefused(api, () => api.del(`/v1/nodes/${node}/vifs/${VIF(1)}`), 400, /is not attached to it/);
    });

    it('honours port_uuid and portgroup_uuid from 1.67, and prefers portgroups', async () => {
      const node = await newNode();
      const pg = (await api.post('/v1/portgroups', { node_uuid: node })).body.uuid as string;
      const member = await addPort(node, { portgroup_uuid: pg });
      const first = await addPort(node);
      const second = await addPort(node);
      expect((await api.post(`/v1/nodes/${node}/vifs`, { id: VIF(10) })).status).toBe(204);
      expect((await api.get(`/v1/portgroups/${pg}`)).body.internal_info).toEqual({ tenant_vif_port_id: VIF(10) });
      expect(await portInfo(member)).toEqual({});
      expect((await api.post(`/v1/nodes/${node}/vifs`, { id: VIF(11), port_uuid: second })).status).toBe(204);
      expect(await portInfo(second)).toEqual({ tenant_vif_port_id: VIF(11) });
      expect(await portInfo(first)).toEqual({});
      await expectRefused(api, () => api.post(`/v1/nodes/${node}/vifs`, { id: VIF(12), port_uuid: first, portgroup_uuid: pg }), 400, /both/);
      await expectRefused(api, () => api.post(`/v1/nodes/${node}/vifs`, { id: VIF(12), portgroup_uuid: pg }), 400);
      // Below 1.67 the names are ignored: the only free port is taken.
      expect((await api.post(`/v1/nodes/${node}/vifs`, { id: VIF(12), port_uuid: second }, at('1.66'))).status).toBe(204);
      expect(await portInfo(first)).toEqual({ tenant_vif_port_id: VIF(12) });
    });

    it('validates ids, gates on 1.28 and takes the node lock', async () => {
      const node = await newNode();
      await addPort(node);
      for (const body of [{}, { id: 5 }, { id: 'not a name!' }, 'x']) await expectRefused(api, () => api.post(`/v1/nodes/${node}/vifs`, body), 400);
      expectIronicError(await api.get(`/v1/nodes/${node}/vifs`, at('1.27')), 404);
      expectIronicError(await api.post(`/v1/nodes/${node}/vifs`, { id: VIF(20) }, at('1.27')), 404);
      await lock(node);
      await expectRefused(api, () => api.post(`/v1/nodes/${node}/vifs`, { id: VIF(20) }), 409);
      expect((await api.get(`/v1/nodes/${node}/vifs`)).status).toBe(200);
      await lock(node, null);
    });
  });

  describe('BIOS', () => {
    it('lists the fake interface settings, with registry fields on detail from 1.74', async () => {
      const node = await newNode();
      const list = await api.get(`/v1/nodes/${node}/bios`);
      expect(list.status).toBe(200);
      const first = list.body.bios[0];
      expect(Object.keys(first)).toEqual(['created_at', 'updated_at', 'name', 'value', 'links']);
      expect(first).toMatchObject({ name: 'BootMode', value: 'Uefi' });
      expect(first.links[0]).toEqual({ href: `http://127.0.0.1:6385/v1/nodes/${node}/bios/BootMode`, rel: 'self' });
      const detail = (await api.get(`/v1/nodes/${node}/bios?detail=true`)).body.bios[0];
      expect(detail).toMatchObject({ attribute_type: 'Enumeration', allowable_values: ['Bios', 'Uefi'], lower_bound: null, read_only: false, reset_required: true });
      const some = (await api.get(`/v1/nodes/${node}/bios?fields=value`)).body.bios[0];
      expect(Object.keys(some)).toEqual(['created_at', 'updated_at', 'value', 'links']);
      const one = await api.get(`/v1/nodes/${node}/bios/BootDelaySeconds`);
      expect(one.body.BootDelaySeconds).toMatchObject({ name: 'BootDelaySeconds', value: '5', lower_bound: 0, upper_bound: 60, allowable_values: [] });
      const old = await api.get(`/v1/nodes/${node}/bios/BootDelaySeconds`, at('1.40'));
      expect(Object.keys(old.body.BootDelaySeconds)).toEqual(['created_at', 'updated_at', 'name', 'value', 'links']);
      expect((await api.get(`/v1/nodes/${node}/bios`)).body.bios).toHaveLength(list.body.bios.length);
    });

    it('refuses unknown settings, early query parameters and old versions', async () => {
      const node = await newNode();
      expectIronicError(await api.get(`/v1/nodes/${node}/bios/NoSuch`), 404, `Node ${node} doesn't have a BIOS setting 'NoSuch'`);
      expectIronicError(await api.get(`/v1/nodes/${node}/bios?detail=true`, at('1.73')), 400);
      expectIronicError(await api.get(`/v1/nodes/${node}/bios?fields=name`, at('1.73')), 400);
      expectIronicError(await api.get(`/v1/nodes/${node}/bios?fields=name&detail=true`), 400);
      expectIronicError(await api.get(`/v1/nodes/${node}/bios?fields=bogus`), 400);
      expectIronicError(await api.get(`/v1/nodes/${node}/bios`, at('1.39')), 404);
      const ipmi = await newNode({ driver: 'ipmi' });
      expect((await api.get(`/v1/nodes/${ipmi}/bios`)).body).toEqual({ bios: [] });
    });
  });

  describe('inventory, firmware, children and shards', () => {
    it('serves a stored inventory from 1.81 and 404s without one', async () => {
      const node = await newNode();
      expectIronicError(await api.get(`/v1/nodes/${node}/inventory`), 404, `Node inventory record for node ${node} could not be found.`);
      await saveInventory(api.tables, node, { cpu: { count: 4 } }, { root_disk: 'sda' });
      await saveInventory(api.tables, node, { cpu: { count: 8 } }, { root_disk: 'sdb' });
      expect((await api.get(`/v1/nodes/${node}/inventory`)).body).toEqual({ inventory: { cpu: { count: 8 } }, plugin_data: { root_disk: 'sdb' } });
      expectIronicError(await api.get(`/v1/nodes/${node}/inventory`, at('1.80')), 404);
    });

    it('lists firmware components from 1.86', async () => {
      const node = await newNode();
      expect((await api.get(`/v1/nodes/${node}/firmware`)).body).toEqual({ firmware: [] });
      await saveFirmwareComponent(api.tables, node, { component: 'bmc', currentVersion: '1.0' });
      await saveFirmwareComponent(api.tables, node, { component: 'bmc', currentVersion: '1.2', lastVersionFlashed: '1.2' });
      const fw = (await api.get(`/v1/nodes/${node}/firmware`)).body.firmware;
      expect(fw).toEqual([{ created_at: expect.any(String), updated_at: expect.any(String), component: 'bmc', initial_version: '1.0',
        current_version: '1.2', last_version_flashed: '1.2' }]);
      expectIronicError(await api.get(`/v1/nodes/${node}/firmware`, at('1.85')), 404);
      expectIronicError(await api.get(`/v1/nodes/${node}/firmware?fields=nope`), 400);
    });

    it('lists children, hides them from the node list by default, and counts shards', async () => {
      const parent = await newNode({ shard: 'rack-a' });
      const kids = [await newNode({ parent_node: parent, shard: 'rack-a' }), await newNode({ parent_node: parent })];
      expect((await api.get(`/v1/nodes/${parent}/children`)).body).toEqual({ children: kids });
      const detailed = (await api.get(`/v1/nodes/${parent}/children?detail=true`)).body.children;
      expect(detailed.map((n: { uuid: string; parent_node: string }) => [n.uuid, n.parent_node])).toEqual(kids.map((k) => [k, parent]));
      expect((await api.get(`/v1/nodes/${parent}/children?fields=uuid,name`)).body.children[0]).toEqual({ uuid: kids[0], name: null,
        links: expect.any(Array) });
      expectIronicError(await api.get(`/v1/nodes/${parent}/children`, at('1.82')), 404);
      const listed = (await api.get('/v1/nodes')).body.nodes.map((n: { uuid: string }) => n.uuid);
      expect(listed).toContain(parent);
      expect(listed).not.toContain(kids[0]);
      expect((await api.get('/v1/nodes?include_children=true')).body.nodes.map((n: { uuid: string }) => n.uuid)).toEqual(expect.arrayContaining(kids));
      expect((await api.get(`/v1/nodes?parent_node=${parent}`)).body.nodes.map((n: { uuid: string }) => n.uuid)).toEqual(kids);
      expectIronicError(await api.get('/v1/nodes?include_children=true', at('1.82')), 406);
      const shards = (await api.get('/v1/shards')).body.shards as { name: string; count: number }[];
      expect(shards.find((s) => s.name === 'rack-a')).toEqual({ name: 'rack-a', count: 2 });
      expect(shards.map((s) => s.count)).toEqual([...shards.map((s) => s.count)].sort((a, b) => b - a));
      expectIronicError(await api.get('/v1/shards', at('1.81')), 404);
      expectIronicError(await api.get('/v1/shards/rack-a'), 404);
    });

    it('removes recorded data with the node', async () => {
      const node = await newNode();
      await saveInventory(api.tables, node, { a: 1 });
      await api.get(`/v1/nodes/${node}/bios`);
      expect((await api.del(`/v1/nodes/${node}`)).status).toBe(204);
      expect(await api.tables.nodeInventory.findBy('nodeUuid', node)).toBeNull();
      expect(await api.tables.biosSettings.findBy('nodeUuid', node)).toBeNull();
    });
  });

  describe('events', () => {
    const event = { event: 'network.bind_port', port_id: VIF(30), mac_address: '52:54:00:00:00:01', status: 'ACTIVE',
      device_id: VIF(31), 'binding:host_id': VIF(32), 'binding:vnic_type': 'baremetal' };

    it('accepts valid network events from 1.54', async () => {
      expect((await api.post('/v1/events', { events: [event, { ...event, event: 'network.unbind_port', device_id: null }] })).status).toBe(204);
      expectIronicError(await api.post('/v1/events', { events: [event] }, at('1.53')), 404);
    });

    it('refuses malformed events', async () => {
      const bad = [{}, { events: [] }, { events: [event], more: 1 }, { events: [{ ...event, event: 'network.bind_port.start' }] },
        { events: [{ ...event, port_id: 'nope' }] }, { events: [{ ...event, mac_address: 'zz' }] },
        { events: [{ ...event, status: undefined }] }, { events: [{ ...event, surprise: true }] }];
      for (const body of bad) expectIronicError(await api.post('/v1/events', body), 400);
    });
  });
});
