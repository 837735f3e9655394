import { describe, expect, it } from 'vitest';
import { FakeApi, ironicError, refusedFetch } from '../../test/cli/fake-api.js';
import { ConnectionError, HttpError, UnsupportedVersionError } from './errors.js';
import { ApiClient, decodeFault, trimEndpoint, type ApiClientOptions } from './http-client.js';

function client(api: FakeApi | typeof fetch, opts: Partial<ApiClientOptions> = {}): { c: ApiClient; errors: string[] } {
  const errors: string[] = [];
  const c = new ApiClient({
    endpoint: 'http://ironic.test:6385',
    apiVersion: 'latest',
    fetch: api instanceof FakeApi ? api.fetch : api,
    sleep: () => Promise.resolve(),
    log: { error: (l) => errors.push(l) },
    ...opts,
  });
  return { c, errors };
}

describe('decodeFault', () => {
  it.each<[string, string | undefined]>([
    ['{"error_message": "{\\"faultcode\\": \\"Client\\", \\"faultstring\\": \\"Node x could not be found.\\", \\"debuginfo\\": null}"}', 'Node x could not be found.'],
    ['{"error_message": "{\\"description\\": \\"desc only\\"}"}', 'desc only'],
    ['{"error_message": "plain text"}', 'plain text'],
    ['{"error_message": {"faultstring": "as object"}}', 'as object'],
    ['{"error": {"message": "basic auth", "code": 401}}', undefined],
    ['not json', undefined],
  ])('%s', (body, expected) => {
    expect(decodeFault(body)).toBe(expected);
  });
});

describe('trimEndpoint', () => {
  it.each([
    ['http://h:6385', 'http://h:6385'],
    ['http://h:6385/', 'http://h:6385'],
    ['http://h:6385/v1', 'http://h:6385'],
    ['http://h/baremetal/v1/', 'http://h/baremetal'],
  ])('%s -> %s', (input, expected) => {
    expect(trimEndpoint(input)).toBe(expected);
  });
});

describe('ApiClient requests', () => {
  it('sends the microversion, JSON headers and body', async () => {
    const api = new FakeApi().on('POST', '/v1/nodes', { status: 201, body: { uuid: 'u' } });
    const { c } = client(api);
    const res = await c.post('/v1/nodes', { driver: 'ipmi' });
    expect(res.body).toEqual({ uuid: 'u' });
    expect(api.requests[0]?.headers).toMatchObject({
      accept: 'application/json',
      'content-type': 'application/json',
      'x-openstack-ironic-api-version': 'latest',
    });
    expect(api.requests[0]?.body).toEqual({ driver: 'ipmi' });
  });

  it('turns Ironic error bodies into "<fault> (HTTP <status>)"', async () => {
    const api = new FakeApi().on('GET', '/v1/nodes/x', ironicError(404, 'Node x could not be found.'));
    await expect(client(api).c.get('/v1/nodes/x')).rejects.toThrow(new HttpError(404, 'Node x could not be found.'));
  });

  it('falls back to the status wording and appends a request id when present', async () => {
    const api = new FakeApi().on('GET', '/v1/x', { status: 403, headers: { 'x-openstack-request-id': 'req-1' } });
    await expect(client(api).c.get('/v1/x')).rejects.toThrow('Forbidden (HTTP 403) (Request-ID: req-1)');
  });

  it('strips scheme, host and endpoint prefix from next links', () => {
    const { c } = client(new FakeApi(), { endpoint: 'http://h/baremetal/v1' });
    expect(c.nextPath('http://other:1/baremetal/v1/nodes?limit=1&marker=m')).toBe('/v1/nodes?limit=1&marker=m');
  });
});

describe('ApiClient retries', () => {
  it('retries 409 five times, then logs the final attempt and fails', async () => {
    const api = new FakeApi().on('POST', '/v1/ports', ironicError(409, 'A port with MAC address m already exists.'));
    const delays: number[] = [];
    const { c, errors } = client(api, { sleep: async (ms) => void delays.push(ms), retryDelayMs: 7 });
    await expect(c.post('/v1/ports', {})).rejects.toThrow('A port with MAC address m already exists. (HTTP 409)');
    expect(api.requests).toHaveLength(6);
    expect(delays).toEqual([7, 7, 7, 7, 7]);
    expect(errors).toEqual([
      'Error contacting Ironic server: A port with MAC address m already exists. (HTTP 409). Attempt 6 of 6',
    ]);
  });

  it('succeeds when a retried 503 clears', async () => {
    let calls = 0;
    const api = new FakeApi().on('GET', '/v1/nodes', () =>
      ++calls < 3 ? ironicError(503, 'No free conductor workers available') : { status: 200, body: { nodes: [] } },
    );
    expect((await client(api).c.get('/v1/nodes')).body).toEqual({ nodes: [] });
    expect(calls).toBe(3);
  });

  it('does not retry other errors', async () => {
    const api = new FakeApi().on('GET', '/v1/nodes', ironicError(400, 'bad'));
    await expect(client(api).c.get('/v1/nodes')).rejects.toThrow('bad (HTTP 400)');
    expect(api.requests).toHaveLength(1);
  });

  it('reports unreachable servers after retrying', async () => {
    const { c, errors } = client(refusedFetch());
    const err = await c.get('/v1/nodes').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionError);
    expect((err as Error).message).toBe(
      'Unable to establish connection to http://ironic.test:6385/v1/nodes: connect ECONNREFUSED 127.0.0.1:6399',
    );
    expect(errors[0]).toMatch(/Attempt 6 of 6$/);
  });
});

describe('ApiClient --debug output', () => {
  it('shows requests and responses without the secrets in their bodies', async () => {
    const lines: string[] = [];
    const api = new FakeApi().on('POST', '/v1/nodes', { status: 201, body: { driver_info: { ipmi_password: 'echoed-Pa55' } } });
    const c = new ApiClient({ endpoint: 'http://ironic.test:6385', apiVersion: 'latest', fetch: api.fetch, sleep: () => Promise.resolve(),
      log: { error: () => undefined, debug: (l) => lines.push(l) } });
    await c.post('/v1/nodes', { driver: 'ipmi', driver_info: { ipmi_address: 'bmc', ipmi_password: 's3cret-Pa55' } });
    const all = lines.join('\n');
    expect(all).toContain('REQ: curl');
    expect(all).toContain('"ipmi_address":"bmc"');
    expect(all).not.toContain('s3cret-Pa55');
    expect(all).not.toContain('echoed-Pa55');
  });
});

describe('ApiClient version negotiation', () => {
  const tooNew = {
    status: 406,
    body: JSON.parse(
      '{"error_message": "{\\"faultcode\\": \\"Client\\", \\"faultstring\\": \\"Version latest was requested but the minor version is not supported by this service. The supported version range is: [1.1, 1.70].\\", \\"debuginfo\\": null}"}',
    ) as unknown,
    headers: { 'x-openstack-ironic-api-maximum-version': '1.70' },
  };

  it('retries a refused "latest" with the server maximum and keeps using it', async () => {
    const api = new FakeApi().on('GET', '/v1/nodes', (req) =>
      req.headers['x-openstack-ironic-api-version'] === 'latest' ? tooNew : { status: 200, body: { nodes: [] } },
    );
    const { c } = client(api);
    await c.get('/v1/nodes');
    await c.get('/v1/nodes');
    expect(api.requests.map((r) => r.headers['x-openstack-ironic-api-version'])).toEqual(['latest', '1.70', '1.70']);
    expect(c.apiVersion).toBe('1.70');
  });

  it('asks GET /v1 for the range when the 406 lacks version headers', async () => {
    const api = new FakeApi()
      .on('GET', '/v1/nodes', (req) =>
        req.headers['x-openstack-ironic-api-version'] === 'latest'
          ? { status: 406, headers: { 'x-openstack-ironic-api-maximum-version': '' } }
          : { status: 200, body: { nodes: [] } },
      )
      .on('GET', '/v1', { status: 200, body: {}, headers: { 'x-openstack-ironic-api-maximum-version': '1.66' } });
    const { c } = client(api);
    await c.get('/v1/nodes');
    expect(c.apiVersion).toBe('1.66');
  });

  it('fails for an explicit version the server refuses, with the supported range', async () => {
    const api = new FakeApi().on('GET', '/v1/nodes', { status: 406, body: {} });
    await expect(client(api, { apiVersion: '1.999' }).c.get('/v1/nodes')).rejects.toThrow(
      new UnsupportedVersionError(
        'Requested API version 1.999 is not supported by the server, client, or\n' +
          'the requested operation is not supported by the requested version.\n' +
          'Supported version range is 1.1 to 1.82',
      ),
    );
  });

  it('fails instead of looping when the negotiated version is refused too', async () => {
    const api = new FakeApi().on('GET', '/v1/nodes', { status: 406, body: {} });
    await expect(client(api).c.get('/v1/nodes')).rejects.toThrow(UnsupportedVersionError);
    expect(api.requests).toHaveLength(2);
  });
});
