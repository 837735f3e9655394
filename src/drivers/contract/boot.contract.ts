// The cases every BootInterface must pass. The harness reports, without going through the interface, what
// a machine booting from each MAC would be answered (DHCP and the config its loader fetches) and which boot
// device the BMC holds, so "prepared" means a firmware would really find its way to the ramdisk.
import { describe, expect, it } from 'vitest';
import type { Config } from '../../common/config.js';
import { MissingParameterValueError } from '../../common/errors.js';
import { testConfig } from './test-node.js';
import type { BootDevice, BootInterface, DriverTask } from '../interfaces.js';

type MaybePromise<T> = T | Promise<T>;

export interface BootTaskOptions {
  readonly bootMode?: 'uefi' | 'bios';
  /** pxe_enabled ports; default one random MAC. */
  readonly macs?: readonly string[];
  /** Ports with pxe_enabled false. */
  readonly otherMacs?: readonly string[];
  /** Leave out driver_info deploy_kernel/deploy_ramdisk. */
  readonly noDeployImages?: boolean;
  /** Give driver_info rescue_kernel/rescue_ramdisk. */
  readonly rescueImages?: boolean;
  /** Same node as an earlier task (its ports may differ: a MAC changed). */
  readonly sameNodeAs?: DriverTask;
}

/** What a machine network-booting from one MAC would get. */
export interface BootAnswer {
  readonly bootMode: 'uefi' | 'bios';
  /** The kernel command line its loader would pass, when the harness can render it (null for the fake). */
  readonly commandLine: string | null;
}

export interface BootHarness {
  task(opts?: BootTaskOptions): MaybePromise<DriverTask>;
  /** Per MAC, the answer a network boot would get now, or null when it gets none. */
  answer(task: DriverTask, mac: string): MaybePromise<BootAnswer | null>;
  /** The boot device the BMC holds, not read through the interface under test. */
  bootDevice(task: DriverTask): MaybePromise<{ device: BootDevice | null; persistent: boolean | null }>;
  /** The configuration validation runs with (allowed file:// roots of the harness's images); default built-ins. */
  readonly config?: Config;
  /** The API URL the harness gave the environment, for the ipa-api-url check. */
  readonly apiUrl: string;
  /** Why validation does not check ports and ramdisk URLs here (the fake accepts anything). */
  readonly lenientValidation?: string;
}

const randomMac = () => ['52', '54', '00', ...Array.from({ length: 3 }, () => Math.floor(Math.random() * 256).toString(16).padStart(2, '0'))].join(':');

export function bootContract(label: string, impl: BootInterface, h: BootHarness): void {
  const expectAnswered = async (task: DriverTask, mac: string, mode: 'uefi' | 'bios') => {
    const a = await h.answer(task, mac);
    expect(a, `${mac} answered`).not.toBeNull();
    expect(a!.bootMode).toBe(mode);
    if (a!.commandLine !== null) {
      expect(a!.commandLine).toContain(`ipa-api-url=${h.apiUrl}`);
      expect(a!.commandLine).toMatch(/ipa-global-request-id=\S+/);
      // The loader names the NIC it booted from, in PXELINUX (01-aa-bb-…) or colon form.
      const dashed = mac.replace(/:/g, '-');
      expect(a!.commandLine).toMatch(new RegExp(`BOOTIF=(01-${dashed}|01-${mac}|${mac})(\\s|$)`));
    }
  };
  const expectSilent = async (task: DriverTask, mac: string) => expect(await h.answer(task, mac), `${mac} silent`).toBeNull();

  describe(`${label} satisfies the BootInterface contract`, () => {
    it('declares itself as a boot interface with documented driver_info keys and validates a bootable node', async () => {
      expect(impl.kind).toBe('boot');
      expect(impl.name).toMatch(/^[a-z][a-z0-9-]*$/);
      for (const spec of Object.values(impl.properties)) expect(spec.description.length).toBeGreaterThan(0);
      const task = await h.task();
      await expect(Promise.resolve().then(() => impl.validate?.({ node: task.node, portCount: task.ports.length, networkBoot: Boolean(impl.networkBoot), config: h.config ?? testConfig() }))).resolves.toBeUndefined();
    });

    if (!h.lenientValidation) {
      it('refuses a node without ports or without deploy_kernel/deploy_ramdisk', async () => {
        const task = await h.task();
        await expect(Promise.resolve().then(() => impl.validate?.({ node: task.node, portCount: 0, networkBoot: Boolean(impl.networkBoot), config: h.config ?? testConfig() }))).rejects.toBeInstanceOf(MissingParameterValueError);
        const bare = await h.task({ noDeployImages: true });
        await expect(Promise.resolve().then(() => impl.validate?.({ node: bare.node, portCount: 1, networkBoot: Boolean(impl.networkBoot), config: h.config ?? testConfig() }))).rejects.toThrow(/deploy_kernel/);
      });

      it('refuses to boot the rescue ramdisk when rescue_kernel/rescue_ramdisk are missing', async () => {
        const task = await h.task();
        await expect(impl.prepareRamdisk(task, 'rescue')).rejects.toThrow(/rescue_kernel, rescue_ramdisk/);
      });
    }

    for (const mode of ['bios', 'uefi'] as const) {
      it(`prepares the ramdisk for every pxe_enabled MAC in ${mode} mode, idempotently, and sets boot device pxe`, async () => {
        const macs = [randomMac(), randomMac()];
        const other = randomMac();
        const task = await h.task({ bootMode: mode, macs, otherMacs: [other] });
        for (let round = 0; round < 2; round++) {
          await impl.prepareRamdisk(task, 'deploy');
          for (const mac of macs) await expectAnswered(task, mac, mode);
          await expectSilent(task, other);
          expect(await h.bootDevice(task)).toEqual({ device: 'pxe', persistent: false });
        }
      });
    }

    it('boots the rescue ramdisk for purpose rescue', async () => {
      const mac = randomMac();
      const task = await h.task({ macs: [mac], rescueImages: true });
      await impl.prepareRamdisk(task, 'rescue');
      await expectAnswered(task, mac, 'uefi');
    });

    it('cleans up the ramdisk: no MAC is answered any more; again and on a never prepared node it is a no-op', async () => {
      const mac = randomMac();
      const task = await h.task({ macs: [mac] });
      await impl.prepareRamdisk(task, 'clean');
      await impl.cleanUpRamdisk(task);
      await expectSilent(task, mac);
      await impl.cleanUpRamdisk(task);
      await impl.cleanUpRamdisk(await h.task());
      await impl.cleanUpInstance(await h.task());
    });

    it('a MAC the node no longer has stops being answered at the next prepare', async () => {
      const [old, now] = [randomMac(), randomMac()];
      const first = await h.task({ macs: [old] });
      await impl.prepareRamdisk(first, 'deploy');
      const second = await h.task({ macs: [now], sameNodeAs: first });
      await impl.prepareRamdisk(second, 'deploy');
      await expectAnswered(second, now, 'uefi');
      await expectSilent(second, old);
    });

    it('prepares the instance: boot device disk (persistent), the ramdisk no longer answers; cleanUpInstance is idempotent', async () => {
      const mac = randomMac();
      const task = await h.task({ bootMode: 'bios', macs: [mac] });
      await impl.prepareRamdisk(task, 'deploy');
      await impl.prepareInstance(task);
      expect(await h.bootDevice(task)).toEqual({ device: 'disk', persistent: true });
      await expectSilent(task, mac);
      await impl.cleanUpInstance(task);
      await impl.cleanUpInstance(task);
      await expectSilent(task, mac);
    });
  });
}
