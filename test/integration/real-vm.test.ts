// The real-VM harness on its own, before any deploy: a qemu VM under SeaBIOS and under OVMF whose BMC is an
// ipmi_sim. With the marker image on its disk, `chassis bootdev disk` + `power on` boots that disk (GRUB
// from the BIOS boot partition, resp. EFI/BOOT/BOOTX64.EFI) and the marker appears on the serial console;
// `power off` stops qemu. This is the last phase of the deploy test, checked in isolation so a failure
// there points at the image or the harness, not at Anvil. ~30 s (one VM at a time).
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMarkerImage, startRealVm, type Firmware, type RealVm } from '../support/real-vm.js';
import { createVmNetwork, type VmNetwork } from '../support/vm-network.js';

function ipmitool(vm: RealVm, ...args: string[]): Promise<string> {
  return new Promise((ok, fail) => execFile('ipmitool', ['-I', 'lanplus', '-C', '3', '-H', vm.bmc.address, '-p', String(vm.bmc.port),
    '-U', vm.bmc.user, '-E', ...args], { env: { ...process.env, IPMI_PASSWORD: vm.bmc.password } },
  (err, stdout, stderr) => (err ? fail(new Error(`ipmitool ${args.join(' ')}: ${stderr}`)) : ok(stdout))));
}

describe('real VM harness: IPMI boots the disk', () => {
  let dir: string;
  let net: VmNetwork | undefined;
  let image: string;
  const marker = `harness-${process.pid}`;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'anvil-real-vm-'));
    net = createVmNetwork();
    image = join(dir, 'marker.img');
    await buildMarkerImage(image, marker);
  }, 60_000);

  afterAll(() => {
    net?.destroy();
    if (dir && process.env.KEEP_VM_RUN !== '1') rmSync(dir, { recursive: true, force: true });
  });

  for (const firmware of ['bios', 'uefi'] as Firmware[]) {
    it(`${firmware}: bootdev disk + power on boots the image, power off stops qemu`, async () => {
      const vmDir = mkdtempSync(join(dir, `${firmware}-`));
      copyFileSync(image, join(vmDir, 'disk.raw'));
      const vm = await startRealVm({ firmware, network: net!, dir: vmDir });
      try {
        await ipmitool(vm, 'chassis', 'bootdev', 'disk');
        const t0 = Date.now();
        await ipmitool(vm, 'power', 'on');
        expect(vm.bmc.powerIsOn()).toBe(true);
        const { at } = await vm.waitConsole(new RegExp(`ANVIL-DISK-BOOT ${marker}`), 120_000,
          { abort: () => (vm.bmc.powerIsOn() ? null : 'the VM powered off') });
        console.log(`${firmware}: power on -> disk marker ${((at - t0) / 1000).toFixed(1)} s`);
        expect(vm.console()).toMatch(new RegExp(`power on: firmware=${firmware} bootdev=(disk|default)\\b`));
        const pid = vm.bmc.machinePid();
        expect(pid).not.toBeNull();
        await ipmitool(vm, 'power', 'off');
        expect(vm.bmc.powerIsOn()).toBe(false);
        // gone, or a zombie nobody reaped yet: qemu itself has ended
        expect(existsSync(`/proc/${pid}`) ? readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]![0] : 'Z').toBe('Z');
      } finally {
        await vm.stop();
      }
    }, 180_000);
  }
});
