// Concurrent read-modify-writes on both stores: 200 PATCHes at once, each adding its own key under `/extra`,
// at one node and at one port (and at one record of each other resource), then a mix of node PATCHes,
// provision actions and port creates. Every write that was answered with success must be stored afterwards;
// a write may be refused only with an Ironic 409 (node locked / busy / lost the race). Before the row-version
// condition, PostgreSQL kept only a handful of the 200 keys.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type ApiResponse, type TestApi } from '../support/api-client.js';
import { expectIronicError } from '../support/api-assertions.js';
import { DIALECTS } from '../support/databases.js';
import { VersionConflictError } from '../../src/common/errors.js';
import { updateNode } from '../../src/conductor/node-service.js';
import { updatePort } from '../../src/conductor/port-service.js';
import { rewriteRecord } from '../../src/conductor/record-writes.js';

const N = 200;

describe.each(DIALECTS)('concurrent updates keep every answered write (%s)', (dialect) => {
  let api: TestApi;
  let node: string;
  beforeAll(async () => {
    api = await startTestApi(dialect);
    const res = await api.post('/v1/nodes', { driver: 'fake-hardware', name: 'race-node' });
    expect(res.status, res.text).toBe(201);
    node = res.body.uuid;
  });
  afterAll(async () => {
    await api?.close();
  });

  /** Fires N PATCHes at once at `path`, key k<i> each; returns the keys whose PATCH was answered 200. */
  async function racePatches(path: string): Promise<string[]> {
    const results = await Promise.all(Array.from({ length: N }, (_, i) =>
      api.patch(path, [{ op: 'add', path: `/extra/k${i}`, value: i }]).then((res) => ({ key: `k${i}`, res }))));
    for (const { res } of results) if (res.status !== 200) expectIronicError(res, 409);
    return results.filter((r) => r.res.status === 200).map((r) => r.key);
  }

  it(`keeps all ${N} keys of concurrent PATCHes to one node`, async () => {
    const ok = await racePatches(`/v1/nodes/${node}`);
    expect(ok.length, 'in one process the writers of one node queue up, so none should be refused').toBe(N);
    const extra = (await api.get(`/v1/nodes/${node}`)).body.extra as Record<string, number>;
    for (const key of ok) expect(extra[key], key).toBe(Number(key.slice(1)));
  }, 120_000);

  it(`keeps all ${N} keys of concurrent PATCHes to one port, and to one record of every other resource`, async () => {
    const created = await Promise.all([
      api.post('/v1/ports', { address: '52:54:00:99:00:01', node_uuid: node }),
      api.post('/v1/chassis', { description: 'race' }),
      api.post('/v1/allocations', { resource_class: 'race', name: 'race-alloc' }),
      api.post('/v1/deploy_templates', { name: 'CUSTOM_RACE', steps: [{ interface: 'raid', step: 'create_configuration', args: {}, priority: 10 }] }),
    ]);
    for (const res of created) expect(res.status, res.text).toBe(201);
    const [port, chassis, allocation, template] = created.map((r) => r.body.uuid as string);
    const pg = await api.post('/v1/portgroups', { node_uuid: node, name: 'race-pg' });
    expect(pg.status, pg.text).toBe(201);
    for (const path of [`/v1/ports/${port}`, `/v1/portgroups/${pg.body.uuid}`, `/v1/chassis/${chassis}`, `/v1/allocations/${allocation}`,
      `/v1/deploy_templates/${template}`]) {
      const ok = await racePatches(path);
      expect(ok.length, path).toBe(N);
      const extra = (await api.get(path)).body.extra as Record<string, number>;
      for (const key of ok) expect(extra[key], `${path} ${key}`).toBe(Number(key.slice(1)));
    }
  }, 300_000);

  it('keeps every accepted PATCH, provision action and port create fired together', async () => {
    const res = await api.post('/v1/nodes', { driver: 'fake-hardware', name: 'race-mixed' });
    const uuid = res.body.uuid as string;
    type Sent = { kind: 'patch' | 'manage' | 'port'; i: number; res: ApiResponse };
    const sends: Promise<Sent>[] = [];
    for (let i = 0; i < 60; i++) {
      sends.push(api.patch(`/v1/nodes/${uuid}`, [{ op: 'add', path: `/extra/m${i}`, value: i }]).then((r) => ({ kind: 'patch', i, res: r })));
      if (i % 3 === 0) {
        const mac = `52:54:00:98:00:${i.toString(16).padStart(2, '0')}`;
        sends.push(api.post('/v1/ports', { address: mac, node_uuid: uuid, extra: { i } }).then((r) => ({ kind: 'port', i, res: r })));
      }
      if (i % 20 === 0) sends.push(api.request('PUT', `/v1/nodes/${uuid}/states/provision`, { target: 'manage' }).then((r) => ({ kind: 'manage', i, res: r })));
    }
    const sent = await Promise.all(sends);
    await api.work.idle();
    // Ironic's answers to a busy node: 409 (locked, or in a state transition); a second `manage` after the
    // first one took the node out of enroll is a 400 (no such transition from manageable).
    for (const s of sent) {
      if (s.res.status >= 300) expectIronicError(s.res, s.kind === 'manage' && s.res.status === 400 ? 400 : 409);
    }
    const after = (await api.get(`/v1/nodes/${uuid}`)).body;
    const patched = sent.filter((s) => s.kind === 'patch' && s.res.status === 200);
    for (const s of patched) expect(after.extra[`m${s.i}`], `m${s.i}`).toBe(s.i);
    const ports = (await api.get(`/v1/ports?node_uuid=${uuid}&fields=extra&limit=1000`)).body.ports as { extra: { i: number } }[];
    const createdPorts = sent.filter((s) => s.kind === 'port' && s.res.status === 201).map((s) => s.i);
    expect(ports.map((p) => p.extra.i).sort((a, b) => a - b)).toEqual(createdPorts.sort((a, b) => a - b));
    const managed = sent.filter((s) => s.kind === 'manage' && s.res.status === 202);
    expect(after.provision_state).toBe(managed.length > 0 ? 'manageable' : 'enroll');
    expect(after.reservation).toBeNull();
    expect(patched.length + createdPorts.length, 'some writes of each kind went through').toBeGreaterThan(0);
  }, 120_000);

  it('refuses a write computed from a stale read (another process won the race) and retries it on a fresh read', async () => {
    const deps = { tables: api.tables, config: api.config, registry: api.registry, work: api.work, images: api.images, store: api.store };
    const own = await api.post('/v1/nodes', { driver: 'fake-hardware', name: 'race-stale' });
    const node = own.body.uuid as string;
    const created = await api.post('/v1/ports', { address: '52:54:00:99:00:77', node_uuid: node });
    expect(created.status, created.text).toBe(201);
    const stale = (await api.tables.nodes.findBy('uuid', node))!;
    await updateNode(deps, stale, { extra: { ...stale.extra, first: 1 } });
    await expect(updateNode(deps, stale, { extra: { ...stale.extra, second: 2 } })).rejects.toThrow(VersionConflictError);
    const port = (await api.tables.ports.findBy('uuid', created.body.uuid))!;
    await updatePort(deps as never, port, { extra: { ...port.extra, first: 1 } }, 90);
    await expect(updatePort(deps as never, port, { extra: { ...port.extra, second: 2 } }, 90)).rejects.toThrow(VersionConflictError);
    // What the API does: the loser re-reads and re-applies its change.
    let attempts = 0;
    const saved = await rewriteRecord('test:stale', async () => {
      const read = attempts++ === 0 ? stale : (await api.tables.nodes.findBy('uuid', node))!;
      return updateNode(deps, read, { extra: { ...read.extra, second: 2 } });
    });
    expect(attempts).toBe(2);
    expect(saved.extra).toMatchObject({ first: 1, second: 2 });
  });
});
