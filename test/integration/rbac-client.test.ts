// Project-scoped RBAC as the stock client meets it: Anvil as a real process with http_basic and a users file,
// Debian's `baremetal` as a project member. It lists only its project's nodes (owned and leased), gets 404 for
// another project's node, sees a leased node's owner-only fields redacted, may power a leased node on but is
// refused (403, naming Ironic's rule) when it tries to change its driver_info or provision it; a project reader
// changes nothing. Not store-specific: SQLite only.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAnvilProcess, type AnvilProcess } from '../support/anvil-process.js';
import { writeHtpasswd } from '../support/htpasswd.js';
import { RBAC_USERS, RBAC_USERS_YAML, basicAuth, type RbacUser } from '../support/rbac-users.js';

const BAREMETAL = '/usr/bin/baremetal';
const user = (name: string): RbacUser => RBAC_USERS.find((u) => u.name === name)!;

interface Run { code: number; stdout: string; stderr: string }

describe("Debian's baremetal against project-scoped RBAC (sqlite)", () => {
  let dir: string;
  let anvil: AnvilProcess;
  const nodes: Record<string, string> = {};

  function debian(as: RbacUser, args: readonly string[]): Promise<Run> {
    if (!existsSync(BAREMETAL)) throw new Error(`${BAREMETAL} is missing: install python3-ironicclient`);
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!/^(OS_|XDG_|ANVIL_)/.test(k)) env[k] = v;
    Object.assign(env, { HOME: dir, XDG_CACHE_HOME: join(dir, '.cache'), LC_ALL: 'C.UTF-8',
      OS_AUTH_TYPE: 'http_basic', OS_USERNAME: as.name, OS_PASSWORD: as.password, OS_ENDPOINT: anvil.url });
    return new Promise((res) => {
      execFile(BAREMETAL, args, { env, timeout: 60_000 }, (err, stdout, stderr) =>
        res({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }));
    });
  }

  async function enrol(name: string, owner: string, lessee?: string): Promise<string> {
    const res = await fetch(`${anvil.url}/v1/nodes`, {
      method: 'POST', headers: { ...basicAuth(user('sys-admin')), 'Content-Type': 'application/json', 'X-OpenStack-Ironic-API-Version': '1.89' },
      body: JSON.stringify({ driver: 'fake-hardware', name, owner, ...(lessee ? { lessee } : {}), driver_info: { ipmi_address: `bmc-${name}.example` } }),
    });
    expect(res.status).toBe(201);
    return ((await res.json()) as { uuid: string }).uuid;
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'anvil-rbac-cli-'));
    writeHtpasswd(join(dir, 'htpasswd'), Object.fromEntries(RBAC_USERS.map((u) => [u.name, u.password])));
    writeFileSync(join(dir, 'users.yaml'), RBAC_USERS_YAML);
    anvil = await startAnvilProcess('sqlite', {
      args: ['--auth-strategy', 'http_basic', '--http-basic-auth-user-file', join(dir, 'htpasswd'), '--auth-users-file', join(dir, 'users.yaml')],
    });
    nodes.owned = await enrol('owned', 'proj-a');
    nodes.leased = await enrol('leased', 'proj-b', 'proj-a');
    nodes.foreign = await enrol('foreign', 'proj-b');
  }, 60_000);

  afterAll(async () => {
    await anvil?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("lists only the project's nodes and hides another project's", async () => {
    const list = await debian(user('p-member'), ['node', 'list', '-f', 'value', '-c', 'Name']);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout.trim().split('\n').sort()).toEqual(['leased', 'owned']);
    const admin = await debian(user('sys-admin'), ['node', 'list', '-f', 'value', '-c', 'Name']);
    expect(admin.stdout.trim().split('\n').sort()).toEqual(['foreign', 'leased', 'owned']);
    const hidden = await debian(user('p-member'), ['node', 'show', nodes.foreign!]);
    expect(hidden.code).not.toBe(0);
    expect(hidden.stderr).toMatch(new RegExp(`Node ${nodes.foreign} could not be found\\. \\(HTTP 404\\)`));
  }, 90_000);

  it("redacts a leased node's owner-only fields", async () => {
    const r = await debian(user('p-member'), ['node', 'show', 'leased', '-f', 'json', '-c', 'driver_info', '-c', 'last_error']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      driver_info: { content: '** Redacted - requires baremetal:node:get:driver_info permission. **' },
      last_error: '** Value Redacted - Requires baremetal:node:get:last_error permission. **',
    });
  }, 60_000);

  it("lets a lessee member power on, and refuses what Ironic keeps for owners with 403", async () => {
    const on = await debian(user('p-member'), ['node', 'power', 'on', 'leased']);
    expect(on.code, on.stderr).toBe(0);
    const set = await debian(user('p-member'), ['node', 'set', 'leased', '--driver-info', 'ipmi_port=623']);
    expect(set.code).not.toBe(0);
    expect(set.stderr).toMatch(/Access was denied to the following resource: baremetal:node:update:driver_info \(HTTP 403\)/);
    const manage = await debian(user('p-member'), ['node', 'manage', 'leased']);
    expect(manage.stderr).toMatch(/baremetal:node:set_provision_state \(HTTP 403\)/);
    const reader = await debian(user('p-reader'), ['node', 'set', 'owned', '--extra', 'x=y']);
    expect(reader.stderr).toMatch(/baremetal:node:update_extra \(HTTP 403\)/);
    // The owner's member may do what the lessee may not.
    const owner = await debian(user('p-member'), ['node', 'set', 'owned', '--driver-info', 'ipmi_port=623']);
    expect(owner.code, owner.stderr).toBe(0);
  }, 120_000);
});
