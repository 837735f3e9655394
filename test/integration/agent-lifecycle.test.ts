// The deploy agent's life around its node, against a real Anvil API process: inspection before lookup
// (`ipa-inspection-callback-url`, IPA's order) storing the inventory; a lookup retried until the node enters
// a lookup state; a plain-HTTP agent (--no-tls) that an API configured for it accepts; rescue.finalize_rescue
// writing the SHA-512 crypt hash and stopping the API. SQLite only: the agent never touches the database.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verify } from 'unixcrypt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentToken, apiCall, placeNode, waitFor } from '../support/agent-nodes.js';
import { AgentClient, startAgentProcess, type AgentProcess } from '../support/agent-process.js';
import { startAnvilProcess, type AnvilProcess } from '../support/anvil-process.js';


describe('anvil-agent lifecycle', () => {
  let anvil: AnvilProcess;
  let dir: string;
  const agents: AgentProcess[] = [];
  let macN = 0x10;
  const nextMac = () => `52:54:00:b7:${(process.pid & 0xff).toString(16).padStart(2, '0')}:${(macN++).toString(16)}`;

  const api = (method: string, path: string, body?: unknown) => apiCall(anvil.url, method, path, body);
  async function node(mac: string): Promise<string> {
    const created = await api('POST', '/v1/nodes', { driver: 'fake-hardware' });
    expect((await api('POST', '/v1/ports', { address: mac, node_uuid: created.body.uuid })).status).toBe(201);
    return created.body.uuid;
  }
  function agent(mac: string, extra: string[] = []): AgentProcess {
    const a = startAgentProcess(['--cmdline', `ipa-api-url=${anvil.url} BOOTIF=${mac}`, '--listen-host', '127.0.0.1', '--listen-port', '0',
      '--lookup-interval', '1', '--skip-bmc-detect', '--block-device', '/nonexistent', ...extra]);
    agents.push(a);
    return a;
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'anvil-agent-life-'));
    anvil = await startAnvilProcess('sqlite', { args: ['--agent-allow-insecure-callback'] });
  }, 30_000);
  afterAll(async () => {
    for (const a of agents) await a.stop();
    await anvil?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('posts the inventory before lookup when booted for inspection', async () => {
    const mac = nextMac();
    const uuid = await node(mac);
    await placeNode(anvil.databaseUrl, uuid, 'inspect wait', 'manageable');
    // The UUID is known up front (as with virtual media): this host's own NICs are not the node's port.
    const a = agent(mac, ['--inspection-callback-url', `${anvil.url}/v1/continue_inspection`, '--node-uuid', uuid]);
    await a.waitForLog(/Inspection data posted/);
    await waitFor('manageable', async () => (await api('GET', `/v1/nodes/${uuid}`)).body.provision_state === 'manageable');
    const inv = (await api('GET', `/v1/nodes/${uuid}/inventory`)).body.inventory;
    expect(inv.boot.pxe_interface).toBe(mac);
    expect(inv.cpu.count).toBeGreaterThan(0);
    expect(inv.memory.total).toBeGreaterThan(0);
    await a.stop();
  });

  it('retries the lookup until the node waits for it, then heartbeats over plain HTTP and finalises a rescue', async () => {
    const mac = nextMac();
    const uuid = await node(mac);
    const hashFile = join(dir, 'rescue', 'password');
    const a = agent(mac, ['--no-tls', '--no-rescue-user', '--rescue-password-file', hashFile]);
    await a.waitForLog(/Lookup did not find this node yet/);
    expect((await api('GET', `/v1/nodes/${uuid}`)).body.driver_internal_info.agent_url).toBeUndefined();
    await placeNode(anvil.databaseUrl, uuid, 'service wait', 'active');
    const dii = await waitFor('heartbeat', async () => {
      const d = (await api('GET', `/v1/nodes/${uuid}`)).body.driver_internal_info;
      return d.agent_url ? d : null;
    });
    expect(dii.agent_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(dii.agent_verify_ca).toBeUndefined();
    const client = new AgentClient(dii.agent_url, null, await agentToken(anvil.databaseUrl, uuid));
    const r = await client.run('rescue.finalize_rescue', { rescue_password: 'hunter2 rescue', hashed: false });
    expect(r.body).toMatchObject({ command_name: 'finalize_rescue', command_status: 'SUCCEEDED', command_error: null });
    const hash = readFileSync(hashFile, 'utf8').trim();
    expect(hash).toMatch(/^\$6\$/);
    expect(verify('hunter2 rescue', hash)).toBe(true);
    expect(a.logLines().join('\n')).not.toContain('hunter2');
    // From now on the node belongs to the rescuer: the API is gone, the process stays.
    await waitFor('API stopped', async () => client.request('GET', '/v1/status').then(() => false, () => true), 5000);
    expect(a.running()).toBe(true);
  });

  it('serves without lookup in standalone mode and stops its API on system.lockdown', async () => {
    const token = 'standalone-token-'.padEnd(43, 'x');
    const a = startAgentProcess(['--standalone', '--agent-token', token, '--no-tls', '--cmdline', '', '--listen-host', '127.0.0.1', '--listen-port', '0',
      '--skip-bmc-detect', '--block-device', '/nonexistent']);
    agents.push(a);
    const port = JSON.parse(await a.waitForLog(/Command API listening/)).port as number;
    const client = new AgentClient(`http://127.0.0.1:${port}`, null, token);
    expect(a.logLines().join('\n')).not.toMatch(/Looking up the node/);
    expect((await client.list()).body).toEqual({ commands: [] });
    const r = await client.run('system.lockdown', {});
    expect(r.body).toMatchObject({ command_name: 'lockdown', command_status: 'SUCCEEDED' });
    await waitFor('API stopped', async () => client.request('GET', '/v1/status').then(() => false, () => true), 5000);
    expect(a.running()).toBe(true);
  });
});
