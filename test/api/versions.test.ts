// Microversion negotiation: headers on every response, the 406 answers recorded from Ironic, `latest`, the
// generic OpenStack-API-Version header, discovery documents, and Ironic-format 404/405 for unknown routes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../support/api-client.js';
import { fixture, keysOf } from '../support/fixtures.js';
import { MAX_VERSION } from '../../src/api/versions.js';

const faultOf = (body: { error_message: string }) => {
  const inner = JSON.parse(body.error_message);
  return (inner.faultstring ?? inner.description) as string;
};

describe('microversions', () => {
  let api: TestApi;
  beforeAll(async () => { api = await startTestApi('sqlite'); });
  afterAll(async () => { await api?.close(); });

  it('puts min/max/version headers on success and error responses', async () => {
    for (const path of ['/', '/v1', '/v1/nodes', '/v1/nodes/nope', '/v1/bogus']) {
      const r = await api.get(path);
      expect(r.headers.get('x-openstack-ironic-api-minimum-version'), path).toBe('1.1');
      expect(r.headers.get('x-openstack-ironic-api-maximum-version'), path).toBe(MAX_VERSION);
      expect(r.headers.get('openstack-request-id'), path).toMatch(/^req-[0-9a-f-]{36}$/);
    }
    expect((await api.get('/v1/nodes')).headers.get('x-openstack-ironic-api-version')).toBe(MAX_VERSION);
    expect((await api.get('/v1/nodes', { 'X-OpenStack-Ironic-API-Version': '' })).headers.get('x-openstack-ironic-api-version')).toBe('1.1');
  });

  it('answers out-of-range and malformed versions with 406 and the range', async () => {
    const cases: [string, string][] = [['1.999', '06-get-nodes-bad-microversion-1.999'], ['1.0', '07-get-nodes-too-old-microversion-1.0'],
      ['2.1', '08-get-nodes-major-version-2.1'], ['abc', '09-get-nodes-malformed-microversion']];
    for (const [version, name] of cases) {
      const r = await api.get('/v1/nodes', { 'X-OpenStack-Ironic-API-Version': version });
      expect(r.status, version).toBe(406);
      expect(r.headers.get('x-openstack-ironic-api-maximum-version')).toBe(MAX_VERSION);
      expect(r.headers.get('x-openstack-ironic-api-version')).toBeNull();
      expect(r.error).toBe(faultOf(fixture(name).response.body).replace('[1.1, 1.82]', `[1.1, ${MAX_VERSION}]`));
    }
  });

  it('accepts the generic OpenStack-API-Version header', async () => {
    const r = await api.get('/v1/nodes', { 'X-OpenStack-Ironic-API-Version': '', 'OpenStack-API-Version': 'baremetal 1.46' });
    expect(r.headers.get('x-openstack-ironic-api-version')).toBe('1.46');
  });

  it('serves discovery documents with the recorded shape', async () => {
    const root = await api.get('/');
    expect(keysOf(root.body)).toEqual(keysOf(fixture('01-get-root').response.body));
    expect(root.body.default_version).toEqual({ id: 'v1', links: [{ href: 'http://127.0.0.1:6385/v1/', rel: 'self' }], status: 'CURRENT', min_version: '1.1', version: MAX_VERSION });
    const v1 = await api.get('/v1', { 'X-OpenStack-Ironic-API-Version': '1.1' });
    expect(keysOf(v1.body)).toEqual(['chassis', 'drivers', 'id', 'links', 'media_types', 'nodes', 'ports', 'version']);
    expect(v1.body.media_types).toEqual(fixture('03-get-v1').response.body.media_types);
  });

  it('answers unknown paths with 404 and wrong methods with 405, both in Ironic format', async () => {
    const nf = await api.get('/v1/bogus');
    expect(nf.status).toBe(404);
    expect(JSON.parse(nf.body.error_message).faultcode).toBe('Client');
    const na = await api.request('PUT', '/v1/nodes');
    expect(na.status).toBe(405);
    expect(na.error).toMatch(/not allowed/);
    expect((await api.get('/nodes')).status).toBe(200);
    expect((await api.get('/v1/nodes/')).status).toBe(200);
  });
});
