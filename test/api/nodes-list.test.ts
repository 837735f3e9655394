// Listing nodes on both stores: summary/detail/fields views, filters, sorting and the `next` link that
// clients follow page by page.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { startTestApi, type TestApi } from '../support/api-client.js';
import { FIXTURE_VERSION, fixture, keysOf } from '../support/fixtures.js';

describe.each(DIALECTS)('node lists on %s', (dialect) => {
  let api: TestApi;
  const uuids: string[] = [];
  beforeAll(async () => {
    api = await startTestApi(dialect);
    for (let i = 0; i < 7; i++) {
      const r = await api.post('/v1/nodes', {
        driver: i % 2 ? 'ipmi' : 'fake-hardware', name: `n${i}`, resource_class: i < 3 ? 'small' : 'large',
        description: i === 4 ? 'Rack 4, 50% full' : `node ${i}`, owner: i === 5 ? 'proj-a' : null,
        maintenance: i === 2,
      });
      expect(r.status).toBe(201);
      // No conductor serves group zone-b, so the API would refuse it; put it there behind the API's back.
      if (i === 6) await api.tables.nodes.update(r.body.id ?? (await api.tables.nodes.findBy('uuid', r.body.uuid))!.id, { conductorGroup: 'zone-b' });
      uuids.push(r.body.uuid);
    }
  });
  afterAll(async () => { await api?.close(); });

  it('lists summaries, details and selected fields like Ironic', async () => {
    const v = { 'X-OpenStack-Ironic-API-Version': FIXTURE_VERSION };
    const plain = await api.get('/v1/nodes', v);
    expect(plain.body.nodes).toHaveLength(7);
    expect(keysOf(plain.body.nodes[0])).toEqual(keysOf(fixture('15-list-nodes').response.body.nodes[0]));
    expect(plain.body.next).toBeUndefined();
    const detail = await api.get('/v1/nodes?detail=True', v);
    expect(keysOf(detail.body.nodes[0])).toEqual(keysOf(fixture('16-list-nodes-detail').response.body.nodes[0]));
    const path = await api.get('/v1/nodes/detail', v);
    expect(keysOf(path.body.nodes[0])).toEqual(keysOf(fixture('17-list-nodes-detail-path').response.body.nodes[0]));
    const fields = await api.get('/v1/nodes?fields=uuid,driver');
    expect(keysOf(fields.body.nodes[0])).toEqual(['driver', 'links', 'uuid']);
    expect((await api.get('/v1/nodes?fields=uuid&detail=true')).status).toBe(400);
    expect((await api.get('/v1/nodes?detail=true', { 'X-OpenStack-Ironic-API-Version': '1.42' })).status).toBe(406);
  });

  it('never serves a stale view from the serialisation cache', async () => {
    const first = await api.get('/v1/nodes?detail=True');
    const n3 = () => api.get('/v1/nodes?detail=True').then((r) => r.body.nodes.find((n: { name: string }) => n.name === 'n3'));
    expect((await n3()).extra).toEqual({});
    await api.patch('/v1/nodes/n3', [{ op: 'add', path: '/extra/seen', value: 1 }]);
    expect((await n3()).extra).toEqual({ seen: 1 });
    const rec = (await api.tables.nodes.findBy('name', 'n3'))!;
    await api.tables.nodes.update(rec.id, { reservation: 'somebody' });
    expect((await n3()).reservation).toBe('somebody');
    await api.tables.nodes.update(rec.id, { reservation: null });
    expect((await n3()).reservation).toBeNull();
    const old = await api.get('/v1/nodes/detail', { 'X-OpenStack-Ironic-API-Version': '1.1' });
    expect(old.body.nodes[0].name).toBeUndefined();
    expect(first.body.nodes.length).toBe(old.body.nodes.length);
    expect(JSON.parse((await api.get('/v1/nodes?detail=True')).text)).toEqual((await api.get('/v1/nodes?detail=True')).body);
  });

  it('pages with limit and marker through the next link', async () => {
    const seen: string[] = [];
    let path: string | undefined = '/v1/nodes?limit=3&fields=uuid,name';
    let pages = 0;
    while (path) {
      const r = await api.get(path);
      expect(r.status).toBe(200);
      seen.push(...r.body.nodes.map((n: { uuid: string }) => n.uuid));
      expect(r.body.nodes.every((n: object) => keysOf(n).join() === 'links,name,uuid')).toBe(true);
      path = r.body.next ? new URL(r.body.next).pathname + new URL(r.body.next).search : undefined;
      if (path) expect(path).toContain('fields=uuid%2Cname');
      pages++;
    }
    expect(seen).toEqual(uuids);
    expect(pages).toBe(3);
    expect((await api.get('/v1/nodes?limit=0')).error).toBe('Limit must be positive');
    expect((await api.get('/v1/nodes?limit=abc')).status).toBe(400);
    expect((await api.get('/v1/nodes?marker=1be26c0b-03f2-4d2e-ae87-c02d7f33c123')).status).toBe(400);
  });

  it('sorts by scalar fields in both directions and refuses dict keys', async () => {
    const desc = await api.get('/v1/nodes?sort_key=name&sort_dir=desc');
    expect(desc.body.nodes.map((n: { name: string }) => n.name)).toEqual(['n6', 'n5', 'n4', 'n3', 'n2', 'n1', 'n0']);
    const byClass = await api.get('/v1/nodes?sort_key=resource_class&fields=name,resource_class&limit=4');
    expect(byClass.body.nodes.map((n: { resource_class: string }) => n.resource_class)).toEqual(['large', 'large', 'large', 'large']);
    const rest = await api.get(new URL(byClass.body.next).pathname + new URL(byClass.body.next).search);
    expect(rest.body.nodes.map((n: { name: string }) => n.name)).toEqual(['n0', 'n1', 'n2']);
    expect((await api.get('/v1/nodes?sort_key=driver_info')).status).toBe(400);
    expect((await api.get('/v1/nodes?sort_key=nope')).status).toBe(400);
    expect((await api.get('/v1/nodes?sort_dir=sideways')).status).toBe(400);
  });

  it('filters by the parameters users rely on', async () => {
    const names = async (q: string) => (await api.get(`/v1/nodes?${q}`)).body.nodes.map((n: { name: string }) => n.name);
    expect(await names('driver=ipmi')).toEqual(['n1', 'n3', 'n5']);
    expect(await names('resource_class=small')).toEqual(['n0', 'n1', 'n2']);
    expect(await names('maintenance=true')).toEqual(['n2']);
    expect(await names('provision_state=enroll&driver=fake-hardware')).toEqual(['n0', 'n2', 'n4', 'n6']);
    expect(await names('owner=proj-a')).toEqual(['n5']);
    expect(await names('conductor_group=zone-b')).toEqual(['n6']);
    expect(await names('description_contains=50%25')).toEqual(['n4']);
    expect(await names('description_contains=RACK')).toEqual(['n4']);
    expect(await names('associated=false&resource_class=large')).toEqual(['n3', 'n4', 'n5', 'n6']);
    expect(await names('associated=true')).toEqual([]);
    expect(await names('fault=power%20failure')).toEqual([]);
    expect(await names('conductor=test-conductor&resource_class=small')).toEqual(['n0', 'n1', 'n2']);
    const page = await api.get('/v1/nodes?conductor=test-conductor&limit=2&fields=name');
    expect(page.body.nodes.map((n: { name: string }) => n.name)).toEqual(['n0', 'n1']);
    const page2 = await api.get(new URL(page.body.next).pathname + new URL(page.body.next).search);
    expect(page2.body.nodes.map((n: { name: string }) => n.name)).toEqual(['n2', 'n3']);
    expect(await names('conductor=elsewhere')).toEqual([]);
    expect((await api.get('/v1/nodes?maintenance=perhaps')).status).toBe(400);
    expect((await api.get('/v1/nodes?owner=x', { 'X-OpenStack-Ironic-API-Version': '1.49' })).status).toBe(406);
  });
});
