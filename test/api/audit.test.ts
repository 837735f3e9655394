// Node history as an audit trail: every state-changing request on a node (create, patch, maintenance, power,
// provisioning, traits, ports) leaves an INFO record naming the user and project who asked; a refused request
// leaves none; no patched value (a BMC password) appears.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { startTestApi, type TestApi } from '../support/api-client.js';
import { writeHtpasswd } from '../support/htpasswd.js';

const SECRET = 'audit-Secret-991';
const basic = (user: string, password: string) => ({ Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });

describe.each(DIALECTS)('node history records who did what (%s)', (dialect) => {
  let api: TestApi;
  let dir: string;
  const alice = basic('alice', 'alice-pw');
  const ops = basic('ops', 'ops-pw');

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'anvil-audit-'));
    writeHtpasswd(join(dir, 'htpasswd'), { alice: 'alice-pw', ops: 'ops-pw' });
    // alice administers her project (traits need an owner admin); ops is a system admin.
    writeFileSync(join(dir, 'users.yaml'), 'alice:\n  project: tenant-a\n  roles: [admin]\nops:\n  roles: [admin]\n');
    api = await startTestApi(dialect, { authStrategy: 'http_basic', httpBasicAuthUserFile: join(dir, 'htpasswd'), authUsersFile: join(dir, 'users.yaml') });
  });
  afterAll(async () => {
    await api?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('names the user and project of every change', async () => {
    const created = await api.post('/v1/nodes', { driver: 'fake-hardware', name: 'audited', owner: 'tenant-a' }, ops);
    expect(created.status).toBe(201);
    const uuid = created.body.uuid as string;
    const steps: [string, string, unknown, Record<string, string>][] = [
      ['PATCH', `/v1/nodes/${uuid}`, [{ op: 'add', path: '/driver_info/ipmi_password', value: SECRET }, { op: 'add', path: '/extra/rack', value: 'r1' }], alice],
      ['PUT', `/v1/nodes/${uuid}/maintenance`, { reason: 'fan replacement' }, alice],
      ['DELETE', `/v1/nodes/${uuid}/maintenance`, undefined, ops],
      ['PUT', `/v1/nodes/${uuid}/states/power`, { target: 'power on' }, alice],
      ['PUT', `/v1/nodes/${uuid}/traits/CUSTOM_AUDIT`, undefined, alice],
      ['PUT', `/v1/nodes/${uuid}/states/provision`, { target: 'manage' }, ops],
      ['POST', '/v1/ports', { address: '52:54:00:aa:bb:01', node_uuid: uuid }, ops],
    ];
    for (const [method, path, body, who] of steps) {
      const r = await api.request(method, path, body, who);
      expect(r.status, `${method} ${path}: ${r.text}`).toBeLessThan(300);
      // An accepted action (power, manage) runs in the background holding the node's lock; the next step
      // would race it for the lock (409 NodeLocked), which is not what this test is about.
      await api.work.idle();
    }
    const r = await api.get(`/v1/nodes/${uuid}/history?detail=true`, ops);
    expect(r.status).toBe(200);
    const rows = r.body.history as { event: string; user: string | null; event_type: string; severity: string }[];
    const find = (re: RegExp) => rows.find((h) => re.test(h.event));
    expect(find(/^Node created\./)?.user).toBe('ops');
    expect(find(/^Node updated: add \/driver_info\/ipmi_password, add \/extra\/rack\./)?.user).toBe('alice (project tenant-a)');
    expect(find(/Maintenance mode set, reason: fan replacement/)?.user).toBe('alice (project tenant-a)');
    expect(find(/Maintenance mode cleared/)?.user).toBe('ops');
    expect(find(/Power state change to "power on"/)).toMatchObject({ user: 'alice (project tenant-a)', event_type: 'power' });
    expect(find(/traits\/CUSTOM_AUDIT/)?.user).toBe('alice (project tenant-a)');
    expect(find(/Provision action "manage"/)).toMatchObject({ user: 'ops', event_type: 'provisioning' });
    expect(find(/^Port .* created\./)?.user).toBe('ops');
    expect(rows.every((h) => h.severity === 'INFO')).toBe(true);
    expect(JSON.stringify(rows)).not.toContain(SECRET);
  });

  it('records nothing for a refused request', async () => {
    const created = await api.post('/v1/nodes', { driver: 'fake-hardware', name: 'fails-later', power_interface: 'fake', owner: 'tenant-a' }, ops);
    const uuid = created.body.uuid as string;
    const bad = await api.request('PUT', `/v1/nodes/${uuid}/states/power`, { target: 'rebooting-ish' }, alice);
    expect(bad.status).toBe(400);
    const rows = (await api.get(`/v1/nodes/${uuid}/history?detail=true`, ops)).body.history as { event: string; user: string }[];
    expect(rows.some((h) => h.event.includes('rebooting-ish'))).toBe(false);
    expect(rows.map((h) => h.user)).toEqual(['ops']);
  });
});
