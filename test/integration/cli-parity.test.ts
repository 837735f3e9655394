// `baremetal allocation …`, `baremetal deploy template …` and `baremetal volume connector|target …`: Anvil's client and Debian's unmodified
// python-ironicclient against the same Anvil process print the same tables, JSON, messages and exit statuses
// (the store does not matter here: one dialect).
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { startAnvilProcess, type AnvilProcess } from '../support/anvil-process.js';

const BAREMETAL = '/usr/bin/baremetal';
const OURS = new URL('../../bin/baremetal.js', import.meta.url).pathname;

interface Run { code: number; stdout: string; stderr: string }

describe.each(DIALECTS.slice(0, 1))('allocation, deploy template and volume commands: ours and the stock client (%s)', (dialect) => {
  let anvil: AnvilProcess;
  let home: string;
  const nodeUuids: string[] = [];

  function run(file: string, args: readonly string[]): Promise<Run> {
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!/^(OS_|XDG_|ANVIL_)/.test(k)) env[k] = v;
    Object.assign(env, { HOME: home, XDG_CACHE_HOME: join(home, '.cache'), LC_ALL: 'C.UTF-8', ANVIL_CLI_POLL_INTERVAL_MS: '200' });
    const argv = [...(file === BAREMETAL ? [] : [OURS]), '--os-endpoint', anvil.url, '--os-auth-type', 'none', ...args];
    return new Promise((resolve) => execFile(file === BAREMETAL ? BAREMETAL : process.execPath, argv, { env, timeout: 60_000 },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr })));
  }
  const debian = (...args: string[]) => run(BAREMETAL, args);
  const ours = (...args: string[]) => run(OURS, args);
  /** Both clients, same command: same exit status and output. */
  async function same(...args: string[]): Promise<Run> {
    const [d, o] = await Promise.all([debian(...args), ours(...args)]);
    expect(o.code, `${args.join(' ')}: exit status`).toBe(d.code);
    expect(o.stdout, `${args.join(' ')}: stdout`).toBe(d.stdout);
    return d;
  }

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'compat-alloc-home-'));
    anvil = await startAnvilProcess(dialect);
    const api = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${anvil.url}${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body),
        headers: { 'X-OpenStack-Ironic-API-Version': 'latest', 'Content-Type': 'application/json' } });
      return res.status === 202 || res.status === 204 ? null : await res.json() as Record<string, unknown>;
    };
    // Two available nodes of one resource class for the allocations to take.
    for (const name of ['alloc-n1', 'alloc-n2']) {
      const n = await api('POST', '/v1/nodes', { driver: 'fake-hardware', name, resource_class: 'rc-a', automated_clean: false });
      nodeUuids.push(String(n!.uuid));
      await api('PUT', `/v1/nodes/${String(n!.uuid)}/traits`, { traits: ['CUSTOM_X'] });
      for (const target of ['manage', 'provide']) {
        await api('PUT', `/v1/nodes/${String(n!.uuid)}/states/provision`, { target });
        for (let i = 0; i < 100 && (await api('GET', `/v1/nodes/${String(n!.uuid)}`))!.target_provision_state !== null; i++) {
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    }
  }, 60_000);
  afterAll(async () => {
    await anvil?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('create, show, list, set, unset and delete print what the stock client prints', async () => {
    const created = await ours('allocation', 'create', '--resource-class', 'rc-a', '--name', 'a1', '--trait', 'CUSTOM_X', '--extra', 'k=v', '--wait', '-f', 'json');
    expect(created.code, created.stderr).toBe(0);
    const mine = JSON.parse(created.stdout) as Record<string, unknown>;
    expect(mine).toMatchObject({ name: 'a1', state: 'active', resource_class: 'rc-a', traits: ['CUSTOM_X'], extra: { k: 'v' } });
    const theirs = await debian('allocation', 'create', '--resource-class', 'rc-a', '--name', 'a2', '--wait', '-f', 'json');
    expect(theirs.code, theirs.stderr).toBe(0);
    expect(Object.keys(mine)).toEqual(Object.keys(JSON.parse(theirs.stdout) as object));

    await same('allocation', 'show', 'a1');
    await same('allocation', 'show', 'a2', '-f', 'json');
    await same('allocation', 'show', 'a1', '--fields', 'uuid', 'state');
    await same('allocation', 'list');
    await same('allocation', 'list', '--long', '-f', 'json');
    await same('allocation', 'list', '--state', 'active', '--fields', 'name', 'node_uuid', '-f', 'value');

    expect((await ours('allocation', 'set', 'a2', '--name', 'a2b', '--extra', 'x=1')).code).toBe(0);
    expect((await debian('allocation', 'unset', 'a1', '--extra', 'k')).code).toBe(0);
    const a2b = JSON.parse((await same('allocation', 'show', 'a2b', '-f', 'json')).stdout) as Record<string, unknown>;
    expect(a2b.extra).toEqual({ x: 1 });
    expect((await ours('allocation', 'unset', 'a2b', '--name')).code).toBe(0);
    expect(JSON.parse((await debian('allocation', 'show', String(a2b.uuid), '-f', 'json')).stdout).name).toBeNull();

    const noClass = await same('allocation', 'create', '--name', 'a3');
    expect(noClass.code).not.toBe(0);
    const [dMissing, oMissing] = await Promise.all([debian('allocation', 'delete', 'nope'), ours('allocation', 'delete', 'nope')]);
    expect(oMissing.code).toBe(dMissing.code);
    expect(oMissing.stderr.trim()).toBe(dMissing.stderr.trim().split('\n').pop());
    expect((await ours('allocation', 'delete', 'a1')).stdout).toBe('Deleted allocation a1\n');
    expect((await debian('allocation', 'delete', String(a2b.uuid))).stdout).toBe(`Deleted allocation ${String(a2b.uuid)}\n`);
    await same('allocation', 'list');
  }, 180_000);

  it('deploy template create, show, list, set, unset and delete print what the stock client prints', async () => {
    const steps = JSON.stringify([{ interface: 'bios', step: 'apply_configuration', args: { settings: [{ name: 'LogicalProc', value: 'Enabled' }] }, priority: 150 }]);
    const created = await ours('deploy', 'template', 'create', 'CUSTOM_HYPERTHREADING_ON', '--steps', steps, '--extra', 'k=v', '-f', 'json');
    expect(created.code, created.stderr).toBe(0);
    const theirs = await debian('deploy', 'template', 'create', 'CUSTOM_OTHER', '--steps', steps, '-f', 'json');
    expect(theirs.code, theirs.stderr).toBe(0);
    const mine = JSON.parse(created.stdout) as Record<string, unknown>;
    expect(Object.keys(mine)).toEqual(Object.keys(JSON.parse(theirs.stdout) as object));
    expect(mine).toMatchObject({ name: 'CUSTOM_HYPERTHREADING_ON', extra: { k: 'v' }, steps: JSON.parse(steps) });

    await same('deploy', 'template', 'show', 'CUSTOM_HYPERTHREADING_ON');
    await same('deploy', 'template', 'show', 'CUSTOM_OTHER', '-f', 'json', '--fields', 'name', 'steps');
    await same('deploy', 'template', 'list');
    await same('deploy', 'template', 'list', '--long', '-f', 'json');
    await same('deploy', 'template', 'list', '--long');

    const newSteps = JSON.stringify([{ interface: 'raid', step: 'delete_configuration', args: {}, priority: 10 }]);
    expect((await ours('deploy', 'template', 'set', 'CUSTOM_OTHER', '--name', 'CUSTOM_OTHER2', '--steps', newSteps, '--extra', 'x=1')).code).toBe(0);
    expect((await ours('deploy', 'template', 'unset', 'CUSTOM_HYPERTHREADING_ON', '--extra', 'k')).code).toBe(0);
    const other = JSON.parse((await same('deploy', 'template', 'show', 'CUSTOM_OTHER2', '-f', 'json')).stdout) as Record<string, unknown>;
    expect(other).toMatchObject({ steps: JSON.parse(newSteps), extra: { x: 1 } });
    await same('deploy', 'template', 'show', 'CUSTOM_HYPERTHREADING_ON', '-f', 'json');

    await same('deploy', 'template', 'create', 'lowercase-bad', '--steps', steps);
    const [dMissing, oMissing] = await Promise.all([debian('deploy', 'template', 'delete', 'CUSTOM_NOPE'), ours('deploy', 'template', 'delete', 'CUSTOM_NOPE')]);
    expect(oMissing.code).toBe(dMissing.code);
    expect(oMissing.stderr.trim()).toBe(dMissing.stderr.trim().split('\n').pop());
    expect((await ours('deploy', 'template', 'delete', 'CUSTOM_OTHER2')).stdout).toBe('Deleted deploy template CUSTOM_OTHER2\n');
    expect((await debian('deploy', 'template', 'delete', 'CUSTOM_HYPERTHREADING_ON')).stdout).toBe('Deleted deploy template CUSTOM_HYPERTHREADING_ON\n');
    await same('deploy', 'template', 'list');
  }, 180_000);

  it('volume connector create, show, list, set, unset and delete print what the stock client prints', async () => {
    const created = await ours('volume', 'connector', 'create', '--node', nodeUuids[0]!, '--type', 'iqn', '--connector-id', 'iqn.2026-12.org.example:n1', '--extra', 'k=v', '-f', 'json');
    expect(created.code, created.stderr).toBe(0);
    const theirs = await debian('volume', 'connector', 'create', '--node', nodeUuids[1]!, '--type', 'ip', '--connector-id', '192.0.2.7', '-f', 'json');
    expect(theirs.code, theirs.stderr).toBe(0);
    const mine = JSON.parse(created.stdout) as Record<string, unknown>;
    const other = JSON.parse(theirs.stdout) as Record<string, unknown>;
    expect(Object.keys(mine)).toEqual(Object.keys(other));
    expect(mine).toMatchObject({ type: 'iqn', connector_id: 'iqn.2026-12.org.example:n1', extra: { k: 'v' } });
    const [a, b] = [String(mine.uuid), String(other.uuid)];

    await same('volume', 'connector', 'show', a);
    await same('volume', 'connector', 'show', b, '-f', 'json', '--fields', 'uuid', 'connector_id');
    await same('volume', 'connector', 'list', '--sort', 'connector_id');
    await same('volume', 'connector', 'list', '--long', '-f', 'json', '--sort', 'type');
    await same('volume', 'connector', 'list', '--node', 'alloc-n1', '--fields', 'uuid', 'type');

    expect((await ours('volume', 'connector', 'set', b, '--connector-id', '192.0.2.8', '--extra', 'x=1')).code).toBe(0);
    expect((await ours('volume', 'connector', 'unset', a, '--extra', 'k')).code).toBe(0);
    expect(JSON.parse((await same('volume', 'connector', 'show', b, '-f', 'json')).stdout)).toMatchObject({ connector_id: '192.0.2.8', extra: { x: 1 } });
    await same('volume', 'connector', 'show', a, '-f', 'json');

    await same('volume', 'connector', 'create', '--node', nodeUuids[0]!, '--type', 'bogus', '--connector-id', 'x');
    const [dMissing, oMissing] = await Promise.all([debian('volume', 'connector', 'delete', 'nope'), ours('volume', 'connector', 'delete', 'nope')]);
    expect(oMissing.code).toBe(dMissing.code);
    expect(oMissing.stderr.trim()).toBe(dMissing.stderr.trim().split('\n').pop());
    expect((await ours('volume', 'connector', 'delete', a)).stdout).toBe(`Deleted volume connector ${a}\n`);
    expect((await debian('volume', 'connector', 'delete', b)).stdout).toBe(`Deleted volume connector ${b}\n`);
    await same('volume', 'connector', 'list');
  }, 180_000);

  it('volume target create, show, list, set, unset and delete print what the stock client prints', async () => {
    const created = await ours('volume', 'target', 'create', '--node', nodeUuids[0]!, '--type', 'iscsi', '--boot-index', '0', '--volume-id', 'vol-1',
      '--property', 'target_lun=0', '--extra', 'k=v', '-f', 'json');
    expect(created.code, created.stderr).toBe(0);
    const theirs = await debian('volume', 'target', 'create', '--node', nodeUuids[1]!, '--type', 'fibre_channel', '--boot-index', '0', '--volume-id', 'vol-2', '-f', 'json');
    expect(theirs.code, theirs.stderr).toBe(0);
    const mine = JSON.parse(created.stdout) as Record<string, unknown>;
    const other = JSON.parse(theirs.stdout) as Record<string, unknown>;
    expect(Object.keys(mine)).toEqual(Object.keys(other));
    expect(mine).toMatchObject({ volume_type: 'iscsi', boot_index: 0, volume_id: 'vol-1', properties: { target_lun: 0 }, extra: { k: 'v' } });
    const [a, b] = [String(mine.uuid), String(other.uuid)];

    await same('volume', 'target', 'show', a);
    await same('volume', 'target', 'show', b, '-f', 'json', '--fields', 'uuid', 'volume_id');
    await same('volume', 'target', 'list', '--sort', 'volume_id');
    await same('volume', 'target', 'list', '--long', '-f', 'json', '--sort', 'volume_id');
    await same('volume', 'target', 'list', '--node', nodeUuids[0]!, '--fields', 'uuid', 'boot_index');

    expect((await ours('volume', 'target', 'set', b, '--boot-index', '1', '--property', 'p=1', '--extra', 'x=1')).code).toBe(0);
    expect((await ours('volume', 'target', 'unset', a, '--extra', 'k', '--property', 'target_lun')).code).toBe(0);
    expect(JSON.parse((await same('volume', 'target', 'show', b, '-f', 'json')).stdout)).toMatchObject({ boot_index: 1, properties: { p: 1 }, extra: { x: 1 } });
    await same('volume', 'target', 'show', a, '-f', 'json');

    await same('volume', 'target', 'create', '--node', nodeUuids[0]!, '--type', 'iscsi', '--boot-index', 'one', '--volume-id', 'v');
    await same('volume', 'target', 'create', '--node', nodeUuids[0]!, '--type', 'iscsi', '--boot-index', '-1', '--volume-id', 'v');
    const [dMissing, oMissing] = await Promise.all([debian('volume', 'target', 'delete', 'nope'), ours('volume', 'target', 'delete', 'nope')]);
    expect(oMissing.code).toBe(dMissing.code);
    expect(oMissing.stderr.trim()).toBe(dMissing.stderr.trim().split('\n').pop());
    expect((await ours('volume', 'target', 'delete', a)).stdout).toBe(`Deleted volume target ${a}\n`);
    expect((await debian('volume', 'target', 'delete', b)).stdout).toBe(`Deleted volume target ${b}\n`);
    await same('volume', 'target', 'list');
  }, 180_000);
});
