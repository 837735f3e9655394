// Debian's unmodified `baremetal` client (python3-ironicclient 5.0.1) against a real Anvil process, once per
// database dialect: node create (the README seed command, table and JSON), list/show/set/unset/delete, port
// create and duplicate MAC, drivers, driver properties, conductors and validate — checking what the client
// prints against the transcripts of a real Ironic in test/fixtures/ironic/cli/, and that no password reaches
// the client's output or the server's log.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { startAnvilProcess, type AnvilProcess } from '../support/anvil-process.js';

const BAREMETAL = '/usr/bin/baremetal';
const MISSING_CLIENT = `${BAREMETAL} is missing: install Debian's python3-ironicclient (apt-get install python3-ironicclient); ` +
  'these tests check wire compatibility with the stock OpenStack client and cannot run without it.';
const FIXTURES = new URL('../fixtures/ironic/cli/', import.meta.url);
const UUID_RE = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;
const SEED_CREATE = ['node', 'create', '--driver', 'ipmi', '--driver-info', 'ipmi_address=ipmi.server.net',
  '--driver-info', 'ipmi_username=user', '--driver-info', 'ipmi_password=pass',
  '--driver-info', 'deploy_kernel=file:///images/deploy.vmlinuz',
  '--driver-info', 'deploy_ramdisk=http://my.server.net/images/deploy.ramdisk'];
const SECRET = 's3cr3t-Pa55';
const MAC = '52:54:00:12:34:56';
const PER_TEST_MS = 90_000;

interface Run { code: number; stdout: string; stderr: string }

/** JSON document printed by the client in a recorded transcript (first line is the command). */
function fixtureJson(name: string): any {
  const lines = readFileSync(new URL(name, FIXTURES), 'utf8').split('\n');
  return JSON.parse(lines.slice(1).filter((l) => !l.startsWith('# exit status')).join('\n'));
}

/** Rows of a cliff table, each a list of trimmed cells (header row included). */
function tableRows(text: string): string[][] {
  return text.split('\n').filter((l) => l.startsWith('|')).map((l) => l.slice(1, -1).split('|').map((c) => c.trim()));
}

/** Field -> Value of a `show`-style table. */
function fieldTable(text: string): Map<string, string> {
  const rows = tableRows(text);
  expect(rows[0]).toEqual(['Field', 'Value']);
  return new Map(rows.slice(1).map((r) => [r[0]!, r[1]!]));
}

it('has the stock OpenStack baremetal client installed', () => {
  expect(existsSync(BAREMETAL), MISSING_CLIENT).toBe(true);
});

describe.each(DIALECTS)('python-ironicclient `baremetal` against an Anvil process (%s)', (dialect) => {
  let anvil: AnvilProcess;
  let home: string;
  let seedUuid = '';
  let secretUuid = '';
  const outputs: string[] = [];

  function bm(args: readonly string[], timeoutMs = 60_000): Promise<Run> {
    if (!existsSync(BAREMETAL)) throw new Error(MISSING_CLIENT);
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!/^(OS_|XDG_)/.test(k)) env[k] = v;
    Object.assign(env, { HOME: home, XDG_CACHE_HOME: join(home, '.cache'), XDG_CONFIG_HOME: join(home, '.config'), LC_ALL: 'C.UTF-8' });
    const argv = ['--os-endpoint', anvil.url, '--os-auth-type', 'none', ...args];
    return new Promise((resolve) => {
      execFile(BAREMETAL, argv, { env, timeout: timeoutMs, maxBuffer: 8 << 20 }, (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        outputs.push(stdout, stderr);
        resolve({ code, stdout, stderr: err && err.killed ? `${stderr}\n(killed after ${timeoutMs} ms)` : stderr });
      });
    });
  }

  /** Runs a command that must succeed; the failure message shows what the client printed. */
  async function ok(args: readonly string[]): Promise<string> {
    const r = await bm(args);
    expect(r.code, `baremetal ${args.join(' ')} failed:\n${r.stderr}\n${r.stdout}`).toBe(0);
    return r.stdout;
  }

  const showJson = async (ident: string) => JSON.parse(await ok(['node', 'show', ident, '-f', 'json']));

  beforeAll(async () => {
    // No early exit when the client is missing: every test then fails (not skips) with MISSING_CLIENT.
    home = mkdtempSync(join(tmpdir(), 'anvil-osc-home-'));
    anvil = await startAnvilProcess(dialect, { args: ['--log-level', 'debug'] });
  });

  afterAll(async () => {
    await anvil?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('creates a node with the seed command and prints a Field/Value table with the password masked', async () => {
    const out = await ok(SEED_CREATE);
    const table = fieldTable(out);
    seedUuid = table.get('uuid') ?? '';
    expect(seedUuid).toMatch(new RegExp(`^${UUID_RE.source}$`));
    expect(table.get('driver')).toBe('ipmi');
    expect(table.get('provision_state')).toBe('enroll');
    expect(table.get('driver_info')).toContain("'ipmi_password': '******'");
    expect(table.get('driver_info')).toContain("'ipmi_address': 'ipmi.server.net'");
    expect(out).not.toMatch(/\bpass\b/);
  }, PER_TEST_MS);

  it('creates a node with -f json and a distinctive password that is never printed', async () => {
    const out = await ok(['node', 'create', '--driver', 'ipmi', '--name', 'osc-node-2', '--driver-info', 'ipmi_address=10.0.0.2',
      '--driver-info', 'ipmi_username=admin', '--driver-info', `ipmi_password=${SECRET}`, '-f', 'json']);
    const node = JSON.parse(out);
    expect(node.uuid).toMatch(UUID_RE);
    expect(node.name).toBe('osc-node-2');
    expect(node.driver_info).toEqual({ ipmi_address: '10.0.0.2', ipmi_username: 'admin', ipmi_password: '******' });
    expect(out).not.toContain(SECRET);
    secretUuid = node.uuid;
  }, PER_TEST_MS);

  it('lists nodes as a table and as JSON with the columns of a real Ironic', async () => {
    const rows = tableRows(await ok(['node', 'list']));
    expect(rows[0]).toEqual(['UUID', 'Name', 'Instance UUID', 'Power State', 'Provisioning State', 'Maintenance']);
    expect(rows.slice(1)).toContainEqual([seedUuid, 'None', 'None', 'None', 'enroll', 'False']);
    expect(rows.slice(1)).toContainEqual([secretUuid, 'osc-node-2', 'None', 'None', 'enroll', 'False']);

    const list = JSON.parse(await ok(['node', 'list', '-f', 'json']));
    const expectedKeys = Object.keys(fixtureJson('05-node-list-json.txt')[0]);
    expect(list).toHaveLength(2);
    for (const row of list) expect(Object.keys(row)).toEqual(expectedKeys);
    expect(list.find((r: any) => r.UUID === seedUuid)).toEqual({
      UUID: seedUuid, Name: null, 'Instance UUID': null, 'Power State': null, 'Provisioning State': 'enroll', Maintenance: false,
    });
  }, PER_TEST_MS);

  it('lists nodes with --long, secrets masked', async () => {
    const out = await ok(['node', 'list', '--long', '-f', 'json']);
    const rows = JSON.parse(out);
    const seed = rows.find((r: any) => r.UUID === seedUuid);
    expect(seed).toBeDefined();
    expect(seed.Driver).toBe('ipmi');
    expect(seed['Provisioning State']).toBe('enroll');
    expect(seed['Driver Info'].ipmi_password).toBe('******');
    expect(rows.find((r: any) => r.UUID === secretUuid)?.Name).toBe('osc-node-2');
    expect(out).not.toContain(SECRET);
  }, PER_TEST_MS);

  it('shows a node as JSON with the field set and values of a real Ironic 21.4', async () => {
    const node = await showJson(seedUuid);
    const recorded = fixtureJson('04-node-show-json.txt');
    expect(Object.keys(node).sort()).toEqual(Object.keys(recorded).sort());
    // Everything but identity, times and the conductor's host name must read exactly as Ironic printed it.
    for (const key of Object.keys(recorded)) {
      if (['uuid', 'created_at', 'updated_at', 'conductor'].includes(key)) continue;
      expect(node[key], key).toEqual(recorded[key]);
    }
    expect(node.uuid).toBe(seedUuid);
    expect(node.conductor).toBe(anvil.conductorHostname);
    expect(node.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00$/);
  }, PER_TEST_MS);

  it('shows a node by name', async () => {
    const table = fieldTable(await ok(['node', 'show', 'osc-node-2']));
    expect(table.get('uuid')).toBe(secretUuid);
    expect(table.get('name')).toBe('osc-node-2');
    expect(table.get('driver_info')).toContain("'ipmi_password': '******'");
  }, PER_TEST_MS);

  it('sets and unsets fields, and show reflects both', async () => {
    await ok(['node', 'set', seedUuid, '--name', 'n1', '--driver-info', 'ipmi_port=6230',
      '--property', 'capabilities=boot_mode:uefi', '--extra', 'a=b']);
    let node = await showJson('n1');
    expect(node.uuid).toBe(seedUuid);
    expect(node.name).toBe('n1');
    // The client JSON-decodes "6230" before sending it, as it does against Ironic.
    expect(node.driver_info.ipmi_port).toBe(6230);
    expect(node.driver_info.ipmi_password).toBe('******');
    expect(node.properties).toEqual({ capabilities: 'boot_mode:uefi' });
    expect(node.extra).toEqual({ a: 'b' });

    await ok(['node', 'unset', seedUuid, '--extra', 'a']);
    node = await showJson(seedUuid);
    expect(node.extra).toEqual({});
    expect(node.name).toBe('n1');
    expect(node.properties).toEqual({ capabilities: 'boot_mode:uefi' });
  }, PER_TEST_MS);

  it('refuses an invalid name with a non-zero exit and a message', async () => {
    const r = await bm(['node', 'set', seedUuid, '--name', 'not a valid name!']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('not a valid name!');
    expect(r.stderr).toContain('(HTTP 400)');
    expect((await showJson(seedUuid)).name).toBe('n1');
  }, PER_TEST_MS);

  it('validates a node, one row per interface', async () => {
    const rows = JSON.parse(await ok(['node', 'validate', seedUuid, '-f', 'json']));
    const recorded = tableRows(readFileSync(new URL('11-node-validate.txt', FIXTURES), 'utf8')).slice(1).map((r) => r[0]);
    expect(rows.map((r: any) => r.Interface)).toEqual(recorded);
    const byName = new Map(rows.map((r: any) => [r.Interface, r]));
    // The seed node has IPMI address and credentials: power and management validate, bios is unsupported.
    expect(byName.get('power')).toMatchObject({ Result: true });
    expect(byName.get('management')).toMatchObject({ Result: true });
    expect(byName.get('bios')).toMatchObject({ Result: false, Reason: expect.stringContaining('does not support bios') });
    for (const r of rows) expect(typeof r.Result).toBe('boolean');
  }, PER_TEST_MS);

  it('lists the enabled drivers with this conductor as active host', async () => {
    const rows = tableRows(await ok(['driver', 'list']));
    expect(rows[0]).toEqual(['Supported driver(s)', 'Active host(s)']);
    const drivers = new Map(rows.slice(1).map((r) => [r[0], r[1]]));
    for (const name of ['ipmi', 'redfish', 'fake-hardware', 'manual-management']) expect(drivers.get(name), name).toContain(anvil.conductorHostname);
  }, PER_TEST_MS);

  it('lists the properties of the ipmi and redfish drivers', async () => {
    for (const [driver, keys] of [
      ['ipmi', ['ipmi_address', 'ipmi_username', 'ipmi_password', 'deploy_kernel', 'deploy_ramdisk']],
      ['redfish', ['redfish_address', 'redfish_system_id', 'redfish_username', 'redfish_password', 'redfish_verify_ca', 'redfish_auth_type', 'deploy_kernel']],
    ] as const) {
      const rows = tableRows(await ok(['driver', 'property', 'list', driver]));
      expect(rows[0]).toEqual(['Property', 'Description']);
      const names = rows.slice(1).map((r) => r[0]);
      for (const p of keys) expect(names, driver).toContain(p);
    }
  }, PER_TEST_MS);

  it('shows the redfish driver with its default interfaces', async () => {
    const table = fieldTable(await ok(['--os-baremetal-api-version', '1.89', 'driver', 'show', 'redfish']));
    expect(table.get('default_power_interface')).toBe('redfish');
    expect(table.get('default_management_interface')).toBe('redfish');
    expect(table.get('default_bios_interface')).toBe('redfish');
  }, PER_TEST_MS);

  it('lists conductors', async () => {
    const rows = tableRows(await ok(['conductor', 'list']));
    expect(rows[0]).toEqual(['Hostname', 'Conductor Group', 'Alive']);
    expect(rows.slice(1)).toContainEqual([anvil.conductorHostname, '', 'True']);
  }, PER_TEST_MS);

  it('creates a port with `port create <mac> --node <uuid>` as documented', async () => {
    const table = fieldTable(await ok(['port', 'create', MAC, '--node', seedUuid]));
    expect(table.get('address')).toBe(MAC);
    expect(table.get('node_uuid')).toBe(seedUuid);
    expect(table.get('uuid')).toMatch(UUID_RE);
    expect(table.get('pxe_enabled')).toBe('True');
    const rows = tableRows(await ok(['port', 'list']));
    expect(rows[0]).toEqual(['UUID', 'Address']);
    expect(rows.slice(1)).toContainEqual([table.get('uuid'), MAC]);
  }, PER_TEST_MS);

  it('refuses a duplicate MAC with a non-zero exit and "already exists"', async () => {
    // One quick retry instead of the client's default five at 2 s: a 409 is retried, then reported.
    const r = await bm(['--max-retries', '1', '--retry-interval', '0', 'port', 'create', MAC, '--node', secretUuid]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`A port with MAC address ${MAC} already exists. (HTTP 409)`);
  }, PER_TEST_MS);

  it('deletes a node, after which show fails with "could not be found"', async () => {
    const del = await bm(['node', 'delete', seedUuid]);
    expect(del.code, del.stderr).toBe(0);
    expect(del.stdout.trim()).toBe(`Deleted node ${seedUuid}`);
    const show = await bm(['node', 'show', seedUuid]);
    expect(show.code).not.toBe(0);
    expect(show.stderr).toContain(`Node ${seedUuid} could not be found. (HTTP 404)`);
    const left = JSON.parse(await ok(['node', 'list', '-f', 'json']));
    expect(left.map((r: any) => r.UUID)).toEqual([secretUuid]);
  }, PER_TEST_MS);

  it('never printed or logged a password', () => {
    const log = anvil.logLines();
    expect(log.length, 'the server wrote no log at all; nothing was checked').toBeGreaterThan(0);
    expect(anvil.running(), `server died:\n${log.slice(-20).join('\n')}`).toBe(true);
    for (const line of log) {
      expect(line).not.toContain(SECRET);
      expect(line).not.toMatch(/"pass"|=pass\b|: ?pass\b|'pass'/);
    }
    for (const text of outputs) {
      expect(text).not.toContain(SECRET);
      expect(text).not.toMatch(/'pass'|"pass"/);
    }
  });
});
