// The built `baremetal` CLI (bin/baremetal.js) as a real process against a real Anvil process: a
// fake-hardware node walked through its life cycle with the provision, power and maintenance commands,
// exit statuses and output as a shell script would see them. Needs `npm run build`.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAnvilProcess, type AnvilProcess } from '../support/anvil-process.js';

const BIN = new URL('../../bin/baremetal.js', import.meta.url).pathname;
const DIST = new URL('../../dist/cli/baremetal.js', import.meta.url).pathname;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** The developer's OS_* settings must not redirect the CLI away from the server under test. */
function cliEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('OS_') && !k.startsWith('ANVIL_')) env[k] = v;
  // Short polls keep the test quick; a short retry delay still outlasts a node lock held between steps.
  return { ...env, ANVIL_CLI_POLL_INTERVAL_MS: '100', ANVIL_CLI_RETRY_DELAY_MS: '200' };
}

describe('baremetal node provisioning against a real Anvil', { timeout: 60_000 }, () => {
  let anvil: AnvilProcess;

  function baremetal(...args: string[]): Promise<Run> {
    return new Promise((resolve) => {
      execFile(process.execPath, [BIN, '--os-endpoint', anvil.url, '--os-auth-type', 'none', ...args], { env: cliEnv() },
        (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }));
    });
  }

  /** Runs a command that must succeed, showing its stderr (and the server's log tail) when it does not. */
  async function ok(...args: string[]): Promise<Run> {
    const run = await baremetal(...args);
    if (run.code !== 0) {
      throw new Error(`baremetal ${args.join(' ')} exited ${run.code}\nstderr:\n${run.stderr}\nanvil log tail:\n` +
        anvil.logLines().slice(-15).join('\n'));
    }
    return run;
  }

  async function field(node: string, name: string): Promise<string> {
    return (await ok('node', 'show', node, '-f', 'value', '-c', name)).stdout.trim();
  }

  beforeAll(async () => {
    if (!existsSync(DIST)) throw new Error(`${DIST} is missing: run \`npm run build\` first`);
    anvil = await startAnvilProcess('sqlite', { args: ['--power-state-sync-interval', '0'] });
  });

  afterAll(async () => {
    await anvil?.stop();
  });

  it('manage, provide, deploy, power off and undeploy a fake-hardware node, each exiting 0', async () => {
    const uuid = (await ok('node', 'create', '--driver', 'fake-hardware', '--name', 'life', '-f', 'value', '-c', 'uuid')).stdout.trim();
    expect(uuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(await field('life', 'provision_state')).toBe('enroll');

    const steps: Array<[string, string]> = [['manage', 'manageable'], ['provide', 'available'], ['deploy', 'active']];
    for (const [verb, state] of steps) {
      const run = await ok('node', verb, 'life', '--wait', '60');
      // Progress goes to stderr; stdout stays empty for scripts.
      expect(run.stdout).toBe('');
      expect(run.stderr.split('\n')[0]).toBe(`Waiting for provision state ${state} on node life`);
      expect(run.stderr).toContain(`Node life provision state: ${state}\n`);
      expect(await field('life', 'provision_state')).toBe(state);
    }

    expect(await ok('node', 'power', 'off', 'life')).toMatchObject({ stdout: '', stderr: '' });
    await ok('node', 'undeploy', 'life', '--wait', '60');
    expect(await field('life', 'provision_state')).toBe('available');
    expect(await field('life', 'target_provision_state')).toBe('None');
  });

  it('refuses to deploy a node in enroll with the server message and a non-zero exit', async () => {
    const uuid = (await ok('node', 'create', '--driver', 'fake-hardware', '--name', 'fresh', '-f', 'value', '-c', 'uuid')).stdout.trim();
    const run = await baremetal('node', 'deploy', 'fresh', '--wait', '10');
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      `The requested action "active" can not be performed on node "${uuid}" while it is in state "enroll". (HTTP 400)\n`,
    );
    expect(await field('fresh', 'provision_state')).toBe('enroll');
  });

  it('reports intermediate states while waiting, and gives up at the timeout with exit 1', async () => {
    // The fake power interface's delay knob keeps the node in `verifying` long enough to observe.
    await ok('node', 'create', '--driver', 'fake-hardware', '--name', 'slow', '--driver-info', 'fake_power_delay_ms=2500');
    const late = await baremetal('node', 'manage', 'slow', '--wait', '1');
    expect(late.code).toBe(1);
    expect(late.stdout).toBe('');
    expect(late.stderr).toBe([
      'Waiting for provision state manageable on node slow',
      'Node slow provision state: verifying (target: manageable)',
      'Node slow failed to reach state manageable in 1 seconds',
      '',
    ].join('\n'));
    // Timing out only stops the watching: the transition itself still completes.
    let state = await field('slow', 'provision_state');
    for (let i = 0; i < 20 && state !== 'manageable'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      state = await field('slow', 'provision_state');
    }
    expect(state).toBe('manageable');
  });

  it('waits for a power change with the --wait extension', async () => {
    await ok('node', 'create', '--driver', 'fake-hardware', '--name', 'pw');
    await ok('node', 'power', 'on', 'pw', '--wait', '30');
    expect(await field('pw', 'power_state')).toBe('power on');
    const run = await ok('node', 'reboot', 'pw', '--soft', '--wait', '30');
    expect(run.stderr.split('\n')[0]).toBe('Waiting for node pw to reach power state power on');
    await ok('node', 'power', 'off', 'pw', '--wait', '30');
    expect(await field('pw', 'power_state')).toBe('power off');
  });

  it('shows maintenance set with a reason in node show, and clears it again', async () => {
    await ok('node', 'create', '--driver', 'fake-hardware', '--name', 'maint');
    expect(await ok('node', 'maintenance', 'set', 'maint', '--reason', 'x')).toMatchObject({ stdout: '', stderr: '' });
    const shown = JSON.parse((await ok('node', 'show', 'maint', '-f', 'json')).stdout) as Record<string, unknown>;
    expect(shown).toMatchObject({ maintenance: true, maintenance_reason: 'x' });
    await ok('node', 'maintenance', 'unset', 'maint');
    expect(await field('maint', 'maintenance')).toBe('False');
    expect(await field('maint', 'maintenance_reason')).toBe('None');
  });

  it('sets and shows the boot device and manages traits', async () => {
    await ok('node', 'create', '--driver', 'fake-hardware', '--name', 'mgmt');
    await ok('node', 'boot', 'device', 'set', 'mgmt', 'pxe', '--persistent');
    const dev = JSON.parse((await ok('node', 'boot', 'device', 'show', 'mgmt', '-f', 'json')).stdout) as unknown;
    expect(dev).toEqual({ boot_device: 'pxe', persistent: true });
    expect((await ok('node', 'add', 'trait', 'mgmt', 'CUSTOM_A', 'CUSTOM_B')).stdout).toBe('Added trait CUSTOM_A\nAdded trait CUSTOM_B\n');
    expect((await ok('node', 'trait', 'list', 'mgmt', '-f', 'value')).stdout).toBe('CUSTOM_A\nCUSTOM_B\n');
    await ok('node', 'remove', 'trait', 'mgmt', '--all');
    expect((await ok('node', 'trait', 'list', 'mgmt', '-f', 'value')).stdout).toBe('');
  });
});
