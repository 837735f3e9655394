// Authentication and TLS through real processes: Anvil serving HTTPS (openssl-made certificates) with
// http_basic (an htpasswd file from Apache's htpasswd); Debian's `baremetal` and our own CLI verifying the
// certificate and sending credentials from options and from OS_* variables; the image server on HTTPS too;
// request limits (431, 414, 413, config drive exemption) and slow clients cut off while others keep being
// answered. Authentication is not store-specific, so this runs on SQLite only (about 25 s).
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { readFileSync } from 'node:fs';
import { Agent, fetch as undiciFetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAnvilProcess, type AnvilProcess } from '../support/anvil-process.js';
import { writeHtpasswd } from '../support/htpasswd.js';
import { makeTestCerts, type TestCerts } from '../support/tls-certs.js';

const BAREMETAL = '/usr/bin/baremetal';
const OUR_CLI = resolve('bin/baremetal.js');
const USER = 'operator';
const PASSWORD = 'Op3rator-Pa55word';
const HEADER_TIMEOUT_S = 2;

interface Run { code: number; stdout: string; stderr: string }

function run(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((res) => {
    execFile(cmd, args, { env, timeout: 60_000, maxBuffer: 8 << 20 }, (err, stdout, stderr) => {
      res({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

describe('HTTPS + http_basic through real processes (sqlite)', () => {
  let dir: string;
  let certs: TestCerts;
  let anvil: AnvilProcess;
  let agent: Agent;
  const outputs: string[] = [];

  /** Environment without the developer's OS_* settings, plus `extra`. */
  function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    const e: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!/^(OS_|XDG_|ANVIL_)/.test(k)) e[k] = v;
    return { ...e, HOME: dir, XDG_CACHE_HOME: join(dir, '.cache'), XDG_CONFIG_HOME: join(dir, '.config'), LC_ALL: 'C.UTF-8', ANVIL_CLI_RETRY_DELAY_MS: '0', ...extra };
  }
  async function debian(args: readonly string[], extra: Record<string, string> = {}): Promise<Run> {
    if (!existsSync(BAREMETAL)) throw new Error(`${BAREMETAL} is missing: install python3-ironicclient`);
    const r = await run(BAREMETAL, ['--os-endpoint', anvil.url, ...args], env(extra));
    outputs.push(r.stdout, r.stderr);
    return r;
  }
  async function ours(args: readonly string[], extra: Record<string, string> = {}): Promise<Run> {
    const r = await run(process.execPath, [OUR_CLI, '--os-endpoint', anvil.url, ...args], env(extra));
    outputs.push(r.stdout, r.stderr);
    return r;
  }
  const auth = ['--os-auth-type', 'http_basic', '--os-username', USER, '--os-password', PASSWORD];
  const basicHeader = () => `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
  const get = (path: string, headers: Record<string, string> = {}) =>
    undiciFetch(anvil.url + path, { headers: { Authorization: basicHeader(), ...headers }, dispatcher: agent });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'anvil-authtls-'));
    certs = makeTestCerts(dir);
    writeHtpasswd(join(dir, 'htpasswd'), { [USER]: PASSWORD, viewer: 'other-Pass' });
    agent = new Agent({ connect: { ca: readFileSync(certs.caFile) } });
    anvil = await startAnvilProcess('sqlite', {
      args: ['--auth-strategy', 'http_basic', '--http-basic-auth-user-file', join(dir, 'htpasswd'),
        '--tls-cert-file', certs.certFile, '--tls-key-file', certs.keyFile, '--client-header-timeout', String(HEADER_TIMEOUT_S),
        '--max-url-bytes', '4096', '--max-body-bytes', '65536'],
    });
  }, 60_000);

  afterAll(async () => {
    await anvil?.stop();
    await agent?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('serves HTTPS', () => {
    expect(anvil.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  });

  it("Debian's baremetal verifies the certificate and authenticates with options", async () => {
    const created = await debian([...auth, '--os-cacert', certs.caFile, 'node', 'create', '--driver', 'fake-hardware', '--name', 'tls-node',
      '--driver-info', `ipmi_password=${PASSWORD}-bmc`, '-f', 'json']);
    expect(created.code, created.stderr).toBe(0);
    expect(JSON.parse(created.stdout).driver_info.ipmi_password).toBe('******');
    const list = await debian([...auth, '--os-cacert', certs.caFile, 'node', 'list', '-f', 'value', '-c', 'Name']);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout.trim()).toBe('tls-node');
  }, 90_000);

  it("Debian's baremetal shows who created the node in `node history list --long`", async () => {
    const r = await debian([...auth, '--os-cacert', certs.caFile, 'node', 'history', 'list', 'tls-node', '--long', '-f', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const rows = JSON.parse(r.stdout) as Record<string, string>[];
    expect(rows.find((h) => h['Description of the event'] === 'Node created.'), r.stdout).toMatchObject({ User: USER, Severity: 'INFO' });
  }, 60_000);

  it("Debian's baremetal takes credentials and CA from OS_* variables", async () => {
    const r = await debian(['node', 'list', '-f', 'value', '-c', 'Name'],
      { OS_AUTH_TYPE: 'http_basic', OS_USERNAME: USER, OS_PASSWORD: PASSWORD, OS_CACERT: certs.caFile });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('tls-node');
  }, 60_000);

  it("Debian's baremetal is refused with a wrong password, and refuses an untrusted certificate", async () => {
    const wrong = await debian(['--os-auth-type', 'http_basic', '--os-username', USER, '--os-password', 'nope', '--os-cacert', certs.caFile, 'node', 'list']);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/HTTP 401/);
    const untrusted = await debian([...auth, '--os-cacert', certs.otherCaFile, 'node', 'list']);
    expect(untrusted.code).not.toBe(0);
    expect(untrusted.stderr).toMatch(/CERTIFICATE_VERIFY_FAILED/);
  }, 90_000);

  it('our CLI verifies the certificate (--os-cacert or OS_CACERT) and authenticates', async () => {
    const a = await ours([...auth, '--os-cacert', certs.caFile, 'node', 'list', '-f', 'value', '-c', 'Name']);
    expect(a.code, a.stderr).toBe(0);
    expect(a.stdout.trim()).toBe('tls-node');
    const b = await ours(['node', 'list', '-f', 'value', '-c', 'Name'],
      { OS_AUTH_TYPE: 'http_basic', OS_USERNAME: USER, OS_PASSWORD: PASSWORD, OS_CACERT: certs.caFile });
    expect(b.code, b.stderr).toBe(0);
    expect(b.stdout.trim()).toBe('tls-node');
    const untrusted = await ours([...auth, 'node', 'list']);
    expect(untrusted.code).not.toBe(0);
    expect(untrusted.stderr).toMatch(/unable to verify|self.signed|certificate/i);
    const noCreds = await ours(['--os-cacert', certs.caFile, 'node', 'list']);
    expect(noCreds.code).not.toBe(0);
    expect(noCreds.stderr).toMatch(/Authentication required.*\(HTTP 401\)/);
  }, 90_000);

  it('serves the image server for agents over HTTPS with the same certificate', async () => {
    const line = anvil.logLines().find((l) => l.includes('image server for deploy agents listening'));
    const url = line ? JSON.parse(line).url as string : '';
    expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const res = await undiciFetch(`${url}/images/00000000-0000-0000-0000-000000000000/${'0'.repeat(64)}`, { dispatcher: agent });
    await res.arrayBuffer();
    expect(res.status).toBeGreaterThanOrEqual(400); // no signature: refused, but over a verified TLS connection
  });

  it('answers oversized headers, URLs and bodies in Ironic format, but lets a config drive through', async () => {
    const isIronicError = async (res: Response | Awaited<ReturnType<typeof undiciFetch>>) => {
      const body = await res.json() as { error_message: string };
      return JSON.parse(body.error_message).faultcode === 'Client';
    };
    const bigHeader = await get('/v1/nodes', { 'X-Padding': 'p'.repeat(20_000) });
    expect(bigHeader.status).toBe(431);
    expect(await isIronicError(bigHeader)).toBe(true);
    const longUrl = await get(`/v1/nodes?name=${'n'.repeat(5000)}`);
    expect(longUrl.status).toBe(414);
    expect(await isIronicError(longUrl)).toBe(true);
    const bigBody = await undiciFetch(`${anvil.url}/v1/nodes`, {
      method: 'POST', dispatcher: agent, body: JSON.stringify({ driver: 'fake-hardware', extra: { pad: 'x'.repeat(70_000) } }),
      headers: { Authorization: basicHeader(), 'Content-Type': 'application/json', 'X-OpenStack-Ironic-API-Version': 'latest' },
    });
    expect(bigBody.status).toBe(413);
    expect(await isIronicError(bigBody)).toBe(true);
    const drive = await undiciFetch(`${anvil.url}/v1/nodes/tls-node/states/provision`, {
      method: 'PUT', dispatcher: agent, body: JSON.stringify({ target: 'active', configdrive: 'c'.repeat(300_000) }),
      headers: { Authorization: basicHeader(), 'Content-Type': 'application/json', 'X-OpenStack-Ironic-API-Version': 'latest' },
    });
    await drive.arrayBuffer();
    expect(drive.status).not.toBe(413); // refused for the node's state (enroll), not for its size
    expect(drive.status).toBeLessThan(500);
  });

  it('cuts off a client that dribbles its headers, while others keep being answered', async () => {
    const port = Number(new URL(anvil.url).port);
    const started = Date.now();
    const slow = tlsConnect({ host: '127.0.0.1', port, ca: readFileSync(certs.caFile), servername: 'localhost' });
    let received = '';
    slow.setEncoding('utf8').on('data', (d: string) => (received += d));
    const closed = new Promise<number>((res) => slow.on('close', () => res(Date.now() - started)));
    slow.on('error', () => undefined);
    await new Promise((res) => slow.once('secureConnect', res));
    slow.write('GET /v1/nodes HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    const dribble = setInterval(() => slow.writable && slow.write('X-Slow: a\r\n'), 300);
    try {
      // Meanwhile, ordinary requests are answered at once.
      for (let i = 0; i < 10; i++) {
        const t0 = Date.now();
        const res = await get('/v1/nodes');
        await res.arrayBuffer();
        expect(res.status).toBe(200);
        expect(Date.now() - t0).toBeLessThan(1500);
      }
      const after = await closed;
      expect(after).toBeGreaterThanOrEqual(HEADER_TIMEOUT_S * 1000 - 200);
      expect(after).toBeLessThan(HEADER_TIMEOUT_S * 1000 + 3000);
      expect(received).toMatch(/^HTTP\/1\.1 408 /);
    } finally {
      clearInterval(dribble);
      slow.destroy();
    }
  }, 20_000);

  it('never shows the password in any output or log line', () => {
    const everything = [...outputs, ...anvil.logLines(), anvil.stdout()].join('\n');
    expect(everything).not.toContain(PASSWORD);
    // Failed logins are logged, with the user name only.
    expect(anvil.logLines().some((l) => l.includes('authentication failed') && l.includes(USER))).toBe(true);
  });
});

describe('noauth on a non-loopback address', () => {
  it('refuses to start without insecureNoauth', async () => {
    // The check runs before any socket is opened, so nothing is ever bound to 0.0.0.0 here.
    await expect(startAnvilProcess('sqlite', { args: ['--host', '0.0.0.0'] })).rejects.toThrow(/refusing to serve without authentication on 0\.0\.0\.0/);
  }, 30_000);
});
