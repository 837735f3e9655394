// The redfish interfaces against the lab's Redfish BMCs, beyond the shared contracts: credentials and
// sessions, certificate verification, slow and dropping BMCs, a system that offers only some ResetTypes,
// boot mode, indicators, BIOS settings, virtual media and out-of-band inspection. Every BMC is a real
// HTTPS service; what the hardware holds is read from the BMC's own files.
import { mkdtempSync, copyFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { InvalidParameterValueError, ManagementError, PowerError } from '../../src/common/errors.js';
import { setLogSink } from '../../src/common/log.js';
import type { NodeRecord } from '../../src/db/records.js';
import { testTask } from '../../src/drivers/contract/test-task.js';
import { RedfishBiosSettings } from '../../src/drivers/redfish/bios.js';
import { closeRedfishConnections } from '../../src/drivers/redfish/redfish-client.js';
import { RedfishError } from '../../src/drivers/redfish/redfish-error.js';
import { RedfishInspect, RedfishManagement, RedfishPower } from '../../src/drivers/redfish/redfish-interfaces.js';
import { configureRedfish, connectionFor, setRedfishTuning } from '../../src/drivers/redfish/redfish-system.js';
import type { RedfishBmc } from '../../src/lab/redfish/server.js';
import { bmcSettings, machineIsOn, powerOnCount, redfishFleet, redfishNode } from '../support/redfish-nodes.js';

const FAST = { requestTimeoutS: 5, attempts: 3, initialBackoffMs: 50, maxBackoffMs: 100 };
const WRONG = 'wrong-pass-913';
const fleet = redfishFleet();
const logLines: string[] = [];
let bmc: RedfishBmc;
let partial: RedfishBmc;

const failure = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => e as Error);

beforeAll(async () => {
  setLogSink((line) => logLines.push(line));
  setRedfishTuning(FAST);
  [bmc, partial] = await Promise.all([
    fleet.start('driver', { mac: '52:54:00:aa:bb:01', diskBytes: 8 * 1024 ** 3, sessionTimeoutS: 1, gracefulShutdownMs: 3000 }),
    fleet.start('partial', { resetTypes: ['On', 'ForceOff'] }),
  ]);
});
afterEach(() => {
  bmc.setFaults({});
  setRedfishTuning(FAST);
});
afterAll(async () => {
  await closeRedfishConnections();
  await fleet.stop();
  setRedfishTuning(undefined);
  setLogSink((line) => process.stderr.write(line + '\n'));
});

describe('credentials and sessions', () => {
  for (const auth of ['session', 'basic', 'auto']) {
    it(`refuses a wrong password with ${auth} auth: a PowerError that says what to check and names no password`, async () => {
      const node = redfishNode(bmc, { redfish_password: WRONG, redfish_auth_type: auth });
      const err = await failure(RedfishPower.getPowerState({ node }));
      expect(err).toBeInstanceOf(PowerError);
      expect(err!.message).toContain(node.uuid);
      expect(err!.message).toMatch(/HTTP 401.*\(check redfish_username and redfish_password\)/);
      for (const secret of [WRONG, bmc.password]) expect(err!.message).not.toContain(secret);
    });
  }

  it('logs in once, reuses the session, and logs in again when the BMC expired it', async () => {
    const node = redfishNode(bmc, { redfish_auth_type: 'session' });
    await RedfishPower.getPowerState({ node });
    const conn = connectionFor(node);
    const first = conn.sessionPath;
    expect(first).toMatch(/^\/redfish\/v1\/SessionService\/Sessions\/.+/);
    await RedfishPower.getPowerState({ node });
    await RedfishManagement.getBootDevice({ node });
    expect(conn.sessionPath).toBe(first);
    await new Promise((r) => setTimeout(r, 1500)); // the BMC drops sessions unused for 1 s
    expect(await RedfishPower.getPowerState({ node })).toMatch(/^power (on|off)$/);
    expect(conn.sessionPath).not.toBe(first);
  });

  it('uses basic auth when told to: no session is created', async () => {
    const node = redfishNode(bmc, { redfish_auth_type: 'basic' });
    await RedfishPower.getPowerState({ node });
    expect(connectionFor(node).sessionPath).toBeNull();
  });

  it('takes the service\'s redfishAuthType and tuning for nodes that name none', async () => {
    configureRedfish({ redfishAuthType: 'basic', redfishConnectionAttempts: 2, redfishConnectionRetryInterval: 0, redfishRequestTimeout: 5 });
    try {
      const node = redfishNode(bmc);
      await RedfishPower.getPowerState({ node });
      expect(connectionFor(node).sessionPath).toBeNull();
      const session = redfishNode(bmc, { redfish_auth_type: 'session' });
      await RedfishPower.getPowerState({ node: session });
      expect(connectionFor(session).sessionPath).not.toBeNull();
    } finally {
      configureRedfish({ redfishAuthType: 'auto', redfishConnectionAttempts: 5, redfishConnectionRetryInterval: 4, redfishRequestTimeout: 30 });
    }
  });

  it('kept every password out of the log', () => {
    expect(logLines.join('\n')).not.toContain(bmc.password);
    expect(logLines.join('\n')).not.toContain(WRONG);
  });
});

describe('certificate verification', () => {
  it('is on by default: a self-signed BMC is refused with a hint at redfish_verify_ca', async () => {
    const node = redfishNode(bmc, { redfish_verify_ca: undefined });
    const err = await failure(RedfishPower.getPowerState({ node }));
    expect(err).toBeInstanceOf(PowerError);
    expect(err!.message).toMatch(/TLS certificate is not trusted.*redfish_verify_ca/);
  });

  it('trusts the CA file, or a directory holding it', async () => {
    expect(await RedfishPower.getPowerState({ node: redfishNode(bmc) })).toMatch(/^power/);
    const dir = mkdtempSync(join(tmpdir(), 'anvil-redfish-ca-'));
    try {
      copyFileSync(bmc.certFile, join(dir, 'bmc.pem'));
      expect(await RedfishPower.getPowerState({ node: redfishNode(bmc, { redfish_verify_ca: dir }) })).toMatch(/^power/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('can be switched off', async () => {
    expect(await RedfishPower.getPowerState({ node: redfishNode(bmc, { redfish_verify_ca: 'false' }) })).toMatch(/^power/);
  });

  it('refuses a CA that did not sign the BMC certificate', async () => {
    const err = await failure(RedfishPower.getPowerState({ node: redfishNode(bmc, { redfish_verify_ca: partial.certFile }) }));
    expect(err!.message).toMatch(/not trusted/);
  });
});

describe('slow and dropping BMCs', () => {
  it('waits for a slow BMC within the request timeout', async () => {
    bmc.setFaults({ delayMs: 400 });
    expect(await RedfishPower.getPowerState({ node: redfishNode(bmc, { redfish_auth_type: 'basic' }) })).toMatch(/^power/);
  });

  it('gives up on a BMC slower than the request timeout after the bounded retries', async () => {
    setRedfishTuning({ ...FAST, requestTimeoutS: 0.5, attempts: 2 });
    bmc.setFaults({ delayMs: 3000 });
    const started = Date.now();
    const err = await failure(RedfishPower.getPowerState({ node: redfishNode(bmc, { redfish_auth_type: 'basic' }) }));
    expect(err).toBeInstanceOf(PowerError);
    expect(err!.message).toMatch(/no answer within 0.5 s \(after 2 tries\)/);
    expect(Date.now() - started).toBeLessThan(2500);
  });

  it('retries a dropped connection and succeeds', async () => {
    bmc.setFaults({ dropRequests: 2 });
    expect(await RedfishPower.getPowerState({ node: redfishNode(bmc, { redfish_auth_type: 'basic' }) })).toMatch(/^power/);
  });

  it('fails clearly when the BMC drops every connection', async () => {
    bmc.setFaults({ dropRequests: -1 });
    const err = await failure(RedfishManagement.getBootDevice({ node: redfishNode(bmc, { redfish_auth_type: 'basic' }) }));
    expect(err).toBeInstanceOf(ManagementError);
    expect(err!.message).toMatch(/BMC https:\/\/127\.0\.0\.1:\d+ failed: .*\(after 3 tries\)/);
  });

  it('reports an unreachable BMC', async () => {
    const node = redfishNode(bmc, { redfish_address: 'https://127.0.0.1:9' });
    const err = await failure(RedfishPower.getPowerState({ node }));
    expect(err!.message).toMatch(/connection refused/);
  });
});

describe('a system that offers only On and ForceOff', () => {
  const node = () => redfishNode(partial);

  it('reboots with ForceOff then On, since it offers no restart', async () => {
    await RedfishPower.setPowerState({ node: node() }, 'power on', { timeoutS: 10 });
    const before = powerOnCount(partial);
    await RedfishPower.setPowerState({ node: node() }, 'rebooting', { timeoutS: 10 });
    expect(await machineIsOn(partial)).toBe(true);
    expect(powerOnCount(partial)).toBe(before + 1);
  });

  it('refuses soft power off and soft reboot without sending anything, naming what it offers', async () => {
    const before = powerOnCount(partial);
    for (const target of ['soft power off', 'soft rebooting'] as const) {
      const err = await failure(RedfishPower.setPowerState({ node: node() }, target, { timeoutS: 5 }));
      expect(err).toBeInstanceOf(PowerError);
      expect(err!.message).toMatch(/offers ResetType On, ForceOff/);
    }
    expect(await machineIsOn(partial)).toBe(true);
    expect(powerOnCount(partial)).toBe(before);
  });

  it('shows the BMC\'s @Message.ExtendedInfo when it refuses a call', async () => {
    const conn = connectionFor(node());
    const err = await failure(conn.post('/redfish/v1/Systems/1/Actions/ComputerSystem.Reset', { ResetType: 'GracefulShutdown' }));
    expect(err).toBeInstanceOf(RedfishError);
    expect((err as RedfishError).status).toBe(400);
    expect((err as RedfishError).messageIds.some((id) => id.endsWith('ActionParameterNotSupported'))).toBe(true);
    expect(err!.message).toMatch(/HTTP 400: .*GracefulShutdown.*not supported/);
  });
});

describe('boot mode, indicators, BIOS, virtual media', () => {
  const node = (props: Record<string, unknown> = {}): NodeRecord => redfishNode(bmc, {}, props);

  it('changes the boot mode, and the boot override follows the node\'s mode', async () => {
    await RedfishManagement.bootModes!.setBootMode({ node: node() }, 'bios');
    expect(bmcSettings(bmc).bootMode).toBe('Legacy');
    await RedfishManagement.setBootDevice({ node: node({ capabilities: 'boot_mode:uefi' }) }, 'pxe');
    expect(bmcSettings(bmc)).toMatchObject({ bootMode: 'UEFI', bootTarget: 'Pxe', bootEnabled: 'Once' });
    await RedfishManagement.bootModes!.setBootMode({ node: node() }, 'uefi');
    expect(bmcSettings(bmc).bootMode).toBe('UEFI');
  });

  it('says plainly when the system has no secure boot', async () => {
    const err = await failure(RedfishManagement.bootModes!.setSecureBoot({ node: node() }, true));
    expect(err).toBeInstanceOf(ManagementError);
    expect(err!.message).toMatch(/does not support secure boot/);
  });

  it('lists, sets and reads the system indicator LED', async () => {
    const leds = await RedfishManagement.indicators!.supported({ node: node() });
    const [name] = Object.keys(leds.system ?? {});
    expect(name).toBeTruthy();
    await RedfishManagement.indicators!.setState({ node: node() }, 'system', name!, 'BLINKING');
    expect(bmcSettings(bmc).indicatorLed).toBe('Blinking');
    expect(await RedfishManagement.indicators!.getState({ node: node() }, 'system', name!)).toBe('BLINKING');
    await expect(RedfishManagement.indicators!.getState({ node: node() }, 'system', 'nope')).rejects.toBeInstanceOf(InvalidParameterValueError);
  });

  it('reads the BIOS settings', async () => {
    const settings = await RedfishBiosSettings.read({ node: node() });
    expect(settings.find((s) => s.name === 'BootMode')).toMatchObject({ value: 'Uefi' });
  });

  it('inserts and ejects virtual media', async () => {
    const url = 'http://127.0.0.1:1/deploy.iso';
    await RedfishManagement.virtualMedia!.attach({ node: node() }, { deviceType: 'cdrom', imageUrl: url, imageDownloadSource: 'http' });
    expect(bmcSettings(bmc).virtualMedia).toMatchObject({ image: url });
    await RedfishManagement.virtualMedia!.attach({ node: node() }, { deviceType: 'cdrom', imageUrl: url, imageDownloadSource: 'http' });
    await RedfishManagement.virtualMedia!.detach({ node: node() }, ['cdrom']);
    expect(bmcSettings(bmc).virtualMedia).toBeNull();
  });
});

describe('out-of-band inspection', () => {
  it('finds CPUs, memory, the disk and the NIC, with a port for its MAC', async () => {
    const task = testTask(redfishNode(bmc), { power: RedfishPower, management: RedfishManagement } as never);
    const r = await RedfishInspect.inspect(task);
    expect(r.kind).toBe('done');
    if (r.kind !== 'done') return;
    expect(r.findings.properties).toMatchObject({ local_gb: 7, cpu_arch: 'x86_64', boot_mode: 'uefi' });
    expect(r.findings.properties.cpus).toBeGreaterThan(0);
    expect(r.findings.properties.memory_mb).toBeGreaterThan(0);
    expect(r.findings.ports).toEqual([{ address: '52:54:00:aa:bb:01', pxeEnabled: true }]);
    expect(r.findings.inventory).toMatchObject({ interfaces: [{ mac_address: '52:54:00:aa:bb:01' }] });
  });
});

describe('system selection', () => {
  it('finds the only system without redfish_system_id, and names a wrong one', async () => {
    expect(await RedfishPower.getPowerState({ node: redfishNode(bmc, { redfish_system_id: undefined }) })).toMatch(/^power/);
    const err = await failure(RedfishPower.getPowerState({ node: redfishNode(bmc, { redfish_system_id: '/redfish/v1/Systems/nine' }) }));
    expect(err!.message).toMatch(/Systems\/nine.*HTTP 404/);
  });
});
