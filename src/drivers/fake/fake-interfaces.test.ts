import { describe, expect, it } from 'vitest';
import { PowerError } from '../../common/errors.js';
import { bootContract } from '../contract/boot.contract.js';
import { managementContract } from '../contract/management.contract.js';
import { powerContract } from '../contract/power.contract.js';
import { testConfig, testNode, testPort, testTask } from '../contract/test-node.js';
import { nodeBootMode } from '../boot-mode.js';
import type { DriverEnvironment } from '../interfaces.js';
import { fake, FakeBoot, fakeBootCalls, FakeManagement, FakePower, fakeMachine } from './fake-interfaces.js';

const bootModeCaps = (mode?: 'uefi' | 'bios') => (mode ? { capabilities: `boot_mode:${mode},cpu_vt:true` } : {});

powerContract('FakePower', FakePower, {
  node: () => testNode(),
  observedPower: (node) => fakeMachine(node.uuid).power,
  powerOnCount: (node) => fakeMachine(node.uuid).powerOnCount,
  brokenNode: () => testNode({ driverInfo: { fake_fail: 'power', fake_password: 'fake-secret-1' } }),
  secrets: ['fake-secret-1'],
  stuck: {
    async node() {
      const node = testNode({ driverInfo: { fake_power_delay_ms: 60_000 } });
      fakeMachine(node.uuid).power = 'power on';
      return node;
    },
  },
});

managementContract('FakeManagement', FakeManagement, {
  node: (opts) => testNode({ properties: bootModeCaps(opts?.bootMode) }),
  observedBoot: (node) => {
    const m = fakeMachine(node.uuid);
    return { device: m.bootDevice, persistent: m.persistent, efi: m.efi };
  },
  brokenNode: () => testNode({ driverInfo: { fake_fail: 'management,power' } }),
  secrets: [],
  nmi: 'accepted',
});

// The fake boot interface touches no environment: any use of it would throw.
const noEnv = new Proxy({}, { get: () => { throw new Error('FakeBoot must not use the driver environment'); } }) as DriverEnvironment;

bootContract('FakeBoot', FakeBoot, {
  task: (opts) => {
    const node = opts?.sameNodeAs?.node ?? testNode({ properties: bootModeCaps(opts?.bootMode) });
    const ports = [...(opts?.macs ?? ['52:54:00:00:00:01']).map((m) => testPort(node.uuid, m)),
      ...(opts?.otherMacs ?? []).map((m) => testPort(node.uuid, m, { pxeEnabled: false }))];
    return testTask({ node, ports, boot: FakeBoot, env: noEnv });
  },
  answer: (task, mac) => {
    // The fake's "network" answers the MACs of its last prepareRamdisk until any other call.
    const last = fakeBootCalls(task.node.uuid).at(-1);
    return last?.method === 'prepareRamdisk' && last.macs.includes(mac) ? { bootMode: nodeBootMode(task.node), commandLine: null } : null;
  },
  bootDevice: (task) => {
    const m = fakeMachine(task.node.uuid);
    return { device: m.bootDevice, persistent: m.bootDevice === null ? null : m.persistent };
  },
  apiUrl: 'http://unused',
  lenientValidation: 'the fake boots any node: it reads no driver_info and needs no port',
});

describe('fake interfaces', () => {
  it('fake(kind) returns the typed implementations and the same object each time', () => {
    expect(fake('power')).toBe(FakePower);
    expect(fake('management')).toBe(FakeManagement);
    expect(fake('boot')).toBe(FakeBoot);
    expect(fake('deploy')).toBe(fake('deploy'));
    expect(fake('deploy')).toMatchObject({ kind: 'deploy', name: 'fake' });
  });

  it('remembers power per node, starting off', async () => {
    const a = testNode();
    const b = testNode();
    await FakePower.setPowerState({ node: a }, 'power on');
    expect(await FakePower.getPowerState({ node: a })).toBe('power on');
    expect(await FakePower.getPowerState({ node: b })).toBe('power off');
  });

  it('reports boot device pxe, not persistent, before any was set (as Ironic\'s fake does)', async () => {
    const node = testNode();
    expect(await FakeManagement.getBootDevice({ node })).toEqual({ bootDevice: 'pxe', persistent: false });
    await FakeManagement.setBootDevice({ node }, 'disk', { persistent: true });
    expect(await FakeManagement.getBootDevice({ node })).toEqual({ bootDevice: 'disk', persistent: true });
  });

  it('takes fake_power_delay_ms per call, so locks stay held for a while', async () => {
    const node = testNode({ driverInfo: { fake_power_delay_ms: '150' } });
    const started = Date.now();
    await FakePower.setPowerState({ node }, 'power on');
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('fails only the kinds named in fake_fail', async () => {
    const node = testNode({ driverInfo: { fake_fail: 'management' } });
    await expect(FakePower.setPowerState({ node }, 'power on')).resolves.toBeUndefined();
    await expect(FakeManagement.setBootDevice({ node }, 'pxe')).rejects.toThrow(/Fake management failure/);
    const all = testNode({ driverInfo: { fake_fail: 'all' } });
    await expect(FakePower.getPowerState({ node: all })).rejects.toBeInstanceOf(PowerError);
  });

  it('validates its knobs', () => {
    expect(() => FakePower.validate!({ node: testNode({ driverInfo: { fake_power_delay_ms: 'soon' } }), portCount: 0, networkBoot: false, config: testConfig() })).toThrow(/non-negative integer/);
  });

  it('uses the node boot mode for the EFI flag, UEFI by default', async () => {
    const node = testNode();
    await FakeManagement.setBootDevice({ node }, 'pxe');
    expect(fakeMachine(node.uuid).efi).toBe(true);
    const bios = testNode({ bootMode: 'bios' });
    await FakeManagement.setBootDevice({ node: bios }, 'pxe');
    expect(fakeMachine(bios.uuid).efi).toBe(false);
  });
});
