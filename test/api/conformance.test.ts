// Behaviours tools written for Ironic rely on, on every store: version gates on input (every versioned writable
// field of nodes, ports and portgroups walked just below and at its version), the traits endpoint below 1.37, every other resource below its version,
// what Ironic accepted at a version stays accepted there, the 50-trait limit, and enumerated list filters.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NODE_FIELDS } from '../../src/api/v1/schemas/node-fields.js';
import { PORT_FIELDS } from '../../src/api/v1/schemas/port-fields.js';
import { PORTGROUP_FIELDS } from '../../src/api/v1/schemas/portgroup-fields.js';
import { MAX_MINOR } from '../../src/api/versions.js';
import { DIALECTS } from '../support/databases.js';
import { startTestApi, type TestApi } from '../support/api-client.js';
import { expectIronicError, expectRefused } from '../support/api-assertions.js';
import { at, createNode } from '../support/nodes.js';

type Spec = { name: string; since: number; write?: string; kind: string };

/** A plausible value per wire kind: at its version a field may still refuse it (400), never with 406. */
const sample = (s: Spec): unknown => (s.kind === 'bool' ? true : s.kind === 'dict' ? {} : s.kind === 'list' ? [] : s.kind === 'int' ? 1 : 'x');
// Fields past the advertised maximum are stored (newer clients' data) but cannot be requested yet.
const versioned = (specs: readonly Spec[], floor: number) =>
  specs.filter((s) => s.since > floor && s.since <= MAX_MINOR && (s.write === 'both' || s.write === 'patch'));

describe.each(DIALECTS)('Ironic conformance (%s)', (dialect) => {
  let api: TestApi;
  beforeAll(async () => { api = await startTestApi(dialect); });
  afterAll(() => api.close());

  const patch = (path: string, ops: unknown, version: string) => api.request('PATCH', path, ops, at(version));

  it('answers 406 for a PATCH of a field below its version, and not at it (nodes, ports, portgroups)', async () => {
    const node = await createNode(api);
    const port = (await api.post('/v1/ports', { node_uuid: node, address: '52:54:00:aa:bb:01' })).body.uuid as string;
    const pg = (await api.post('/v1/portgroups', { node_uuid: node })).body.uuid as string;
    const walks: Array<[string, readonly Spec[], number]> = [
      [`/v1/nodes/${node}`, NODE_FIELDS as readonly Spec[], 1], [`/v1/ports/${port}`, PORT_FIELDS as readonly Spec[], 1],
      [`/v1/portgroups/${pg}`, PORTGROUP_FIELDS as readonly Spec[], 23],
    ];
    let walked = 0;
    for (const [path, specs, floor] of walks) {
      for (const spec of versioned(specs, floor)) {
        const op = [{ op: 'replace', path: `/${spec.name}`, value: sample(spec) }];
        const below = await patch(path, op, `1.${spec.since - 1}`);
        expect(below.status, `${path} /${spec.name} at 1.${spec.since - 1}: ${below.text}`).toBe(406);
        const atIntro = await patch(path, op, `1.${spec.since}`);
        expect(atIntro.status, `${path} /${spec.name} at 1.${spec.since}: ${atIntro.text}`).not.toBe(406);
        walked++;
      }
    }
    expect(walked).toBeGreaterThan(20);
    expectIronicError(await patch(`/v1/nodes/${node}`, [{ op: 'add', path: '/resource_class', value: 'gold' }], '1.20'), 406, /1\.21/);
  });

  it('accepts a portgroup PATCH of /properties/… at 1.23 as Ironic 21.4 does, refuses /properties itself', async () => {
    const node = await createNode(api);
    const pg = (await api.post('/v1/portgroups', { node_uuid: node })).body.uuid as string;
    const res = await patch(`/v1/portgroups/${pg}`, [{ op: 'add', path: '/properties/miimon', value: '100' }], '1.23');
    expect(res.status, res.text).toBe(200);
    expect((await api.get(`/v1/portgroups/${pg}`)).body.properties).toEqual({ miimon: '100' });
    expectIronicError(await patch(`/v1/portgroups/${pg}`, [{ op: 'replace', path: '/properties', value: {} }], '1.23'), 406);
  });

  it('answers 406 for the traits resource below 1.37', async () => {
    const node = await createNode(api);
    expectIronicError(await api.request('GET', `/v1/nodes/${node}/traits`, undefined, at('1.36')), 406, /1\.37/);
    expectIronicError(await api.request('PUT', `/v1/nodes/${node}/traits`, { traits: ['CUSTOM_A'] }, at('1.36')), 406);
    expect((await api.request('GET', `/v1/nodes/${node}/traits`, undefined, at('1.37'))).body).toEqual({ traits: [] });
  });

  // What Ironic's controllers do below each resource's version (their own source, e.g. node.py _lookup,
  // allocation.py _route): most answer 404 as if the resource did not exist; allocations and deploy
  // templates answer 405 to anything but GET. Walked just below and at each version.
  it('answers resources and sub-resources below their version as Ironic does (404, or 405 for writes)', async () => {
    const n = await createNode(api);
    const cases: Array<[string, string, number, number]> = [
      ['GET', `/v1/nodes/${n}/portgroups`, 24, 404], ['GET', '/v1/portgroups', 23, 404], ['GET', `/v1/nodes/${n}/vifs`, 28, 404],
      ['GET', `/v1/nodes/${n}/bios`, 40, 404], ['GET', '/v1/conductors', 49, 404], ['GET', '/v1/allocations', 52, 404],
      ['POST', '/v1/allocations', 52, 405], ['GET', '/v1/deploy_templates', 55, 404], ['POST', '/v1/deploy_templates', 55, 405],
      ['GET', `/v1/nodes/${n}/history`, 78, 404], ['GET', '/v1/shards', 82, 404], ['GET', `/v1/nodes/${n}/children`, 83, 404],
      ['GET', `/v1/nodes/${n}/volume`, 32, 404], ['GET', '/v1/volume', 32, 404], ['GET', `/v1/nodes/${n}/management/indicators`, 63, 404],
      ['GET', `/v1/nodes/${n}/firmware`, 86, 404],
    ];
    for (const [method, path, since, below] of cases) {
      const body = method === 'POST' ? {} : undefined;
      expect((await api.request(method, path, body, at(`1.${since - 1}`))).status, `${method} ${path} at 1.${since - 1}`).toBe(below);
      expect((await api.request(method, path, body, at(`1.${since}`))).status, `${method} ${path} at 1.${since}`).not.toBe(below);
    }
  });

  it('allows at most 50 traits per node, set all at once or added one by one', async () => {
    const node = await createNode(api);
    const traits = Array.from({ length: 51 }, (_, i) => `CUSTOM_T${i}`);
    await expectRefused(api, () => api.request('PUT', `/v1/nodes/${node}/traits`, { traits }), 400, /at most 50/);
    expect((await api.request('PUT', `/v1/nodes/${node}/traits`, { traits: traits.slice(0, 50) })).status).toBe(204);
    await expectRefused(api, () => api.request('PUT', `/v1/nodes/${node}/traits/CUSTOM_ONE_MORE`), 400, /51 traits, at most 50/);
    // Adding one it already has is no change, so no refusal.
    expect((await api.request('PUT', `/v1/nodes/${node}/traits/CUSTOM_T0`)).status).toBe(204);
    expect((await api.get(`/v1/nodes/${node}/traits`)).body.traits).toHaveLength(50);
  });

  it('validates enumerated list filters, naming the allowed values', async () => {
    expectIronicError(await api.get('/v1/nodes?fault=bogus'), 400, /Invalid fault "bogus"; valid values are: power failure, clean failure/);
    expectIronicError(await api.get('/v1/nodes?provision_state=bogus'), 400, /Invalid provision_state "bogus"; valid values are: .*enroll/);
    expect((await api.get('/v1/nodes?fault=power%20failure')).status).toBe(200);
    expect((await api.get('/v1/nodes?provision_state=enroll')).status).toBe(200);
  });
});
