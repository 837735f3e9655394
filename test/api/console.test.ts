// The console API on every store with the fake console (Ironic's: starts nothing, describes itself as {}):
// GET/PUT /states/console shapes, 202 + background change, refusals for bad bodies, consoles a driver does
// not support, and ipmitool-socat's validation; console_interface listed per driver. The real ipmitool-socat
// console against ipmi_sim is test/integration/ipmi-console.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { startTestApi, type TestApi } from '../support/api-client.js';
import { expectIronicError, expectRefused } from '../support/api-assertions.js';
import { createNode, reserveNode } from '../support/nodes.js';

describe.each(DIALECTS)('node console API (%s)', (dialect) => {
  let api: TestApi;
  beforeAll(async () => { api = await startTestApi(dialect); });
  afterAll(() => api.close());

  const consolePath = (n: string) => `/v1/nodes/${n}/states/console`;
  const put = (n: string, body: unknown) => api.request('PUT', consolePath(n), body);
  const settled = async (n: string) => {
    await api.work.idle();
    return (await api.get(consolePath(n))).body;
  };

  it('enables and disables the fake console in the background, with Ironic\'s shapes', async () => {
    const node = await createNode(api, { name: 'fake-console' });
    expect((await api.get(consolePath(node))).body).toEqual({ console_enabled: false, console_info: null });
    const res = await put('fake-console', { enabled: true });
    expect(res.status).toBe(202);
    expect(res.headers.get('Location')).toMatch(/\/v1\/nodes\/fake-console\/states\/console$/);
    expect(await settled(node)).toEqual({ console_enabled: true, console_info: {} });
    expect((await api.get(`/v1/nodes/${node}`)).body.console_enabled).toBe(true);
    // Asking again for what already is: accepted, nothing changes.
    expect((await put(node, { enabled: 'true' })).status).toBe(202);
    expect(await settled(node)).toEqual({ console_enabled: true, console_info: {} });
    expect((await put(node, { enabled: false })).status).toBe(202);
    expect(await settled(node)).toEqual({ console_enabled: false, console_info: null });
  });

  it('refuses bodies Ironic refuses, and takes the node lock', async () => {
    const node = await createNode(api);
    for (const body of [{}, { enabled: 'maybe' }, { enabled: 1 }, { enabled: true, extra: 1 }, ['enabled']]) {
      await expectRefused(api, () => put(node, body), 400);
    }
    await reserveNode(api, node);
    expectIronicError(await put(node, { enabled: true }), 409);
    await reserveNode(api, node, null);
    expectIronicError(await put('no-such-node', { enabled: true }), 404);
  });

  it('answers 400 for drivers without a console, and validates ipmitool-socat settings', async () => {
    const info = { ipmi_address: '127.0.0.1', ipmi_password: 'x-secret-7' };
    const plain = await createNode(api, { driver: 'ipmi', driver_info: info });
    expect((await api.get(`/v1/nodes/${plain}`)).body.console_interface).toBe('no-console');
    expectIronicError(await put(plain, { enabled: true }), 400, /does not support console/);
    expectIronicError(await api.get(consolePath(plain)), 400, /does not support console/);
    const v15 = await createNode(api, { driver: 'ipmi', console_interface: 'ipmitool-socat', driver_info: { ...info, ipmi_protocol_version: '1.5' } });
    expectIronicError(await put(v15, { enabled: true }), 400, /protocol version 2\.0/);
    const badPort = await createNode(api, { driver: 'ipmi', console_interface: 'ipmitool-socat', driver_info: { ...info, ipmi_terminal_port: 'x' } });
    expectIronicError(await put(badPort, { enabled: true }), 400, /ipmi_terminal_port must be an integer/);
    const validate = (await api.get(`/v1/nodes/${badPort}/validate`)).body;
    expect(validate.console).toEqual({ result: false, reason: expect.stringMatching(/ipmi_terminal_port/) });
    expect((await api.get(`/v1/nodes/${plain}/validate`)).body.console.result).toBe(false);
  });

  it('lists the console interfaces per driver', async () => {
    const ipmi = (await api.get('/v1/drivers/ipmi')).body;
    expect(ipmi).toMatchObject({ default_console_interface: 'no-console', enabled_console_interfaces: ['no-console', 'ipmitool-socat'] });
    const fake = (await api.get('/v1/drivers/fake-hardware')).body;
    expect(fake).toMatchObject({ default_console_interface: 'fake', enabled_console_interfaces: ['fake', 'no-console'] });
  });
});
