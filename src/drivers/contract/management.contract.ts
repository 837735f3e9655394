// The cases every ManagementInterface must pass. The harness reports what the hardware received, so a
// boot device is checked on the machine side as well as through getBootDevice; hardware that cannot show
// a detail (a simulator dropping the persistent bit) opts out of that check with a written reason.
import { describe, expect, it } from 'vitest';
import { InvalidParameterValueError, ManagementError } from '../../common/errors.js';
import type { NodeRecord } from '../../db/records.js';
import { testConfig } from './test-node.js';
import type { BootDevice, ManagementInterface } from '../interfaces.js';

type MaybePromise<T> = T | Promise<T>;

export interface ObservedBoot {
  readonly device: BootDevice | null;
  /** null when the hardware cannot show it. */
  readonly persistent: boolean | null;
  readonly efi: boolean | null;
}

export interface ManagementHarness {
  /** A fresh node; `bootMode` sets properties.capabilities boot_mode. */
  node(opts?: { bootMode?: 'uefi' | 'bios' }): MaybePromise<NodeRecord>;
  /** What the hardware holds after the last setBootDevice, not read through the driver under test. */
  observedBoot(node: NodeRecord): MaybePromise<ObservedBoot>;
  brokenNode(): MaybePromise<NodeRecord>;
  readonly secrets: readonly string[];
  /** Supported devices the hardware behind this harness cannot take, with the reason. */
  readonly unsettable?: Readonly<Partial<Record<BootDevice, string>>>;
  /** Why getBootDevice cannot report persistence truthfully here (only the wire-level check applies then). */
  readonly persistenceNotReported?: string;
  /** What injectNmi does on this hardware; omitted when the implementation has no injectNmi. */
  readonly nmi?: 'accepted' | { readonly refused: string };
}

export function managementContract(label: string, impl: ManagementInterface, h: ManagementHarness): void {
  describe(`${label} satisfies the ManagementInterface contract`, () => {
    it('declares itself and supports at least pxe and disk', async () => {
      expect(impl.kind).toBe('management');
      const node = await h.node();
      await expect(Promise.resolve().then(() => impl.validate?.({ node, portCount: 0, networkBoot: false, config: testConfig() }))).resolves.toBeUndefined();
      const devices = await impl.supportedBootDevices({ node });
      expect(devices).toEqual(expect.arrayContaining(['pxe', 'disk']));
    });

    it('sets every supported boot device; the hardware and getBootDevice agree', async () => {
      const node = await h.node();
      for (const device of await impl.supportedBootDevices({ node })) {
        if (h.unsettable?.[device]) continue;
        await impl.setBootDevice({ node }, device, { persistent: false });
        expect((await h.observedBoot(node)).device, device).toBe(device);
        expect((await impl.getBootDevice({ node })).bootDevice, device).toBe(device);
      }
    }, 60_000);

    it('sends the persistent flag as asked', async () => {
      const node = await h.node();
      for (const persistent of [true, false]) {
        await impl.setBootDevice({ node }, 'pxe', { persistent });
        const seen = await h.observedBoot(node);
        if (seen.persistent !== null) expect(seen.persistent).toBe(persistent);
        if (!h.persistenceNotReported) expect((await impl.getBootDevice({ node })).persistent).toBe(persistent);
      }
    }, 60_000);

    if (h.persistenceNotReported) {
      // The flag itself is checked on the wire above; here the read-back must still name the device.
      it(`reads the device back where the hardware forgets persistence (${h.persistenceNotReported})`, async () => {
        const node = await h.node();
        await impl.setBootDevice({ node }, 'pxe', { persistent: true });
        const back = await impl.getBootDevice({ node });
        expect(back.bootDevice).toBe('pxe');
        expect([true, false, null]).toContain(back.persistent);
      }, 60_000);
    }

    it('follows the node boot mode for the EFI flag', async () => {
      for (const mode of ['uefi', 'bios'] as const) {
        const node = await h.node({ bootMode: mode });
        await impl.setBootDevice({ node }, 'disk', { persistent: true });
        const seen = await h.observedBoot(node);
        expect(seen.device).toBe('disk');
        if (seen.efi !== null) expect(seen.efi, mode).toBe(mode === 'uefi');
      }
    }, 60_000);

    it('refuses a device it does not support with InvalidParameterValueError', async () => {
      const node = await h.node();
      const supported = await impl.supportedBootDevices({ node });
      const other = (['wanboot', 'iscsiboot', 'uefihttp', 'floppy'] as const).find((d) => !supported.includes(d));
      if (!other) return;
      await expect(impl.setBootDevice({ node }, other)).rejects.toBeInstanceOf(InvalidParameterValueError);
    });

    it('fails with a ManagementError that names no secret when the hardware cannot be driven', async () => {
      const node = await h.brokenNode();
      for (const attempt of [() => impl.getBootDevice({ node }), () => impl.setBootDevice({ node }, 'pxe')]) {
        const err = await attempt().then(() => null, (e: unknown) => e);
        expect(err).toBeInstanceOf(ManagementError);
        const message = (err as Error).message;
        expect(message).toContain(node.uuid);
        for (const secret of h.secrets) expect(message).not.toContain(secret);
      }
    }, 60_000);

    const nmi = h.nmi;
    if (nmi && impl.injectNmi) {
      const inject = impl.injectNmi.bind(impl);
      it(nmi === 'accepted' ? 'injects an NMI' : `reports a refused NMI as ManagementError (${nmi.refused})`, async () => {
        const node = await h.node();
        if (nmi === 'accepted') await inject({ node });
        else await expect(inject({ node })).rejects.toBeInstanceOf(ManagementError);
      });
    }
  });
}
