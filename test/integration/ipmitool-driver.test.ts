// IpmitoolPower / IpmitoolManagement against real ipmi_sim BMCs, checked from the hardware side: the
// machine process and events.log for power, the BMC's received requests (wire.log) for boot flags, and
// /proc for what other users could see of our credentials while ipmitool runs.
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PowerError } from '../../src/common/errors.js';
import { setLogSink } from '../../src/common/log.js';
import { testNode } from '../../src/drivers/contract/test-node.js';
import { IpmitoolManagement, IpmitoolPower } from '../../src/drivers/ipmitool/ipmitool-interfaces.js';
import { freeUdpPorts, startBmcs, type SimBmc, type SimFleet } from '../support/ipmi-sim.js';

const logLines: string[] = [];
setLogSink((line) => logLines.push(line));

let fleet: SimFleet;
beforeAll(async () => {
  fleet = await startBmcs({ count: 3, wire: true, password: 'sim-secret-31' });
});
afterAll(async () => {
  await fleet?.stop();
});
const bmc = (i: number): SimBmc => fleet.bmcs[i]!;
const node = (b: SimBmc, extra: Record<string, unknown> = {}, bootMode?: 'uefi' | 'bios') =>
  testNode({ driver: 'ipmi', driverInfo: b.driverInfo(extra), properties: bootMode ? { capabilities: `boot_mode:${bootMode}` } : {} });
const failureOf = (p: Promise<unknown>) => p.then(() => { throw new Error('expected a failure'); }, (e: unknown) => e as Error);

/** Every process command line on the machine, as any local user could read it. */
function allCmdlines(): string[] {
  const out: string[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      out.push(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' '));
    } catch {
      // the process ended meanwhile
    }
  }
  return out;
}

describe('power, seen on the simulated machine', () => {
  it('boots what was set, restarts on reboot, stops on power off', async () => {
    const b = bmc(0);
    const n = node(b);
    await IpmitoolPower.setPowerState({ node: n }, 'power off');
    await IpmitoolManagement.setBootDevice({ node: n }, 'pxe');
    await IpmitoolPower.setPowerState({ node: n }, 'power on');
    const first = b.machinePid();
    expect(first).not.toBeNull();
    expect(readFileSync(`${b.dir}/machine.log`, 'utf8')).toMatch(/bootdev=pxe/);

    await IpmitoolPower.setPowerState({ node: n }, 'rebooting');
    const second = b.machinePid();
    expect(second).not.toBeNull();
    expect(second).not.toBe(first);
    const events = b.events();
    const offAt = events.indexOf(`power off pid=${first}`);
    expect(offAt).toBeGreaterThanOrEqual(0);
    expect(events.slice(offAt + 1).some((e) => e.startsWith(`power on pid=${second} `))).toBe(true);

    await IpmitoolPower.setPowerState({ node: n }, 'power off');
    expect(b.powerIsOn()).toBe(false);
    expect(b.events().at(-1)).toBe(`power off pid=${second}`);
    expect(await IpmitoolPower.getPowerState({ node: n })).toBe('power off');
  });

  it('reads a machine that died by itself as powered off', async () => {
    const n = node(bmc(0));
    await IpmitoolPower.setPowerState({ node: n }, 'power on');
    process.kill(-bmc(0).machinePid()!, 'SIGKILL');
    expect(await IpmitoolPower.getPowerState({ node: n })).toBe('power off');
  });

  it('serves concurrent callers of one BMC one after another without failures', async () => {
    const n = node(bmc(0));
    const states = await Promise.all(Array.from({ length: 6 }, () => IpmitoolPower.getPowerState({ node: n })));
    expect(new Set(states).size).toBe(1);
  });
});

describe('boot device', () => {
  // data1 = 0x80 valid | 0x40 persistent | 0x20 EFI; data2 = device selector (Ironic's bytes)
  it.each([
    ['pxe', false, 'bios', 0x80, 0x04],
    ['disk', true, 'bios', 0xc0, 0x08],
    ['cdrom', false, 'uefi', 0xa0, 0x14],
    ['bios', true, 'uefi', 0xe0, 0x18],
    ['pxe', true, undefined, 0xe0, 0x04], // no boot mode given: UEFI, Ironic's default
  ] as const)('%s persistent=%s boot mode %s reaches the BMC as flags %i, device %i', async (device, persistent, mode, data1, data2) => {
    const b = bmc(1);
    const n = node(b, { ipmi_cipher_suite: 2 }, mode);
    const before = b.requests().length;
    await IpmitoolManagement.setBootDevice({ node: n }, device, { persistent });
    const sent = b.requests().slice(before).filter((r) => r.netFn === 0 && r.cmd === 0x08).map((r) => r.data.slice(0, 3));
    // first the boot-flag timeout is disabled (parameter 3 = 0x08), then the flags themselves
    expect(sent).toEqual([[0x03, 0x08], [0x05, data1, data2]]);
    expect(b.bootDevice()).toBe(device);
    expect(await IpmitoolManagement.getBootDevice({ node: n })).toEqual({ bootDevice: device, persistent: false }); // sim forgets the bit
  });

  it('skips the boot-timeout command when ipmi_disable_boot_timeout is false', async () => {
    const b = bmc(1);
    const before = b.requests().length;
    await IpmitoolManagement.setBootDevice({ node: node(b, { ipmi_cipher_suite: 2, ipmi_disable_boot_timeout: 'false' }) }, 'disk');
    const sent = b.requests().slice(before).filter((r) => r.netFn === 0 && r.cmd === 0x08).map((r) => r.data[0]);
    expect(sent).toEqual([0x05]);
  });

  it('works over IPMI 1.5 (ipmitool -I lan) as well', async () => {
    const b = bmc(1);
    const n = node(b, { ipmi_protocol_version: '1.5' }, 'uefi');
    await IpmitoolManagement.setBootDevice({ node: n }, 'cdrom', { persistent: true });
    expect(b.bootFlagsReceived().at(-1)).toEqual([0xe0, 0x14]);
    expect((await IpmitoolManagement.getBootDevice({ node: n })).bootDevice).toBe('cdrom');
    expect(['power on', 'power off']).toContain(await IpmitoolPower.getPowerState({ node: n }));
  });
});

describe('failures', () => {
  it('a wrong password fails at once with a clear PowerError naming no secret', async () => {
    const wrong = 'wrong-secret-58';
    const started = Date.now();
    const err = await failureOf(IpmitoolPower.getPowerState({ node: node(bmc(2), { ipmi_password: wrong }) }));
    const elapsed = Date.now() - started;
    expect(err).toBeInstanceOf(PowerError);
    expect(err.message).toMatch(/authentication failed/);
    expect(err.message).toContain(`127.0.0.1:${bmc(2).port}`);
    expect(err.message).not.toContain(wrong);
    expect(elapsed).toBeLessThan(3000);
    console.log(`wrong password rejected in ${elapsed} ms`);
  });

  it('a cipher suite the BMC lacks (17 on ipmi_sim 2.0.33) fails at once and says so', async () => {
    const started = Date.now();
    const err = await failureOf(IpmitoolPower.getPowerState({ node: node(bmc(2), { ipmi_cipher_suite: 17 }) }));
    expect(err).toBeInstanceOf(PowerError);
    expect(err.message).toMatch(/refused the cipher suite/);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('an unreachable BMC fails within the retry budget', async () => {
    const [silent] = await freeUdpPorts(1);
    const n = testNode({ driverInfo: { ipmi_address: '127.0.0.1', ipmi_port: silent, ipmi_password: 'x-secret-1', ipmi_cipher_suite: 3, ipmi_command_retry_timeout: 3 } });
    const started = Date.now();
    const err = await failureOf(IpmitoolPower.setPowerState({ node: n }, 'power on'));
    const elapsed = Date.now() - started;
    expect(err).toBeInstanceOf(PowerError);
    expect(err.message).toMatch(/did not answer/);
    expect(elapsed).toBeLessThan(3000 + 2500);
    console.log(`unreachable BMC given up after ${elapsed} ms`);
  });

  it('never shows the password or Kg key in any command line while ipmitool runs', async () => {
    const [silent] = await freeUdpPorts(1);
    const password = 'ps-visible-secret-42';
    const kg = '6b67736563726574'; // "kgsecret"
    const n = testNode({ driverInfo: {
      ipmi_address: '127.0.0.1', ipmi_port: silent, ipmi_username: 'admin', ipmi_password: password, ipmi_hex_kg_key: kg,
      ipmi_cipher_suite: 3, ipmi_command_retry_timeout: 3,
    } });
    const call = IpmitoolPower.getPowerState({ node: n }).catch(() => undefined);
    let seenIpmitool = 0;
    const leaks: string[] = [];
    for (let t = Date.now(); Date.now() - t < 2500;) {
      for (const cmd of allCmdlines()) {
        if (cmd.includes('ipmitool') && cmd.includes(String(silent))) seenIpmitool++;
        if (cmd.includes(password) || cmd.includes(kg) || cmd.includes('kgsecret')) leaks.push(cmd);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    await call;
    expect(seenIpmitool).toBeGreaterThan(0);
    expect(leaks).toEqual([]);
  });

  it('kept every secret out of the log', () => {
    const all = logLines.join('\n');
    expect(logLines.length).toBeGreaterThan(0);
    for (const secret of ['sim-secret-31', 'wrong-secret-58', 'ps-visible-secret-42', 'x-secret-1', '6b67736563726574']) expect(all).not.toContain(secret);
  });
});

describe('timings against ipmi_sim', () => {
  it('measures one ipmitool call per request', async () => {
    const n = node(bmc(2));
    const times: number[] = [];
    for (let i = 0; i < 15; i++) {
      const t = performance.now();
      await IpmitoolPower.getPowerState({ node: n });
      times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)]!;
    let t = performance.now();
    await IpmitoolPower.setPowerState({ node: n }, 'power on');
    const on = performance.now() - t;
    t = performance.now();
    await IpmitoolPower.setPowerState({ node: n }, 'rebooting');
    const reboot = performance.now() - t;
    t = performance.now();
    await IpmitoolManagement.setBootDevice({ node: n }, 'pxe');
    const bootdev = performance.now() - t;
    t = performance.now();
    await Promise.all(fleet.bmcs.map((b) => IpmitoolPower.getPowerState({ node: node(b) })));
    const parallel = performance.now() - t;
    console.log(`power status: median ${median.toFixed(0)} ms (min ${times[0]!.toFixed(0)}, max ${times.at(-1)!.toFixed(0)}); `
      + `power on ${on.toFixed(0)} ms; reboot ${reboot.toFixed(0)} ms; set boot device ${bootdev.toFixed(0)} ms; `
      + `status of ${fleet.bmcs.length} BMCs in parallel ${parallel.toFixed(0)} ms`);
    expect(median).toBeLessThan(1000);
  });
});
