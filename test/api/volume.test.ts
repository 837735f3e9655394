// /v1/volume, its connectors and targets, and the node views under /v1/nodes/{node}/volume, on every store:
// shapes, uniqueness, the powered-off rule for changes, locks, version gates, and refusals that change nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { startTestApi, type TestApi } from '../support/api-client.js';
import { expectIronicError, expectRefused } from '../support/api-assertions.js';

const at = (v: string) => ({ 'X-OpenStack-Ironic-API-Version': v });
const BASE = 'http://127.0.0.1:6385';
const selfAndBookmark = (path: string) => [{ href: `${BASE}/v1/${path}`, rel: 'self' }, { href: `${BASE}/${path}`, rel: 'bookmark' }];

let seq = 0;
const iqn = () => `iqn.2024-01.org.example:node-${++seq}`;

describe.each(DIALECTS)('volume API (%s)', (dialect) => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi(dialect);
  });
  afterAll(() => api.close());

  /** A node with the given power state (written directly: power sync is not what is under test). */
  const newNode = async (powerState: string | null = 'power off', name?: string) => {
    const res = await api.post('/v1/nodes', { driver: 'fake-hardware', ...(name ? { name } : {}) });
    expect(res.status, res.text).toBe(201);
    const node = await api.tables.nodes.findBy('uuid', res.body.uuid);
    await api.tables.nodes.update(node!.id, { powerState });
    return res.body.uuid as string;
  };
  const setNode = async (uuid: string, changes: Record<string, unknown>) => {
    const node = await api.tables.nodes.findBy('uuid', uuid);
    await api.tables.nodes.update(node!.id, changes);
  };
  const newConnector = async (node: string, body: Record<string, unknown> = {}) => {
    const res = await api.post('/v1/volume/connectors', { node_uuid: node, type: 'iqn', connector_id: iqn(), ...body });
    expect(res.status, res.text).toBe(201);
    return res.body;
  };
  const newTarget = async (node: string, body: Record<string, unknown> = {}) => {
    const res = await api.post('/v1/volume/targets', { node_uuid: node, volume_type: 'iscsi', boot_index: 0, volume_id: `vol-${++seq}`, ...body });
    expect(res.status, res.text).toBe(201);
    return res.body;
  };

  describe('index', () => {
    it('links connectors and targets, globally and per node (built from the ident as given)', async () => {
      const res = await api.get('/v1/volume');
      expect(res.body).toEqual({ links: selfAndBookmark('volume/'), connectors: selfAndBookmark('volume/connectors'), targets: selfAndBookmark('volume/targets') });
      await newNode('power off', 'vol-index-node');
      const perNode = await api.get('/v1/nodes/vol-index-node/volume');
      expect(perNode.body).toEqual({
        links: selfAndBookmark('nodes/vol-index-node/volume/'),
        connectors: selfAndBookmark('nodes/vol-index-node/volume/connectors'),
        targets: selfAndBookmark('nodes/vol-index-node/volume/targets'),
      });
      expectIronicError(await api.get('/v1/nodes/no-such-node/volume'), 404, 'Node no-such-node could not be found.');
    });

    it('does not exist before 1.32', async () => {
      const node = await newNode();
      expectIronicError(await api.get('/v1/volume', at('1.31')), 404);
      expectIronicError(await api.get('/v1/volume/connectors', at('1.31')), 404);
      expectIronicError(await api.get(`/v1/nodes/${node}/volume/targets`, at('1.31')), 404);
      await expectRefused(api, () => api.post('/v1/volume/connectors', { node_uuid: node, type: 'iqn', connector_id: iqn() }, at('1.31')), 404);
      expect((await api.get('/v1/volume', at('1.32'))).status).toBe(200);
      expect((await api.get(`/v1/nodes/${node}`, at('1.32'))).body.volume).toEqual(selfAndBookmark(`nodes/${node}/volume`));
    });
  });

  describe('connectors', () => {
    it('creates, shows and lists in Ironic shapes', async () => {
      const node = await newNode('power off', 'conn-list-node');
      const c = await newConnector(node, { extra: { rack: 1 } });
      expect(Object.keys(c)).toEqual(['uuid', 'created_at', 'updated_at', 'connector_id', 'extra', 'type', 'links', 'node_uuid']);
      expect(c).toMatchObject({ node_uuid: node, type: 'iqn', extra: { rack: 1 }, updated_at: null, links: selfAndBookmark(`volume/connectors/${c.uuid}`) });
      expect((await api.get(`/v1/volume/connectors/${c.uuid}`)).body).toEqual(c);
      const list = await api.get('/v1/volume/connectors?node=conn-list-node');
      expect(list.body).toEqual({ connectors: [{ uuid: c.uuid, connector_id: c.connector_id, type: 'iqn', links: c.links, node_uuid: node }] });
      expect((await api.get(`/v1/nodes/${node}/volume/connectors`)).body).toEqual(list.body);
      expect((await api.get(`/v1/volume/connectors?node=${node}&detail=true`)).body.connectors).toEqual([c]);
      expect((await api.get(`/v1/volume/connectors/${c.uuid}?fields=type`)).body).toEqual({ type: 'iqn', links: c.links });
      const second = await newConnector(node, { type: 'wwpn', connector_id: c.connector_id });
      const page = await api.get(`/v1/nodes/${node}/volume/connectors?limit=1`);
      expect(page.body.connectors.map((x: { uuid: string }) => x.uuid)).toEqual([c.uuid]);
      expect(page.body.next).toBe(`${BASE}/v1/nodes/${node}/volume/connectors?limit=1&marker=${c.uuid}`);
      expect((await api.get(`/v1/nodes/${node}/volume/connectors?limit=1&marker=${c.uuid}`)).body.connectors[0].uuid).toBe(second.uuid);
      expectIronicError(await api.get('/v1/volume/connectors?node=missing-node'), 404, 'Node missing-node could not be found.');
    });

    it('refuses bad bodies and duplicates without changing anything', async () => {
      const node = await newNode();
      const c = await newConnector(node);
      const post = (body: Record<string, unknown>) => () => api.post('/v1/volume/connectors', { node_uuid: node, type: 'iqn', connector_id: iqn(), ...body });
      await expectRefused(api, post({ connector_id: c.connector_id }), 409,
        `A volume connector with type iqn and connector ID ${c.connector_id} already exists.`);
      await expectRefused(api, post({ uuid: c.uuid }), 409, `A volume connector with UUID ${c.uuid} already exists.`);
      await expectRefused(api, post({ type: 'nvme' }), 400, /'nvme' is not one of \['iqn', 'ip', 'mac', 'wwnn', 'wwpn', 'port', 'portgroup'\]/);
      await expectRefused(api, post({ connector_id: undefined }), 400, "Schema error for connector: 'connector_id' is a required property");
      await expectRefused(api, post({ node_uuid: '1be26c0b-03f2-4d2e-ae87-c02d7f33c123' }), 400, 'Node 1be26c0b-03f2-4d2e-ae87-c02d7f33c123 could not be found.');
      await expectRefused(api, post({ node_uuid: 'not-a-uuid' }), 400);
      await expectRefused(api, post({ bogus: true }), 400, /'bogus' was unexpected/);
      await expectRefused(api, () => api.post(`/v1/nodes/${node}/volume/connectors`, { node_uuid: node, type: 'iqn', connector_id: iqn() }), 403,
        'Operation not permitted.');
      expectIronicError(await api.get(`/v1/nodes/${node}/volume/connectors/${c.uuid}`), 403);
      expectIronicError(await api.get('/v1/volume/connectors/not-a-uuid'), 400, 'Expected a UUID but received not-a-uuid.');
      expectIronicError(await api.get('/v1/volume/connectors/1be26c0b-03f2-4d2e-ae87-c02d7f33c123'), 404,
        'Volume connector 1be26c0b-03f2-4d2e-ae87-c02d7f33c123 could not be found.');
    });

    it('changes and deletes only while the node is powered off and unlocked', async () => {
      const node = await newNode('power on');
      const c = await newConnector(node);
      const ops = [{ op: 'replace', path: '/connector_id', value: 'iqn.2024-01.org.example:renamed' }];
      await expectRefused(api, () => api.patch(`/v1/volume/connectors/${c.uuid}`, ops), 400,
        `The requested action "volume connector update" can not be performed on node "${node}" while it is in state "power on".`);
      await expectRefused(api, () => api.del(`/v1/volume/connectors/${c.uuid}`), 400,
        `The requested action "volume connector deletion" can not be performed on node "${node}" while it is in state "power on".`);
      await setNode(node, { powerState: 'power off', reservation: 'other-conductor' });
      await expectRefused(api, () => api.patch(`/v1/volume/connectors/${c.uuid}`, ops), 409, /is locked by host other-conductor/);
      await setNode(node, { reservation: null });
      const patched = await api.patch(`/v1/volume/connectors/${c.uuid}`, ops);
      expect(patched.status, patched.text).toBe(200);
      expect(patched.body).toMatchObject({ connector_id: 'iqn.2024-01.org.example:renamed' });
      expect(patched.body.updated_at).not.toBeNull();
      const other = await newConnector(node);
      await expectRefused(api, () => api.patch(`/v1/volume/connectors/${other.uuid}`, ops), 409, /already exists/);
      await expectRefused(api, () => api.patch(`/v1/volume/connectors/${other.uuid}`, [{ op: 'replace', path: '/type', value: 'x' }]), 400);
      expect((await api.del(`/v1/volume/connectors/${c.uuid}`)).status).toBe(204);
      expectIronicError(await api.get(`/v1/volume/connectors/${c.uuid}`), 404);
    });

    it('moves to another node only if that node exists and is powered off', async () => {
      const from = await newNode();
      const to = await newNode('power on');
      const c = await newConnector(from);
      const move = (uuid: string) => () => api.patch(`/v1/volume/connectors/${c.uuid}`, [{ op: 'replace', path: '/node_uuid', value: uuid }]);
      await expectRefused(api, move(to), 400, /"volume connector update" can not be performed on node ".*" while it is in state "power on"/);
      await expectRefused(api, move('1be26c0b-03f2-4d2e-ae87-c02d7f33c123'), 400, 'Node 1be26c0b-03f2-4d2e-ae87-c02d7f33c123 could not be found.');
      await setNode(to, { powerState: 'power off' });
      const moved = await move(to)();
      expect(moved.status, moved.text).toBe(200);
      expect(moved.body.node_uuid).toBe(to);
    });
  });

  describe('targets', () => {
    it('creates, shows and lists in Ironic shapes', async () => {
      const node = await newNode();
      const t = await newTarget(node, { properties: { target_iqn: 'iqn.x', target_lun: 0 } });
      expect(Object.keys(t)).toEqual(['uuid', 'created_at', 'updated_at', 'boot_index', 'extra', 'properties', 'volume_id', 'volume_type', 'links', 'node_uuid']);
      expect(t).toMatchObject({ node_uuid: node, boot_index: 0, volume_type: 'iscsi', properties: { target_iqn: 'iqn.x', target_lun: 0 }, extra: {} });
      expect(t.links).toEqual(selfAndBookmark(`volume/targets/${t.uuid}`));
      const list = await api.get(`/v1/nodes/${node}/volume/targets`);
      expect(list.body).toEqual({ targets: [{ uuid: t.uuid, boot_index: 0, volume_id: t.volume_id, volume_type: 'iscsi', links: t.links, node_uuid: node }] });
      expect((await api.get(`/v1/volume/targets?node=${node}&detail=true`)).body.targets).toEqual([t]);
      expect((await api.get(`/v1/volume/targets/${t.uuid}`)).body).toEqual(t);
      expectIronicError(await api.get('/v1/volume/targets?sort_key=properties'), 400);
      expect((await api.get(`/v1/volume/targets?sort_key=boot_index&sort_dir=desc&node=${node}`)).status).toBe(200);
    });

    it('keeps boot indexes unique per node', async () => {
      const node = await newNode();
      const other = await newNode();
      await newTarget(node, { boot_index: 0 });
      await expectRefused(api, () => api.post('/v1/volume/targets', { node_uuid: node, volume_type: 'iscsi', boot_index: 0, volume_id: 'v-dup' }), 409,
        "A volume target with boot index '0' for the same node already exists.");
      await newTarget(other, { boot_index: 0 });
      const second = await newTarget(node, { boot_index: 1 });
      await expectRefused(api, () => api.patch(`/v1/volume/targets/${second.uuid}`, [{ op: 'replace', path: '/boot_index', value: 0 }]), 409,
        "A volume target with boot index '0' for the same node already exists.");
    });

    it('refuses bad bodies, and changes only while powered off', async () => {
      const node = await newNode('power on');
      const post = (body: Record<string, unknown>) => () => api.post('/v1/volume/targets', { node_uuid: node, volume_type: 'iscsi', boot_index: 5, volume_id: 'v', ...body });
      await expectRefused(api, post({ boot_index: 'first' }), 400);
      await expectRefused(api, post({ volume_id: undefined }), 400, "Schema error for target: 'volume_id' is a required property");
      await expectRefused(api, post({ properties: 'x' }), 400);
      const t = await newTarget(node);
      await expectRefused(api, () => api.patch(`/v1/volume/targets/${t.uuid}`, [{ op: 'add', path: '/properties/auth_method', value: 'CHAP' }]), 400,
        `The requested action "volume target update" can not be performed on node "${node}" while it is in state "power on".`);
      await expectRefused(api, () => api.del(`/v1/volume/targets/${t.uuid}`), 400, /"volume target deletion"/);
      await setNode(node, { powerState: 'power off' });
      const res = await api.patch(`/v1/volume/targets/${t.uuid}`, [{ op: 'add', path: '/properties/auth_method', value: 'CHAP' }]);
      expect(res.status, res.text).toBe(200);
      expect(res.body.properties).toEqual({ auth_method: 'CHAP' });
      expect((await api.del(`/v1/volume/targets/${t.uuid}`)).status).toBe(204);
    });
  });

  it('deleting a node deletes its connectors and targets', async () => {
    const node = await newNode();
    const c = await newConnector(node);
    const t = await newTarget(node);
    expect((await api.del(`/v1/nodes/${node}`)).status).toBe(204);
    expectIronicError(await api.get(`/v1/volume/connectors/${c.uuid}`), 404);
    expectIronicError(await api.get(`/v1/volume/targets/${t.uuid}`), 404);
  });
});
