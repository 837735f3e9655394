// The wait loops on a simulated clock: ironicclient's success/failure/timeout rules for provision states,
// the power-state equivalent, and `--wait` value parsing.
import { describe, expect, it } from 'vitest';
import { CliError, UsageError } from '../../errors.js';
import type { ApiObject } from '../../listing.js';
import { parseWaitTimeout, waitForPowerState, waitForProvisionState, type WaitSettings } from './wait.js';

interface Sim {
  settings: WaitSettings;
  progress: string[];
  sleeps: number[];
  polls: () => number;
  fetch: () => Promise<ApiObject>;
}

/** A node whose GET answers walk through `states` (the last one repeats), on a clock only sleeps move. */
function simulate(states: readonly ApiObject[], timeoutS = 0, intervalMs = 2000): Sim {
  let clock = 1_000_000;
  let polls = 0;
  const progress: string[] = [];
  const sleeps: number[] = [];
  return {
    settings: {
      node: 'n1',
      timeoutS,
      intervalMs,
      now: () => clock,
      sleep: async (ms) => {
        sleeps.push(ms);
        clock += ms;
      },
      progress: (line) => progress.push(line),
    },
    progress,
    sleeps,
    polls: () => polls,
    fetch: async () => states[Math.min(polls++, states.length - 1)]!,
  };
}

const prov = (provision_state: string, target_provision_state: string | null, last_error: string | null = null): ApiObject => ({
  provision_state, target_provision_state, last_error,
});

describe('waitForProvisionState', () => {
  it('returns once the expected state is reached, reporting each change once on the progress stream', async () => {
    const sim = simulate([prov('available', 'active'), prov('deploying', 'active'), prov('deploying', 'active'),
      prov('wait call-back', 'active'), prov('active', null)]);
    await waitForProvisionState(sim.fetch, 'active', sim.settings);
    expect(sim.polls()).toBe(5);
    expect(sim.sleeps).toEqual([2000, 2000, 2000, 2000]);
    expect(sim.progress).toEqual([
      'Waiting for provision state active on node n1',
      'Node n1 provision state: available (target: active)',
      'Node n1 provision state: deploying (target: active)',
      'Node n1 provision state: wait call-back (target: active)',
      'Node n1 provision state: active',
    ]);
  });

  it('checks at once, without sleeping first, and lower-cases the expected state', async () => {
    const sim = simulate([prov('manageable', null)]);
    await waitForProvisionState(sim.fetch, 'MANAGEABLE', sim.settings);
    expect(sim.polls()).toBe(1);
    expect(sim.sleeps).toEqual([]);
  });

  it('fails at once on a "... failed" state, quoting last_error', async () => {
    const sim = simulate([prov('deploying', 'active'), prov('deploy failed', 'active', 'Image is corrupt'), prov('active', null)]);
    await expect(waitForProvisionState(sim.fetch, 'active', sim.settings)).rejects.toThrow(
      new CliError("Node n1 failed to reach state active. It's in state deploy failed, and has error: Image is corrupt"),
    );
    expect(sim.polls()).toBe(2);
  });

  it('fails on the error state, printing a missing last_error as None like Python', async () => {
    const sim = simulate([prov('error', null)]);
    await expect(waitForProvisionState(sim.fetch, 'available', sim.settings)).rejects.toThrow(
      "Node n1 failed to reach state available. It's in state error, and has error: None",
    );
  });

  it('succeeds when the error state is the one asked for', async () => {
    const sim = simulate([prov('error', null)]);
    await expect(waitForProvisionState(sim.fetch, 'error', sim.settings)).resolves.toBeUndefined();
  });

  it('fails when the node settles in a different stable state (no target)', async () => {
    const sim = simulate([prov('cleaning', 'available'), prov('manageable', null)]);
    await expect(waitForProvisionState(sim.fetch, 'available', sim.settings)).rejects.toThrow(
      "Node n1 failed to reach state available. It's in unexpected stable state manageable",
    );
  });

  it('times out after the deadline with the stock message', async () => {
    const sim = simulate([prov('deploying', 'active')], 5, 2000);
    await expect(waitForProvisionState(sim.fetch, 'active', sim.settings)).rejects.toThrow(
      new CliError('Node n1 failed to reach state active in 5 seconds'),
    );
    // Checks at t=0, 2, 4 s; after the third sleep the clock reads 6 s, past the deadline.
    expect(sim.polls()).toBe(3);
  });

  it('with timeout 0 keeps polling for as long as it takes', async () => {
    const states = [...Array.from({ length: 500 }, () => prov('deploying', 'active')), prov('active', null)];
    const sim = simulate(states, 0, 60_000);
    await waitForProvisionState(sim.fetch, 'active', sim.settings);
    expect(sim.polls()).toBe(501);
  });

  it('passes API errors from the poll through unchanged', async () => {
    const sim = simulate([]);
    const boom = new CliError('Node n1 could not be found. (HTTP 404)');
    await expect(waitForProvisionState(async () => { throw boom; }, 'active', sim.settings)).rejects.toBe(boom);
  });
});

const pow = (power_state: string | null, target_power_state: string | null, last_error: string | null = null): ApiObject => ({
  power_state, target_power_state, last_error,
});

describe('waitForPowerState', () => {
  it('waits for the target to clear and accepts the expected state', async () => {
    const sim = simulate([pow('power on', 'power off'), pow('power on', 'power off'), pow('power off', null)]);
    await waitForPowerState(sim.fetch, 'power off', sim.settings);
    expect(sim.polls()).toBe(3);
    expect(sim.progress).toEqual([
      'Waiting for node n1 to reach power state power off',
      'Node n1 power state: power on (target: power off)',
      'Node n1 power state: power off',
    ]);
  });

  it('fails with last_error when the conductor reports one', async () => {
    const sim = simulate([pow('power on', 'power off'), pow('power on', null, 'IPMI timed out')]);
    await expect(waitForPowerState(sim.fetch, 'power off', sim.settings)).rejects.toThrow(
      "Node n1 failed to reach power state power off. It's in power state power on, and has error: IPMI timed out",
    );
  });

  it('fails when the change finished in another state', async () => {
    const sim = simulate([pow(null, null)]);
    await expect(waitForPowerState(sim.fetch, 'power on', sim.settings)).rejects.toThrow(
      "Node n1 failed to reach power state power on. It's in power state None",
    );
  });

  it('times out while the target is still set', async () => {
    const sim = simulate([pow('power on', 'power off')], 3, 1000);
    await expect(waitForPowerState(sim.fetch, 'power off', sim.settings)).rejects.toThrow(
      'Node n1 failed to reach power state power off in 3 seconds',
    );
  });
});

describe('parseWaitTimeout', () => {
  it('maps absent to undefined, a bare flag to 0 (forever) and numbers to seconds', () => {
    expect(parseWaitTimeout(undefined)).toBeUndefined();
    expect(parseWaitTimeout(true)).toBe(0);
    expect(parseWaitTimeout('15')).toBe(15);
    expect(parseWaitTimeout(' +7 ')).toBe(7);
  });

  it('rejects non-integers as argparse would and negative values as ironicclient would', () => {
    expect(() => parseWaitTimeout('n1')).toThrow(new UsageError("argument --wait: invalid int value: 'n1'"));
    expect(() => parseWaitTimeout('1.5')).toThrow(UsageError);
    expect(() => parseWaitTimeout('-1')).toThrow(new CliError('Timeout must be a non-negative number'));
  });
});
