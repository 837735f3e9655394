// The ipmi hardware type end to end, per store: the `baremetal` CLI (a real process) -> Anvil (a real
// process) -> conductor -> ipmitool -> ipmi_sim BMCs, checked on the simulated machine itself; then what a
// wrong password and a BMC that never answers leave on the node, on the CLI and in the server log.
// Needs `npm run build` (the test script runs it) and ipmi_sim/ipmitool (scripts/install-deps.sh --test).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAnvilProcess, type AnvilProcess } from '../support/anvil-process.js';
import { DIALECTS } from '../support/databases.js';
import { freeUdpPorts, startBmcs, type SimBmc, type SimFleet } from '../support/ipmi-sim.js';

const BIN = new URL('../../bin/baremetal.js', import.meta.url).pathname;
const DIST = new URL('../../dist/cli/baremetal.js', import.meta.url).pathname;
const RIGHT = 'right-pass-4711';
const WRONG = 'wrong-pass-0815';
const SILENT = 'silent-pass-2342';

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/** The developer's OS_* / ANVIL_* settings must not redirect the CLI away from the server under test. */
function cliEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('OS_') && !k.startsWith('ANVIL_')) env[k] = v;
  return { ...env, ANVIL_CLI_POLL_INTERVAL_MS: '100', ANVIL_CLI_RETRY_DELAY_MS: '200' };
}

function run(file: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<Run> {
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(file, args, { env }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr, ms: Date.now() - started }));
  });
}

/** Changes the machine's power behind Anvil's back, as an operator with ipmitool would. */
async function ipmitoolPower(b: SimBmc, action: 'on' | 'off'): Promise<void> {
  const r = await run('ipmitool', ['-I', 'lanplus', '-C', '3', '-H', b.address, '-p', String(b.port), '-U', b.user, '-E', 'power', action],
    { ...process.env, IPMI_PASSWORD: b.password });
  if (r.code !== 0) throw new Error(`ipmitool power ${action} exited ${r.code}: ${r.stderr}`);
}

/** `--driver-info k=v` for every entry. */
const driverInfoArgs = (info: Record<string, unknown>): string[] => Object.entries(info).flatMap(([k, v]) => ['--driver-info', `${k}=${String(v)}`]);

describe.each(DIALECTS)('ipmi nodes through the CLI and a real Anvil on %s', { timeout: 60_000 }, (dialect) => {
  let fleet: SimFleet;
  let anvil: AnvilProcess;
  const bmc = (i: number): SimBmc => fleet.bmcs[i]!;

  beforeAll(async () => {
    if (!existsSync(DIST)) throw new Error(`${DIST} is missing: run \`npm run build\` first`);
    // No power sync: every BMC read in these tests is one the test asked for.
    [fleet, anvil] = await Promise.all([
      startBmcs({ count: 2, password: RIGHT }),
      startAnvilProcess(dialect, { args: ['--power-state-sync-interval', '0'] }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([fleet?.stop(), anvil?.stop()]);
  });

  const baremetal = (...args: string[]): Promise<Run> =>
    run(process.execPath, [BIN, '--os-endpoint', anvil.url, '--os-auth-type', 'none', ...args], cliEnv());

  /** Runs a command that must succeed, showing its stderr and the server's log tail when it does not. */
  async function ok(...args: string[]): Promise<Run> {
    const r = await baremetal(...args);
    if (r.code !== 0) {
      throw new Error(`baremetal ${args.join(' ')} exited ${r.code}\nstderr:\n${r.stderr}\nanvil log tail:\n${anvil.logLines().slice(-15).join('\n')}`);
    }
    return r;
  }

  async function show(node: string): Promise<Record<string, any>> {
    return JSON.parse((await ok('node', 'show', node, '-f', 'json')).stdout) as Record<string, any>;
  }

  async function enrol(name: string, info: Record<string, unknown>): Promise<void> {
    await ok('node', 'create', '--driver', 'ipmi', '--name', name, ...driverInfoArgs(info), '-f', 'value', '-c', 'uuid');
  }

  it('powers the machine on, off and through a reboot, sets its boot device and verifies it on manage', async () => {
    const b = bmc(0);
    await enrol('ipmi-0', b.driverInfo());
    const fresh = await show('ipmi-0');
    expect(fresh).toMatchObject({ driver: 'ipmi', provision_state: 'enroll', power_state: null });
    expect(fresh.driver_info).toMatchObject({ ipmi_port: b.port, ipmi_password: '******' });
    expect(b.powerIsOn()).toBe(false);

    const on = await ok('node', 'power', 'on', 'ipmi-0', '--wait', '30');
    expect(on.stdout).toBe('');
    expect(b.powerIsOn()).toBe(true);
    expect(await show('ipmi-0')).toMatchObject({ power_state: 'power on', target_power_state: null, last_error: null, reservation: null });

    const first = b.machinePid()!;
    const count = b.powerOnCount();
    const reboot = await ok('node', 'reboot', 'ipmi-0', '--wait', '30');
    const second = b.machinePid();
    expect(second).not.toBeNull();
    expect(second).not.toBe(first);
    expect(b.powerOnCount()).toBe(count + 1);
    const events = b.events();
    const offAt = events.indexOf(`power off pid=${first}`);
    expect(offAt).toBeGreaterThanOrEqual(0);
    expect(events.slice(offAt + 1).some((e) => e.startsWith(`power on pid=${second} `))).toBe(true);
    expect(await show('ipmi-0')).toMatchObject({ power_state: 'power on', target_power_state: null, last_error: null });

    const off = await ok('node', 'power', 'off', 'ipmi-0', '--wait', '30');
    expect(b.powerIsOn()).toBe(false);
    expect(b.events().at(-1)).toBe(`power off pid=${second}`);
    expect(await show('ipmi-0')).toMatchObject({ power_state: 'power off', target_power_state: null });

    expect(b.bootDevice()).not.toBe('pxe');
    await ok('node', 'boot', 'device', 'set', 'ipmi-0', 'pxe', '--persistent');
    expect(b.bootDevice()).toBe('pxe');
    expect(b.events().at(-1)).toBe('boot device pxe');
    // ipmi_sim keeps only the device, never the persistent bit (scripts/ipmi-sim/README.md).
    expect(JSON.parse((await ok('node', 'boot', 'device', 'show', 'ipmi-0', '-f', 'json')).stdout)).toEqual({ boot_device: 'pxe', persistent: false });

    // Verification reads the BMC: the machine is powered on behind Anvil's back first, and manage records it.
    await ipmitoolPower(b, 'on');
    const manage = await ok('node', 'manage', 'ipmi-0', '--wait', '30');
    expect(manage.stderr).toContain('Node ipmi-0 provision state: manageable');
    expect(await show('ipmi-0')).toMatchObject({ provision_state: 'manageable', target_provision_state: null, power_state: 'power on', last_error: null });
    console.log(`[${dialect}] CLI round trips: power on ${on.ms} ms, reboot ${reboot.ms} ms, power off ${off.ms} ms, manage ${manage.ms} ms`);
  });

  it('a wrong password fails power on and manage with a clear error that names no password', async () => {
    const b = bmc(1);
    await enrol('bad-pass', b.driverInfo({ ipmi_password: WRONG }));
    const powerOns = b.powerOnCount();

    const on = await baremetal('node', 'power', 'on', 'bad-pass', '--wait', '30');
    expect(on.code).toBe(1);
    expect(on.stderr).toMatch(/Node bad-pass failed to reach power state power on\. .*has error: Failed to change power state to 'power on'/);
    const afterPower = await show('bad-pass');
    expect(afterPower).toMatchObject({ power_state: null, target_power_state: null, provision_state: 'enroll', reservation: null });
    expect(afterPower.last_error).toMatch(/^Failed to change power state to 'power on' for node \S+: .*authentication failed/);
    expect(afterPower.last_error).toContain(`127.0.0.1:${b.port}`);
    expect(b.powerOnCount()).toBe(powerOns);

    const manage = await baremetal('node', 'manage', 'bad-pass', '--wait', '30');
    expect(manage.code).toBe(1);
    expect(manage.stderr).toMatch(/Node bad-pass failed to reach state manageable\. It's in unexpected stable state enroll/);
    const afterManage = await show('bad-pass');
    expect(afterManage).toMatchObject({ provision_state: 'enroll', target_provision_state: null, reservation: null });
    expect(afterManage.last_error).toMatch(/^Verification failed for node \S+: .*authentication failed/);

    const everything = [on.stdout, on.stderr, manage.stdout, manage.stderr, JSON.stringify(afterPower), JSON.stringify(afterManage)].join('\n');
    const serverLog = anvil.logLines().join('\n');
    expect(serverLog).toMatch(/authentication failed/); // the failure was logged, so the secret checks below mean something
    for (const secret of [WRONG, RIGHT]) {
      expect(everything).not.toContain(secret);
      expect(serverLog).not.toContain(secret);
    }
  });

  it('a BMC that never answers fails the power action within the retry budget', async () => {
    const [port] = await freeUdpPorts(1);
    await enrol('silent', {
      ipmi_address: '127.0.0.1', ipmi_port: port, ipmi_username: 'admin', ipmi_password: SILENT, ipmi_cipher_suite: 3, ipmi_command_retry_timeout: 3,
    });
    const on = await baremetal('node', 'power', 'on', 'silent', '--wait', '15');
    expect(on.code).toBe(1);
    expect(on.stderr).toMatch(/has error: Failed to change power state to 'power on'/); // not the CLI's own time-out
    expect(on.ms).toBeLessThan(15_000);
    const node = await show('silent');
    expect(node).toMatchObject({ power_state: null, target_power_state: null, reservation: null });
    expect(node.last_error).toMatch(new RegExp(`BMC 127\\.0\\.0\\.1:${port} .*did not answer`));
    expect(`${JSON.stringify(node)}\n${on.stderr}\n${anvil.logLines().join('\n')}`).not.toContain(SILENT);
    console.log(`[${dialect}] unreachable BMC: power on --wait gave up after ${on.ms} ms`);
  });
});
