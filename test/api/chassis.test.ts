// /v1/chassis on every store: shape, validation, patch, the node lists of a chassis, and ChassisNotEmpty.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { startTestApi, type TestApi } from '../support/api-client.js';
import { expectIronicError, expectRefused } from '../support/api-assertions.js';
import { keysOf } from '../support/fixtures.js';

const FULL_KEYS = ['created_at', 'description', 'extra', 'links', 'nodes', 'updated_at', 'uuid'];

describe.each(DIALECTS)('chassis API (%s)', (dialect) => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startTestApi(dialect);
  });
  afterAll(() => api.close());

  const newChassis = async (body: Record<string, unknown> = {}) => {
    const res = await api.post('/v1/chassis', body);
    expect(res.status, res.text).toBe(201);
    return res.body;
  };

  it('creates, shows and lists chassis in Ironic\'s shape', async () => {
    const ch = await newChassis({ description: 'rack 12', extra: { row: 'b' } });
    expect(keysOf(ch)).toEqual(FULL_KEYS);
    expect(ch).toMatchObject({ description: 'rack 12', extra: { row: 'b' }, updated_at: null });
    expect(ch.nodes).toEqual([
      { href: `http://127.0.0.1:6385/v1/chassis/${ch.uuid}/nodes`, rel: 'self' },
      { href: `http://127.0.0.1:6385/chassis/${ch.uuid}/nodes`, rel: 'bookmark' }]);
    expect((await api.get(`/v1/chassis/${ch.uuid}`)).body).toEqual(ch);
    expect(keysOf((await api.get(`/v1/chassis/${ch.uuid}?fields=description`)).body)).toEqual(['description', 'links']);
    const list = await api.get('/v1/chassis');
    expect(list.body.chassis.find((c: { uuid: string }) => c.uuid === ch.uuid)).toEqual({ uuid: ch.uuid, description: 'rack 12', links: ch.links });
    const detail = await api.get('/v1/chassis/detail');
    expect(detail.body.chassis.find((c: { uuid: string }) => c.uuid === ch.uuid)).toEqual(ch);
    expect((await api.get('/v1/chassis?detail=true')).body).toEqual(detail.body);
    const uuid = '6f1b7d3a-2c55-4b0e-8d9e-5f2a1c3b4d5e';
    expect((await newChassis({ uuid })).uuid).toBe(uuid);
    await expectRefused(api, () => api.post('/v1/chassis', { uuid }), 409, `A chassis with UUID ${uuid} already exists.`);
  });

  it('pages with a next link', async () => {
    const made = [await newChassis(), await newChassis()];
    const page = await api.get(`/v1/chassis?limit=1&marker=${made[0].uuid}`);
    expect(page.body.chassis.map((c: { uuid: string }) => c.uuid)).toEqual([made[1].uuid]);
    expect(page.body.next).toBe(`http://127.0.0.1:6385/v1/chassis?limit=1&marker=${made[1].uuid}`);
    expectIronicError(await api.get('/v1/chassis?sort_key=extra'), 400);
  });

  it('refuses bad input without touching the store', async () => {
    const post = (body: unknown) => () => api.post('/v1/chassis', body);
    await expectRefused(api, post({ description: 'd'.repeat(256) }), 400);
    await expectRefused(api, post({ description: 5 }), 400);
    await expectRefused(api, post({ description: 'a\u0000b' }), 400, /must not contain NUL/);
    await expectRefused(api, post({ extra: 'x' }), 400);
    await expectRefused(api, post({ nodes: [] }), 400, /'nodes' was unexpected/);
    await expectRefused(api, post({ uuid: 'nope' }), 400);
    expectIronicError(await api.get('/v1/chassis/nope'), 400, 'Expected UUID for chassis_uuid: nope');
    expectIronicError(await api.get('/v1/chassis/6f1b7d3a-2c55-4b0e-8d9e-000000000000'), 404,
      'Chassis 6f1b7d3a-2c55-4b0e-8d9e-000000000000 could not be found.');
  });

  it('patches description and extra only', async () => {
    const ch = await newChassis({ description: 'old' });
    const res = await api.patch(`/v1/chassis/${ch.uuid}`, [{ op: 'replace', path: '/description', value: 'new' }, { op: 'add', path: '/extra/a', value: 1 }]);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ description: 'new', extra: { a: 1 }, updated_at: expect.any(String) });
    expect((await api.patch(`/v1/chassis/${ch.uuid}`, [{ op: 'remove', path: '/description' }])).body.description).toBeNull();
    const patch = (ops: unknown) => () => api.patch(`/v1/chassis/${ch.uuid}`, ops);
    await expectRefused(api, patch([{ op: 'replace', path: '/uuid', value: '6f1b7d3a-2c55-4b0e-8d9e-5f2a1c3b4d5f' }]), 400,
      'Cannot patch /uuid. Only the following can be updated: /description, /extra');
    await expectRefused(api, patch([{ op: 'replace', path: '/description', value: 'x'.repeat(256) }]), 400);
    await expectRefused(api, patch([{ op: 'add', path: '/extra/a/b', value: 1 }]), 400);
  });

  it('lists its nodes and cannot be deleted while it has some', async () => {
    const ch = await newChassis();
    const node = (await api.post('/v1/nodes', { driver: 'fake-hardware', chassis_uuid: ch.uuid, name: 'in-chassis' })).body;
    await api.post('/v1/nodes', { driver: 'fake-hardware' });
    const nodes = await api.get(`/v1/chassis/${ch.uuid}/nodes`);
    expect(nodes.body.nodes.map((n: { uuid: string }) => n.uuid)).toEqual([node.uuid]);
    expect(keysOf(nodes.body.nodes[0])).toEqual(['instance_uuid', 'links', 'maintenance', 'name', 'power_state', 'provision_state', 'uuid']);
    const detail = await api.get(`/v1/chassis/${ch.uuid}/nodes/detail?limit=1`);
    expect(detail.body.nodes[0].chassis_uuid).toBe(ch.uuid);
    expect(detail.body.next).toBe(`http://127.0.0.1:6385/v1/chassis/${ch.uuid}/nodes/detail?limit=1&marker=${node.uuid}`);
    expectIronicError(await api.get('/v1/chassis/6f1b7d3a-2c55-4b0e-8d9e-000000000000/nodes'), 404);
    await expectRefused(api, () => api.del(`/v1/chassis/${ch.uuid}`), 400, `Cannot complete the requested action because chassis ${ch.uuid} contains nodes.`);
    await api.del(`/v1/nodes/${node.uuid}`);
    expect((await api.del(`/v1/chassis/${ch.uuid}`)).status).toBe(204);
    expectIronicError(await api.get(`/v1/chassis/${ch.uuid}`), 404);
  });
});
