// The simulator helper itself: tool checks, wire decoding, clean start/stop, refusing a taken port.
import { execFile } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeWireLog, requireIpmiTools, startBmcs } from '../support/ipmi-sim.js';

const START = fileURLToPath(new URL('../../scripts/ipmi-sim/start-bmcs.sh', import.meta.url));

function alive(pid: number): boolean {
  try {
    return !/^\S+ \(.*\) [ZX] /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

describe('ipmi-sim helper', () => {
  it('names the packages to install when the tools are missing', () => {
    expect(() => requireIpmiTools('/nonexistent')).toThrow(/ipmi_sim, ipmitool, setsid \(Debian packages openipmi, ipmitool, util-linux\).*install-deps\.sh --test/);
    expect(() => requireIpmiTools()).not.toThrow();
  });

  it('decodes requests from the debug log of RMCP+ (suite 2) and IPMI 1.5 sessions, not encrypted ones', () => {
    const log = [
      ' Receive message: 1795613521.771847',
      '\r 06 00 ff 07 06 40 02 00 00 00 08 00 00 00 0d 00 20 00 e0 81 18 08 05 e0 04 00 00 00 76 ff 01 07 c9 db 90 0b',
      ' Receive message: 1795613521.771900',
      ' 06 00 ff 07 06 c0 02 00 00 00 09 00 00 00 20 00 b6 22 c8 01 17 9d 4d 83 bd 37 22 e9 ea 33 86 63',
      ' Receive message: 1795614005.489289',
      ' 06 00 ff 07 00 00 00 00 00 00 00 00 00 09 20 18 c8 81 00 38 8e 04 b5',
    ].join('\n');
    expect(decodeWireLog(log)).toEqual([
      { netFn: 0x00, cmd: 0x08, data: [0x05, 0xe0, 0x04, 0x00, 0x00, 0x00] },
      { netFn: 0x06, cmd: 0x38, data: [0x8e, 0x04] },
    ]);
  });

  it('starts answering BMCs and stops every process it started', async () => {
    const fleet = await startBmcs({ count: 2 });
    const pids = fleet.bmcs.map((b) => Number(readFileSync(join(b.dir, 'ipmi_sim.pid'), 'utf8')));
    expect(new Set(fleet.bmcs.map((b) => b.port)).size).toBe(2);
    expect(pids.every(alive)).toBe(true);
    expect(fleet.bmcs[0]!.powerIsOn()).toBe(false);
    await fleet.stop();
    expect(pids.some(alive)).toBe(false);
    await fleet.stop(); // twice is harmless
  });

  it('restarts one BMC on its port while its machine keeps running (the machine holds none of its descriptors)', async () => {
    const fleet = await startBmcs({ count: 2 });
    try {
      const [b, other] = [fleet.bmcs[0]!, fleet.bmcs[1]!];
      const status = () => new Promise<string>((ok) => execFile('ipmitool',
        ['-I', 'lanplus', '-C', '3', '-R', '1', '-N', '1', '-H', b.address, '-p', String(b.port), '-U', b.user, '-E', 'power', 'on'],
        { env: { ...process.env, IPMI_PASSWORD: b.password } }, (err, out) => ok(err ? 'failed' : out.trim())));
      expect(await status()).toBe('Chassis Power Control: Up/On');
      const machine = b.machinePid()!;
      const sim = Number(readFileSync(join(b.dir, 'ipmi_sim.pid'), 'utf8'));
      await b.stop();
      expect(alive(sim)).toBe(false);
      expect(b.machinePid()).toBe(machine);
      expect(other.powerIsOn()).toBe(false);
      expect(await status()).toBe('failed');
      await b.start();
      expect(await status()).toBe('Chassis Power Control: Up/On');
      expect(b.machinePid()).toBe(machine); // power on of a running machine is a no-op: it was seen as on
      expect(b.powerOnCount()).toBe(1);
    } finally {
      await fleet.stop();
    }
  });

  it('refuses a UDP port someone else holds (ipmi_sim would share it silently)', async () => {
    const sock = createSocket('udp4');
    await new Promise<void>((ok) => sock.bind(0, '127.0.0.1', () => ok()));
    const dir = mkdtempSync(join(tmpdir(), 'anvil-bmc-taken-'));
    try {
      const res = await new Promise<{ code: number; stderr: string }>((ok) => {
        execFile('bash', [START, dir, String(sock.address().port)], (err, _out, stderr) =>
          ok({ code: err ? Number(err.code) : 0, stderr }));
      });
      expect(res.code).toBe(1);
      expect(res.stderr).toMatch(/is in use/);
    } finally {
      sock.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
