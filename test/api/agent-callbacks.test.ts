// The ramdisk endpoints' rules on both stores: a token is issued at the first lookup of a ramdisk boot at any
// microversion and only once; heartbeats need that token and a node that waits for its agent; plain-HTTP
// agents are refused unless allowed; continue_inspection takes only nodes in `inspect wait`, with the token
// once one exists; a heartbeat that cannot reach its agent fails the deploy with the step and the cause.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from 'node:net';
import { DIALECTS } from '../support/databases.js';
import { startTestApi, type TestApi } from '../support/api-client.js';
import { failTimedOutWaits } from '../../src/conductor/periodics/timeouts.js';

const V = (v: string) => ({ 'X-OpenStack-Ironic-API-Version': v });

/** A loopback port nobody listens on (bound, then closed), so connecting to it is refused at once. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe.each(DIALECTS)('agent call-backs on %s', (dialect) => {
  let api: TestApi;
  let insecure: TestApi;
  beforeAll(async () => {
    api = await startTestApi(dialect, { deployCallbackTimeout: 1 });
    insecure = await startTestApi(dialect, { agentAllowInsecureCallback: true });
  });
  afterAll(async () => {
    await api?.close();
    await insecure?.close();
  });

  async function waitingNode(t: TestApi, mac: string, state = 'wait call-back', extra: Record<string, unknown> = {}) {
    const { body: node } = await t.post('/v1/nodes', {
      driver: 'fake-hardware', deploy_interface: 'direct',
      instance_info: { image_source: 'http://127.0.0.1:9/image.raw', image_checksum: 'a'.repeat(64) },
    });
    await t.post('/v1/ports', { address: mac, node_uuid: node.uuid });
    const rec = (await t.tables.nodes.findBy('uuid', node.uuid))!;
    await t.tables.nodes.update(rec.id, { provisionState: state, targetProvisionState: state === 'inspect wait' ? 'manageable' : 'active', ...extra });
    return node.uuid as string;
  }

  it('issues the token once per boot at any microversion, and refuses heartbeats without it', async () => {
    const uuid = await waitingNode(api, '52:54:00:cb:00:01');
    const hb = (body: object) => api.post(`/v1/heartbeat/${uuid}`, body, V('1.68'));
    const callback = { callback_url: 'https://127.0.0.1:9999', agent_version: '9.0' };
    // Before any lookup there is no token to present: nothing is accepted, nothing stored.
    const early = await hb({ ...callback, agent_token: 'x'.repeat(43) });
    expect(early.status).toBe(400);
    expect(early.error).toMatch(/look itself up first/);
    expect((await api.tables.nodes.findBy('uuid', uuid))!.driverInternalInfo.agent_url).toBeUndefined();

    const lookup = await api.get('/v1/lookup?addresses=52:54:00:CB:00:01,zz', V('1.22'));
    expect(lookup.status).toBe(200);
    const token = lookup.body.config.agent_token as string;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(lookup.body.config.agent_token_required).toBe(true);
    expect(lookup.body.node.driver_internal_info.agent_secret_token).toBe('******');
    expect((await api.get(`/v1/lookup?node_uuid=${uuid}`, V('1.62'))).body.config.agent_token).toBe('******');

    expect((await hb({ ...callback, agent_token: `${token.slice(0, -1)}A` === token ? `${token.slice(0, -1)}B` : `${token.slice(0, -1)}A` })).status).toBe(400);
    expect((await hb(callback)).status).toBe(400);
    // Plain HTTP agents are refused on a service that did not allow them.
    const plain = await hb({ ...callback, callback_url: 'http://127.0.0.1:9999', agent_token: token });
    expect(plain.status).toBe(400);
    expect(plain.error).toMatch(/plain HTTP/);
    expect((await api.tables.nodes.findBy('uuid', uuid))!.driverInternalInfo.agent_url).toBeUndefined();
  });

  it('refuses the token of an earlier ramdisk boot once the node booted its ramdisk again', async () => {
    const uuid = await waitingNode(api, '52:54:00:cb:00:07');
    const first = (await api.get(`/v1/lookup?node_uuid=${uuid}`, V('1.62'))).body.config.agent_token as string;
    expect(first).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // Abort, then deploy again: the deploy step boots the ramdisk anew, which forgets the first boot's token.
    expect((await api.request('PUT', `/v1/nodes/${uuid}/states/provision`, { target: 'abort' })).status).toBe(202);
    await api.work.idle();
    expect((await api.get(`/v1/nodes/${uuid}`)).body.provision_state).toBe('deploy failed');
    expect((await api.request('PUT', `/v1/nodes/${uuid}/states/provision`, { target: 'active' })).status).toBe(202);
    await api.work.idle();
    expect((await api.get(`/v1/nodes/${uuid}`)).body.provision_state).toBe('wait call-back');
    const second = (await api.get(`/v1/lookup?node_uuid=${uuid}`, V('1.62'))).body.config.agent_token as string;
    expect(second).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(second).not.toBe(first);
    const replay = await api.post(`/v1/heartbeat/${uuid}`, { callback_url: 'https://127.0.0.1:9999', agent_version: '9.0', agent_token: first }, V('1.68'));
    expect(replay.status).toBe(400);
    expect(replay.error).toMatch(/Invalid or missing agent token/);
    expect((await api.tables.nodes.findBy('uuid', uuid))!.driverInternalInfo.agent_url).toBeUndefined();
  });

  it('records the heartbeat of a node in maintenance and does nothing more; its wait does not time out', async () => {
    const uuid = await waitingNode(api, '52:54:00:cb:00:08', 'wait call-back', { maintenance: true, maintenanceReason: 'swapping a disk' });
    const token = (await api.get(`/v1/lookup?node_uuid=${uuid}`, V('1.62'))).body.config.agent_token as string;
    const hb = await api.post(`/v1/heartbeat/${uuid}`, { callback_url: 'https://127.0.0.1:9', agent_version: '9.0', agent_token: token }, V('1.68'));
    expect(hb.status).toBe(202);
    // No agent listens on that URL: had the conductor acted on it, the deploy would have failed. The
    // service's callback timeout is 1 s; the timeout check runs meanwhile and leaves the node alone too.
    await new Promise((ok) => setTimeout(ok, 2500));
    await api.work.idle();
    const node = (await api.get(`/v1/nodes/${uuid}`)).body;
    expect(node.provision_state).toBe('wait call-back');
    expect(node.last_error).toBeNull();
    expect(node.driver_internal_info.agent_url).toBe('https://127.0.0.1:9');
  });

  it('refuses a heartbeat for a node that does not wait for an agent', async () => {
    const uuid = await waitingNode(api, '52:54:00:cb:00:02');
    const token = (await api.get(`/v1/lookup?node_uuid=${uuid}`, V('1.62'))).body.config.agent_token;
    const rec = (await api.tables.nodes.findBy('uuid', uuid))!;
    await api.tables.nodes.update(rec.id, { provisionState: 'active', targetProvisionState: null });
    const r = await api.post(`/v1/heartbeat/${uuid}`, { callback_url: 'https://127.0.0.1:9999', agent_version: '9.0', agent_token: token }, V('1.68'));
    expect(r.status).toBe(400);
    expect(r.error).toMatch(/not waiting for an agent/);
    expect((await api.tables.nodes.findBy('uuid', uuid))!.driverInternalInfo.agent_url).toBeUndefined();
  });

  it('fails the deploy naming the step and the cause when the agent that called back cannot be reached', async () => {
    const port = await closedPort();
    const uuid = await waitingNode(insecure, '52:54:00:cb:00:03', 'wait call-back', {
      deployStep: { interface: 'deploy', step: 'deploy', args: {}, priority: 100 },
      driverInternalInfo: { deploy_steps: [{ interface: 'deploy', step: 'deploy', args: {}, priority: 100 }, { interface: 'deploy', step: 'write_image', args: {}, priority: 80 }], deploy_step_index: 0 },
    });
    const token = (await insecure.get(`/v1/lookup?node_uuid=${uuid}`, V('1.62'))).body.config.agent_token;
    const r = await insecure.post(`/v1/heartbeat/${uuid}`, { callback_url: `http://127.0.0.1:${port}`, agent_version: '9.0', agent_token: token }, V('1.68'));
    expect(r.status).toBe(202);
    await insecure.work.idle();
    const node = (await insecure.get(`/v1/nodes/${uuid}`)).body;
    expect(node.provision_state).toBe('deploy failed');
    expect(node.last_error).toMatch(new RegExp(`Deploy failed for node ${uuid}: .*127\\.0\\.0\\.1:${port}.*ECONNREFUSED`));
    expect(node.last_error).not.toContain(token);
    expect(node.reservation).toBeNull();
  });

  it('takes inspection reports only in inspect wait, and only with the token once one exists', async () => {
    const inventory = { inventory: { interfaces: [{ name: 'eth0', mac_address: '52:54:00:cb:00:04' }], cpu: { count: 2, architecture: 'x86_64' }, memory: { physical_mb: 2048 } } };
    const idle = await waitingNode(api, '52:54:00:cb:00:05', 'manageable');
    expect((await api.post(`/v1/continue_inspection?node_uuid=${idle}`, inventory, V('1.84'))).status).toBe(404);

    const uuid = await waitingNode(api, '52:54:00:cb:00:04', 'inspect wait');
    const token = (await api.get(`/v1/lookup?node_uuid=${uuid}`, V('1.62'))).body.config.agent_token;
    const without = await api.post(`/v1/continue_inspection?node_uuid=${uuid}`, inventory, V('1.84'));
    expect(without.status).toBe(400);
    expect((await api.tables.nodes.findBy('uuid', uuid))!.provisionState).toBe('inspect wait');
    const ok = await api.post(`/v1/continue_inspection?node_uuid=${uuid}&agent_token=${token}`, inventory, V('1.84'));
    expect(ok.status).toBe(202);
    await api.work.idle();
    expect((await api.get(`/v1/nodes/${uuid}`)).body.provision_state).toBe('manageable');
  });

  it('times out a deploy whose agent never calls back', async () => {
    const uuid = await waitingNode(api, '52:54:00:cb:00:06');
    await new Promise((r) => setTimeout(r, 1100));
    expect(await failTimedOutWaits({ tables: api.tables, config: api.config, registry: api.registry, work: api.work })).toBeGreaterThanOrEqual(1);
    const failed = (await api.get(`/v1/nodes/${uuid}`)).body;
    expect(failed).toMatchObject({ provision_state: 'deploy failed', target_provision_state: null, last_error: `Timeout reached while waiting for callback for node ${uuid}` });
    expect((await api.get(`/v1/lookup?node_uuid=${uuid}`, V('1.62'))).status).toBe(404);
  });
});
