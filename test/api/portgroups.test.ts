// /v1/portgroups on every store: shape and version gates (1.23, 1.24, 1.26), validation, name and MAC
// uniqueness, member ports, the node lock and PortgroupNotEmpty.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { startTestApi, type TestApi } from '../support/api-client.js';
import { expectIronicError, expectRefused } from '../support/api-assertions.js';
import { keysOf } from '../support/fixtures.js';

const at = (v: string) => ({ 'X-OpenStack-Ironic-API-Version': v });

let seq = 0;
const mac = () => `52:54:00:bb:${(Math.floor(++seq / 256) % 256).toString(16).padStart(2, '0')}:${(seq % 256).toString(16).padStart(2, '0')}`;

const FULL_KEYS = ['address', 'created_at', 'extra', 'internal_info', 'links', 'mode', 'name', 'node_uuid', 'ports', 'properties',
  'standalone_ports_supported', 'updated_at', 'uuid'];

describe.each(DIALECTS)('portgroups API (%s)', (dialect) => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startTestApi(dialect);
  });
  afterAll(() => api.close());

  const newNode = async () => (await api.post('/v1/nodes', { driver: 'fake-hardware' })).body.uuid as string;
  const newPortgroup = async (body: Record<string, unknown>, headers?: Record<string, string>) => {
    const res = await api.post('/v1/portgroups', body, headers);
    expect(res.status, res.text).toBe(201);
    return res.body;
  };

  it('creates with Ironic defaults and shows the full shape', async () => {
    const node = await newNode();
    const pg = await newPortgroup({ node_uuid: node, name: 'bond0', address: 'AA:BB:CC:00:00:01' });
    expect(keysOf(pg)).toEqual(FULL_KEYS);
    expect(pg).toMatchObject({ node_uuid: node, name: 'bond0', address: 'aa:bb:cc:00:00:01', mode: 'active-backup', properties: {},
      standalone_ports_supported: true, extra: {}, internal_info: {}, updated_at: null });
    expect(pg.ports).toEqual([
      { href: `http://127.0.0.1:6385/v1/portgroups/${pg.uuid}/ports`, rel: 'self' },
      { href: `http://127.0.0.1:6385/portgroups/${pg.uuid}/ports`, rel: 'bookmark' }]);
    const got = await api.get(`/v1/portgroups/${pg.uuid}`);
    expect(got.body).toEqual(pg);
    expect((await api.get('/v1/portgroups/bond0')).body.uuid).toBe(pg.uuid);
    const full = await newPortgroup({ node_uuid: node, mode: '802.3ad', properties: { miimon: '100' }, standalone_ports_supported: false });
    expect(full).toMatchObject({ mode: '802.3ad', properties: { miimon: '100' }, standalone_ports_supported: false, name: null, address: null });
  });

  it('exists from 1.23, with mode and properties from 1.26', async () => {
    const node = await newNode();
    expectIronicError(await api.get('/v1/portgroups', at('1.22')), 404);
    expectIronicError(await api.post('/v1/portgroups', { node_uuid: node }, at('1.22')), 404);
    const pg = await newPortgroup({ node_uuid: node }, at('1.23'));
    expect(keysOf(pg)).toEqual(FULL_KEYS.filter((k) => k !== 'mode' && k !== 'properties'));
    expectIronicError(await api.get(`/v1/portgroups/${pg.uuid}`, at('1.22')), 404);
    await expectRefused(api, () => api.post('/v1/portgroups', { node_uuid: node, mode: 'balance-rr' }, at('1.25')), 406);
    await expectRefused(api, () => api.patch(`/v1/portgroups/${pg.uuid}`, [{ op: 'replace', path: '/mode', value: 'x' }], at('1.25')), 406);
    expectIronicError(await api.get(`/v1/nodes/${node}/portgroups`, at('1.23')), 404);
    expectIronicError(await api.get(`/v1/portgroups/${pg.uuid}/ports`, at('1.23')), 404);
    expect((await api.get(`/v1/nodes/${node}/portgroups`, at('1.24'))).body.portgroups.map((p: { uuid: string }) => p.uuid)).toEqual([pg.uuid]);
  });

  it('lists summaries, details, and filters by node and address', async () => {
    const node = await newNode();
    const a = await newPortgroup({ node_uuid: node, name: 'list-a', address: mac() });
    const b = await newPortgroup({ node_uuid: node, name: 'list-b' });
    const list = await api.get(`/v1/portgroups?node=${node}`);
    expect(list.body.portgroups.map(keysOf)).toEqual([['address', 'links', 'name', 'uuid'], ['address', 'links', 'name', 'uuid']]);
    const detail = await api.get(`/v1/portgroups/detail?node=${node}`);
    expect(detail.body.portgroups.map(keysOf)).toEqual([FULL_KEYS, FULL_KEYS]);
    expect((await api.get(`/v1/nodes/${node}/portgroups/detail`)).body).toEqual(detail.body);
    expect((await api.get(`/v1/portgroups?address=${a.address.toUpperCase()}`)).body.portgroups.map((p: { uuid: string }) => p.uuid)).toEqual([a.uuid]);
    const paged = await api.get(`/v1/portgroups?node=${node}&limit=1&fields=name`);
    expect(paged.body.portgroups).toEqual([{ name: 'list-a', links: a.links }]);
    expect(paged.body.next).toBe(`http://127.0.0.1:6385/v1/portgroups?node=${node}&fields=name&limit=1&marker=${a.uuid}`);
    expect((await api.get(`/v1/portgroups?node=${node}&sort_key=name&sort_dir=desc`)).body.portgroups.map((p: { name: string }) => p.name))
      .toEqual([b.name, a.name]);
    expectIronicError(await api.get('/v1/portgroups?address=nope'), 400, 'Expected valid MAC address for address: nope');
    expectIronicError(await api.get('/v1/portgroups?sort_key=properties'), 400);
    expectIronicError(await api.get('/v1/portgroups/no-such-pg'), 404, 'Port group no-such-pg could not be found.');
    expectIronicError(await api.get('/v1/portgroups/bad%20name'), 400, 'Expected UUID or name for portgroup: bad name');
  });

  it('refuses invalid, duplicate and unknown values without touching the store', async () => {
    const node = await newNode();
    const taken = await newPortgroup({ node_uuid: node, name: 'taken-name', address: mac() });
    const post = (body: unknown) => () => api.post('/v1/portgroups', body);
    await expectRefused(api, post({ name: 'x' }), 400, "Schema error for portgroup: 'node_uuid' is a required property");
    await expectRefused(api, post({ node_uuid: '1be26c0b-03f2-4d2e-ae87-c02d7f33c123' }), 400, 'Node 1be26c0b-03f2-4d2e-ae87-c02d7f33c123 could not be found.');
    await expectRefused(api, post({ node_uuid: node, name: 'bad name' }), 400, "Cannot create portgroup with invalid name 'bad name'");
    await expectRefused(api, post({ node_uuid: node, name: 'taken-name' }), 409, 'A portgroup with name taken-name already exists.');
    await expectRefused(api, post({ node_uuid: node, address: taken.address.toUpperCase() }), 409, `A portgroup with MAC address ${taken.address} already exists.`);
    await expectRefused(api, post({ node_uuid: node, address: 'zz' }), 400, 'Expected valid MAC address for address: zz');
    await expectRefused(api, post({ node_uuid: node, ports: [] }), 400, /'ports' was unexpected/);
    await expectRefused(api, post({ node_uuid: node, internal_info: {} }), 400, /'internal_info' was unexpected/);
    await expectRefused(api, post({ node_uuid: node, standalone_ports_supported: 'perhaps' }), 400);
    await expectRefused(api, post({ node_uuid: node, properties: [] }), 400);
    await expectRefused(api, post({ node_uuid: node, mode: 'a\u0000b' }), 400, /must not contain NUL/);
  });

  it('patches, with Ironic rules for names, mode and standalone ports', async () => {
    const node = await newNode();
    const pg = await newPortgroup({ node_uuid: node, name: 'patch-me' });
    const res = await api.patch('/v1/portgroups/patch-me', [
      { op: 'replace', path: '/name', value: 'patched' }, { op: 'replace', path: '/mode', value: 'balance-rr' },
      { op: 'add', path: '/properties/miimon', value: '100' }, { op: 'add', path: '/address', value: 'AA:BB:CC:00:00:99' }]);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ name: 'patched', mode: 'balance-rr', properties: { miimon: '100' }, address: 'aa:bb:cc:00:00:99' });
    const patch = (ops: unknown) => () => api.patch(`/v1/portgroups/${pg.uuid}`, ops);
    await expectRefused(api, patch([{ op: 'replace', path: '/name', value: 'bad name' }]), 400, `Portgroup ${pg.uuid}: Cannot change name to invalid name 'bad name'`);
    await expectRefused(api, patch([{ op: 'remove', path: '/mode' }]), 400, "'mode' is a mandatory attribute and can not be removed");
    await expectRefused(api, patch([{ op: 'replace', path: '/internal_info', value: {} }]), 400, /^Cannot patch \/internal_info/);
    await expectRefused(api, patch([{ op: 'replace', path: '/node_uuid', value: '1be26c0b-03f2-4d2e-ae87-c02d7f33c123' }]), 400);
    await api.post('/v1/ports', { address: mac(), node_uuid: node, portgroup_uuid: pg.uuid });
    await expectRefused(api, patch([{ op: 'replace', path: '/standalone_ports_supported', value: false }]), 409, /standalone ports/);
    await expectRefused(api, patch([{ op: 'replace', path: '/node_uuid', value: await newNode() }]), 400,
      `Cannot complete the requested action because portgroup ${pg.uuid} contains ports.`);
  });

  it('lists member ports and refuses to delete a portgroup that has some', async () => {
    const node = await newNode();
    const pg = await newPortgroup({ node_uuid: node, name: 'with-members' });
    const port = (await api.post('/v1/ports', { address: mac(), node_uuid: node, portgroup_uuid: pg.uuid })).body;
    expect((await api.get('/v1/portgroups/with-members/ports')).body.ports.map((p: { uuid: string }) => p.uuid)).toEqual([port.uuid]);
    expect((await api.get('/v1/portgroups/with-members/ports/detail')).body.ports[0].portgroup_uuid).toBe(pg.uuid);
    await expectRefused(api, () => api.del('/v1/portgroups/with-members'), 400,
      `Cannot complete the requested action because portgroup ${pg.uuid} contains ports.`);
    await api.patch(`/v1/ports/${port.uuid}`, [{ op: 'remove', path: '/portgroup_uuid' }]);
    expect((await api.del('/v1/portgroups/with-members')).status).toBe(204);
    expectIronicError(await api.get(`/v1/portgroups/${pg.uuid}`), 404);
  });

  it('answers 409 NodeLocked while the node is reserved', async () => {
    const node = await newNode();
    const pg = await newPortgroup({ node_uuid: node });
    const row = (await api.tables.nodes.findBy('uuid', node))!;
    await api.tables.nodes.update(row.id, { reservation: 'busy-host' });
    const locked = `Node ${node} is locked by host busy-host, please retry after the current operation is completed.`;
    await expectRefused(api, () => api.post('/v1/portgroups', { node_uuid: node }), 409, locked);
    await expectRefused(api, () => api.patch(`/v1/portgroups/${pg.uuid}`, [{ op: 'add', path: '/extra/a', value: 1 }]), 409, locked);
    await expectRefused(api, () => api.del(`/v1/portgroups/${pg.uuid}`), 409, locked);
    await api.tables.nodes.update(row.id, { reservation: null });
    expect((await api.del(`/v1/portgroups/${pg.uuid}`)).status).toBe(204);
  });
});
