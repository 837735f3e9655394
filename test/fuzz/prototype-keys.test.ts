// Keys that reach an object's prototype (`__proto__`, `prototype`, `constructor`) in PATCH paths, PATCH
// values, create bodies, action bodies and query strings, for every resource. Each hostile request must be a
// 4xx in Ironic's format (400 where a document carries the key) and must leave Object.prototype untouched;
// after each one the service must still create, patch and list normally (one such PATCH used to make every
// later POST answer 500 until a restart). Runs in-process, so the process checked is the server's own.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type ApiResponse, type TestApi } from '../support/api-client.js';
import { expectIronicError, storeSnapshot } from '../support/api-assertions.js';
import { DIALECTS } from '../support/databases.js';

interface Resource {
  readonly collection: string;
  /** A valid create body (as JSON text, so hostile keys can be spliced in). */
  create(nodeUuid: string): Record<string, unknown>;
}

let seq = 0;
const mac = () => `52:54:00:77:${(++seq >> 8).toString(16).padStart(2, '0')}:${(seq & 255).toString(16).padStart(2, '0')}`;
const RESOURCES: Resource[] = [
  { collection: 'nodes', create: () => ({ driver: 'fake-hardware', name: `proto-${++seq}` }) },
  { collection: 'ports', create: (node) => ({ address: mac(), node_uuid: node }) },
  { collection: 'portgroups', create: (node) => ({ node_uuid: node, name: `pg-${++seq}` }) },
  { collection: 'chassis', create: () => ({ description: `chassis ${++seq}` }) },
  { collection: 'allocations', create: () => ({ resource_class: 'proto', name: `alloc-${++seq}` }) },
  { collection: 'deploy_templates', create: () => ({ name: `CUSTOM_PROTO_${++seq}`, steps: [{ interface: 'raid', step: 'create_configuration', args: {}, priority: 10 }] }) },
  { collection: 'volume/connectors', create: (node) => ({ node_uuid: node, type: 'iqn', connector_id: `iqn.2024-01.org.example:p-${++seq}` }) },
  { collection: 'volume/targets', create: (node) => ({ node_uuid: node, volume_type: 'iscsi', boot_index: ++seq, volume_id: `vol-${seq}` }) },
];

/** JSON texts of hostile documents nested under `extra` (the free-form field every resource has). */
const HOSTILE_EXTRA = [
  '{"__proto__":{"pwned":"yes"}}',
  '{"a":{"__proto__":{"pwned":"yes"}}}',
  '{"\\u005f_proto__":{"pwned":"yes"}}',
  '{"constructor":{"prototype":{"pwned":"yes"}}}',
  '{"list":[{"prototype":{"pwned":"yes"}}]}',
];
const HOSTILE_PATHS = ['/extra/__proto__/pwned', '/extra/constructor/prototype/pwned', '/extra/prototype', '/__proto__',
  '/extra/keep/__proto__/pwned'];

function withExtra(body: Record<string, unknown>, extraJson: string): string {
  const text = JSON.stringify(body);
  return `${text.slice(0, -1)},"extra":${extraJson}}`;
}

function expectPrototypeClean(): void {
  expect(Object.keys(Object.prototype)).toEqual([]);
  expect(({} as Record<string, unknown>).pwned).toBeUndefined();
  expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain('pwned');
}

describe.each(DIALECTS)('prototype keys are refused everywhere (%s)', (dialect) => {
  let api: TestApi;
  let nodeUuid: string;
  const existing = new Map<string, string>();

  /** After a hostile request: nodes and `collection` still create, patch and list, and nothing leaked. */
  async function probe(after: string, collection = 'nodes'): Promise<void> {
    expectPrototypeClean();
    for (const r of RESOURCES.filter((x) => x.collection === collection)) {
      const created = await api.post(`/v1/${r.collection}`, r.create(nodeUuid));
      expect(created.status, `create ${r.collection} after ${after}: ${created.text}`).toBe(201);
      const patched = await api.patch(`/v1/${r.collection}/${created.body.uuid}`, [{ op: 'add', path: '/extra/probe', value: after }]);
      expect(patched.status, `patch ${r.collection} after ${after}: ${patched.text}`).toBe(200);
      expect(patched.body.extra).toEqual({ probe: after });
      const listed = await api.get(`/v1/${r.collection}?fields=uuid&limit=1000`);
      expect(listed.status, `list ${r.collection} after ${after}: ${listed.text}`).toBe(200);
      expect(listed.body[r.collection.replace('volume/', '')].map((x: { uuid: string }) => x.uuid)).toContain(created.body.uuid);
    }
    // The symptom of the original bug: every later POST with a body answered 500.
    if (collection !== 'nodes') {
      const node = await api.post('/v1/nodes', RESOURCES[0]!.create(nodeUuid));
      expect(node.status, `create a node after ${after}: ${node.text}`).toBe(201);
    }
  }

  async function hostile(label: string, collection: string, send: () => Promise<ApiResponse>): Promise<void> {
    const before = await storeSnapshot(api);
    const res = await send();
    expectIronicError(res, 400, /__proto__|prototype|constructor/);
    expect(await storeSnapshot(api), `${label} changed the store`).toBe(before);
    await probe(label, collection);
  }

  beforeAll(async () => {
    api = await startTestApi(dialect);
    const node = await api.post('/v1/nodes', { driver: 'fake-hardware', name: 'proto-base', extra: { keep: { a: 1 } } });
    expect(node.status, node.text).toBe(201);
    nodeUuid = node.body.uuid;
    // Volume records change only while their node is powered off (written directly: no power sync here).
    const row = await api.tables.nodes.findBy('uuid', nodeUuid);
    await api.tables.nodes.update(row!.id, { powerState: 'power off' });
    for (const r of RESOURCES) {
      const created = r.collection === 'nodes' ? node : await api.post(`/v1/${r.collection}`, { ...r.create(nodeUuid), extra: { keep: { a: 1 } } });
      expect(created.status, `${r.collection}: ${created.text}`).toBe(201);
      existing.set(r.collection, created.body.uuid);
    }
  });
  afterAll(async () => {
    await api?.close();
    expectPrototypeClean();
  });

  it.each(RESOURCES.map((r) => r.collection))('%s: PATCH paths through a prototype get 400', async (collection) => {
    const uuid = existing.get(collection)!;
    for (const [i, path] of HOSTILE_PATHS.entries()) {
      // Every path with `add`; the other ops on a few (they share the walk that `add` takes).
      for (const op of i < 2 ? ['add', 'replace', 'remove'] as const : ['add'] as const) {
        const body = op === 'remove' ? [{ op, path }] : [{ op, path, value: 'yes' }];
        await hostile(`PATCH ${collection} ${op} ${path}`, collection, () => api.patch(`/v1/${collection}/${uuid}`, body));
      }
    }
  });

  it.each(RESOURCES.map((r) => r.collection))('%s: documents holding prototype keys get 400 on create and in PATCH values', async (collection) => {
    const r = RESOURCES.find((x) => x.collection === collection)!;
    const uuid = existing.get(collection)!;
    for (const [i, extra] of HOSTILE_EXTRA.entries()) {
      await hostile(`POST ${collection} extra=${extra}`, collection, () => api.post(`/v1/${collection}`, withExtra(r.create(nodeUuid), extra)));
      const [op, path] = i % 2 ? ['replace', '/extra'] : ['add', '/extra/x'];
      await hostile(`PATCH ${collection} ${op} ${path}=${extra}`, collection, () => api.patch(`/v1/${collection}/${uuid}`, `[{"op":"${op}","path":"${path}","value":${extra}}]`));
    }
  });

  it('node dict fields and action bodies with prototype keys get 400', async () => {
    for (const field of ['driver_info', 'properties', 'instance_info', 'network_data']) {
      await hostile(`POST node ${field}`, 'nodes', () => api.post('/v1/nodes', `{"driver":"fake-hardware","${field}":{"__proto__":{"pwned":1}}}`));
      await hostile(`PATCH node /${field}/__proto__`, 'nodes', () => api.patch(`/v1/nodes/${nodeUuid}`, [{ op: 'add', path: `/${field}/__proto__`, value: { pwned: 1 } }]));
    }
    await hostile('PUT maintenance', 'nodes', () => api.request('PUT', `/v1/nodes/${nodeUuid}/maintenance`, '{"reason":"x","__proto__":{"pwned":1}}'));
    await hostile('PUT provision state', 'nodes', () => api.request('PUT', `/v1/nodes/${nodeUuid}/states/provision`, '{"target":"manage","constructor":{"prototype":{"pwned":1}}}'));
    await hostile('PUT traits', 'nodes', () => api.request('PUT', `/v1/nodes/${nodeUuid}/traits`, '{"traits":[],"__proto__":{"pwned":1}}'));
  });

  it('query strings naming prototype keys never get a 5xx nor reach a prototype', async () => {
    for (const collection of RESOURCES.map((r) => r.collection)) {
      for (const query of ['__proto__=x', '__proto__[pwned]=x', 'constructor=x', 'prototype=x', 'fields=__proto__', 'fields=constructor',
        'sort_key=__proto__', 'sort_key=constructor', '__proto__=a&__proto__=b']) {
        const res = await api.get(`/v1/${collection}?${query}`);
        expect(res.status, `GET /v1/${collection}?${query}: ${res.text}`).toBeLessThan(500);
        if (res.status >= 400) expectIronicError(res, res.status);
        expectPrototypeClean();
      }
    }
    await probe('hostile queries');
  });

  it('kept the existing records exactly as they were', async () => {
    for (const r of RESOURCES) {
      const res = await api.get(`/v1/${r.collection}/${existing.get(r.collection)}`);
      expect(res.status).toBe(200);
      expect(res.body.extra).toEqual({ keep: { a: 1 } });
    }
  });
});
