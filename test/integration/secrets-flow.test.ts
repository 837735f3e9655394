// Secrets never leave, over whole flows through real processes: an Anvil process (debug logging, encryption
// at rest, http_basic) and a real BMC (ipmi_sim); our CLI with --debug and Debian's `baremetal` enrol an ipmi
// node with a wrong BMC password (verification fails against the BMC), fix it, enrol a fake node and deploy it
// with a config drive, and walk error paths. Every CLI output, every API answer and every log line is searched
// for every secret used (BMC passwords, config drive, API password, encryption key): none may appear, and the
// SQLite file holds none in clear. SQLite only: what is searched is output, not the store (about 40 s).
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretBox } from '../../src/common/secrets.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import { startAnvilProcess, type AnvilProcess } from '../support/anvil-process.js';
import { startBmcs, type SimFleet } from '../support/ipmi-sim.js';
import { writeHtpasswd } from '../support/htpasswd.js';

const OUR_CLI = resolve('bin/baremetal.js');
const BAREMETAL = '/usr/bin/baremetal';
const BMC_PW = 'Bmc-Right-Pw-7311';
const WRONG_PW = 'Bmc-Wrong-Pw-1937';
const CONFIG_DRIVE = 'Q29uZmlnRHJpdmUtU2VjcmV0LTQ0MDI=';
const API_PW = 'Api-Login-Pw-8820';
const KEY = SecretBox.generateKey();
const SECRETS = { BMC_PW, WRONG_PW, CONFIG_DRIVE, API_PW, KEY };

interface Run { code: number; stdout: string; stderr: string }

describe('secrets never leave a full flow (sqlite)', () => {
  let fleet: SimFleet;
  let anvil: AnvilProcess;
  let db: TestDatabase;
  let dir: string;
  const seen: string[] = [];

  function env(): NodeJS.ProcessEnv {
    const e: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!/^(OS_|XDG_|ANVIL_)/.test(k)) e[k] = v;
    return { ...e, HOME: dir, XDG_CACHE_HOME: join(dir, '.cache'), LC_ALL: 'C.UTF-8', ANVIL_CLI_RETRY_DELAY_MS: '0',
      OS_AUTH_TYPE: 'http_basic', OS_USERNAME: 'admin', OS_PASSWORD: API_PW, OS_ENDPOINT: anvil.url };
  }
  function run(cmd: string, args: readonly string[]): Promise<Run> {
    return new Promise((res) => execFile(cmd, args, { env: env(), timeout: 90_000, maxBuffer: 8 << 20 }, (err, stdout, stderr) => {
      seen.push(stdout, stderr);
      res({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    }));
  }
  const ours = (args: readonly string[]) => run(process.execPath, [OUR_CLI, '--debug', ...args]);
  const debian = (args: readonly string[]) => run(BAREMETAL, ['--debug', ...args]);
  async function api(method: string, path: string, body?: unknown): Promise<{ status: number; text: string }> {
    const res = await fetch(anvil.url + path, { method, body: body === undefined ? undefined : JSON.stringify(body), headers: {
      'Content-Type': 'application/json', 'X-OpenStack-Ironic-API-Version': 'latest', Authorization: `Basic ${Buffer.from(`admin:${API_PW}`).toString('base64')}`,
    } });
    const text = await res.text();
    seen.push(text, JSON.stringify([...res.headers]));
    return { status: res.status, text };
  }
  async function waitState(uuid: string, states: string[]): Promise<any> {
    for (let i = 0; i < 300; i++) {
      const node = JSON.parse((await api('GET', `/v1/nodes/${uuid}`)).text);
      if (states.includes(node.provision_state) && !node.target_provision_state) return node;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`node ${uuid} did not reach ${states.join('/')}`);
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'anvil-secrets-'));
    writeHtpasswd(join(dir, 'htpasswd'), { admin: API_PW });
    db = await createTestDatabase('sqlite');
    writeFileSync(join(dir, 'key'), KEY, { mode: 0o600 });
    [fleet, anvil] = await Promise.all([startBmcs({ count: 1, password: BMC_PW }), startAnvilProcess('sqlite', {
      reuse: { databaseUrl: db.url, stateDir: dir },
      args: ['--log-level', 'debug', '--encryption-key-file', join(dir, 'key'), '--auth-strategy', 'http_basic', '--http-basic-auth-user-file', join(dir, 'htpasswd')],
    })]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([fleet?.stop(), anvil?.stop()]);
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('runs the flows', async () => {
    const bmc = fleet.bmcs[0]!;
    const info = bmc.driverInfo({ ipmi_password: WRONG_PW }) as Record<string, string>;
    const created = await ours(['node', 'create', '--driver', 'ipmi', '--name', 'sec-ipmi', '-f', 'json',
      ...Object.entries(info).flatMap(([k, v]) => ['--driver-info', `${k}=${v}`])]);
    expect(created.code, created.stderr).toBe(0);
    const ipmiUuid = JSON.parse(created.stdout).uuid as string;
    // Verification talks to the BMC with the wrong password and fails.
    expect((await ours(['node', 'manage', 'sec-ipmi'])).code).toBe(0);
    const failed = await waitState(ipmiUuid, ['enroll']);
    expect(failed.last_error).toBeTruthy();
    await ours(['node', 'show', 'sec-ipmi', '-f', 'json']);
    await debian(['node', 'history', 'list', 'sec-ipmi', '--long']);
    // With the right password it becomes manageable and its power can be read.
    expect((await ours(['node', 'set', 'sec-ipmi', '--driver-info', `ipmi_password=${BMC_PW}`])).code).toBe(0);
    expect((await ours(['node', 'manage', 'sec-ipmi'])).code).toBe(0);
    await waitState(ipmiUuid, ['manageable']);
    await debian(['node', 'show', 'sec-ipmi', '--fields', 'driver_info', 'power_state', 'last_error']);

    // A fake node deployed with a config drive.
    const fake = await ours(['node', 'create', '--driver', 'fake-hardware', '--name', 'sec-fake', '-f', 'json',
      '--driver-info', `ipmi_password=${BMC_PW}`]);
    expect(fake.code, fake.stderr).toBe(0);
    const fakeUuid = JSON.parse(fake.stdout).uuid as string;
    for (const verb of ['manage', 'provide']) expect((await ours(['node', verb, 'sec-fake', '--wait', '60'])).code).toBe(0);
    writeFileSync(join(dir, 'configdrive.b64'), CONFIG_DRIVE);
    const deployed = await ours(['node', 'deploy', 'sec-fake', '--config-drive', join(dir, 'configdrive.b64'), '--wait', '60']);
    expect(deployed.code, deployed.stderr).toBe(0);
    await waitState(fakeUuid, ['active']);
    await debian(['node', 'show', 'sec-fake', '--fields', 'instance_info', 'driver_info', 'driver_internal_info']);
    await debian(['node', 'list', '--long', '-f', 'json']);

    // Error paths that carry secrets in the request.
    await ours(['node', 'set', 'no-such-node', '--driver-info', `ipmi_password=${BMC_PW}`]);
    await api('POST', '/v1/nodes', { driver: 'ipmi', bogus_field: 1, driver_info: { ipmi_password: BMC_PW } });
    await api('POST', '/v1/nodes', { driver: 'no-such-driver', driver_info: { ipmi_password: BMC_PW } });
    await api('PATCH', `/v1/nodes/${fakeUuid}`, [{ op: 'replace', path: '/driver_info/ipmi_password', value: { nested: BMC_PW } }, { op: 'bogus', path: '/x' }]);
    await api('PUT', `/v1/nodes/${fakeUuid}/states/provision`, { target: 'active', configdrive: CONFIG_DRIVE });
    await api('GET', `/v1/nodes/${fakeUuid}?fields=driver_info,instance_info`);
    await api('GET', `/v1/nodes/detail`);
    const wrongLogin = await fetch(`${anvil.url}/v1/nodes`, { headers: { Authorization: `Basic ${Buffer.from(`admin:${WRONG_PW}`).toString('base64')}` } });
    seen.push(await wrongLogin.text());
    expect(wrongLogin.status).toBe(401);
  }, 300_000);

  it('shows no secret in any output, answer or log line, nor in clear in the store', () => {
    const everything = [...seen, ...anvil.logLines(), anvil.stdout()].join('\n');
    expect(everything.length).toBeGreaterThan(10_000);
    for (const [name, value] of Object.entries(SECRETS)) {
      const at = everything.indexOf(value);
      expect(at, `${name} leaked: …${everything.slice(Math.max(0, at - 300), at + 100)}…`).toBe(-1);
    }
    // The debug output did happen (so the search covered the CLI's request/response dumps).
    expect(everything).toMatch(/REQ: curl/);
    const dbDir = db.url.replace(/^sqlite:\/\//, '').replace(/\/[^/]+$/, '');
    const files = readdirSync(dbDir).map((f) => readFileSync(join(dbDir, f)).toString('latin1')).join('\n');
    for (const value of [BMC_PW, WRONG_PW, CONFIG_DRIVE]) expect(files.includes(value), 'clear secret in the SQLite files').toBe(false);
  });
});
