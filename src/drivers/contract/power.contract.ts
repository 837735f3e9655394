// The cases every PowerInterface must pass, whatever hardware is behind it. A test file calls
// powerContract() with the implementation and a harness that can see the hardware side, so "power on"
// is checked on the machine, not only through the driver's own getPowerState.
import { describe, expect, it } from 'vitest';
import { PowerError } from '../../common/errors.js';
import type { NodeRecord } from '../../db/records.js';
import { testConfig } from './test-node.js';
import type { PowerInterface, PowerState } from '../interfaces.js';

type MaybePromise<T> = T | Promise<T>;

export interface PowerHarness {
  /** A fresh node wired to observable hardware; its power state on entry is unspecified. */
  node(): MaybePromise<NodeRecord>;
  /** Power as the hardware sees it, not through the driver under test. */
  observedPower(node: NodeRecord): MaybePromise<PowerState>;
  /** Grows every time the machine starts: the proof that a reboot restarted it. */
  powerOnCount(node: NodeRecord): MaybePromise<number>;
  /** A node whose calls fail (unreachable BMC, wrong credentials, injected failure). */
  brokenNode(): MaybePromise<NodeRecord>;
  /** Strings that must never appear in an error message (passwords, keys of brokenNode). */
  readonly secrets: readonly string[];
  /** Makes a powered-on node on which 'soft power off' never completes. */
  readonly stuck: { node(): MaybePromise<NodeRecord> };
  /** Upper bound for one power action in these cases (default 30 s). */
  readonly actionTimeoutS?: number;
}

export function powerContract(label: string, impl: PowerInterface, h: PowerHarness): void {
  const timeoutS = h.actionTimeoutS ?? 30;
  const caseTimeoutMs = (timeoutS * 2 + 30) * 1000;
  const set = (node: NodeRecord, target: Parameters<PowerInterface['setPowerState']>[1]) => impl.setPowerState({ node }, target, { timeoutS });

  describe(`${label} satisfies the PowerInterface contract`, () => {
    it('declares itself as a power interface with documented driver_info keys', async () => {
      expect(impl.kind).toBe('power');
      expect(impl.name).toMatch(/^[a-z][a-z0-9-]*$/);
      for (const spec of Object.values(impl.properties)) expect(spec.description.length).toBeGreaterThan(0);
      const node = await h.node();
      await expect(Promise.resolve().then(() => impl.validate?.({ node, portCount: 0, networkBoot: false, config: testConfig() }))).resolves.toBeUndefined();
    });

    it('powers on and off, as seen by the hardware and by getPowerState', async () => {
      const node = await h.node();
      await set(node, 'power on');
      expect(await h.observedPower(node)).toBe('power on');
      expect(await impl.getPowerState({ node })).toBe('power on');
      await set(node, 'power on'); // already on: still fine
      await set(node, 'power off');
      expect(await h.observedPower(node)).toBe('power off');
      expect(await impl.getPowerState({ node })).toBe('power off');
    }, caseTimeoutMs);

    it('reboots a running machine (it starts again) and powers on a stopped one', async () => {
      const node = await h.node();
      await set(node, 'power on');
      const before = await h.powerOnCount(node);
      await set(node, 'rebooting');
      expect(await h.observedPower(node)).toBe('power on');
      expect(await h.powerOnCount(node)).toBeGreaterThan(before);
      await set(node, 'power off');
      await set(node, 'rebooting');
      expect(await impl.getPowerState({ node })).toBe('power on');
    }, caseTimeoutMs);

    it('soft power off and soft reboot', async () => {
      const node = await h.node();
      await set(node, 'power on');
      await set(node, 'soft power off');
      expect(await h.observedPower(node)).toBe('power off');
      const before = await h.powerOnCount(node);
      await set(node, 'power on');
      await set(node, 'soft rebooting');
      expect(await h.observedPower(node)).toBe('power on');
      expect(await h.powerOnCount(node)).toBeGreaterThan(before + 1);
    }, caseTimeoutMs);

    it('fails with a PowerError that names no secret when the hardware cannot be driven', async () => {
      const node = await h.brokenNode();
      for (const attempt of [() => impl.getPowerState({ node }), () => set(node, 'power on')]) {
        const err = await attempt().then(() => null, (e: unknown) => e);
        expect(err).toBeInstanceOf(PowerError);
        const message = (err as Error).message;
        expect(message).toContain(node.uuid);
        for (const secret of h.secrets) expect(message).not.toContain(secret);
      }
    }, caseTimeoutMs);

    it('times out with a PowerError when the target is never reached', async () => {
      const node = await h.stuck.node();
      const started = Date.now();
      const err = await impl.setPowerState({ node }, 'soft power off', { timeoutS: 2 }).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(PowerError);
      expect((err as Error).message).toMatch(/timed out/);
      expect(Date.now() - started).toBeLessThan(2000 + 5000);
    }, caseTimeoutMs);
  });
}
