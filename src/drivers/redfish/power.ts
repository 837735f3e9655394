// RedfishPower: power state from the ComputerSystem's PowerState, changes through ComputerSystem.Reset with
// a ResetType the system advertises (the first of each target's preferences it offers), then polling until
// the system reports the resulting state, as BMCs accept a Reset well before the machine has changed.
import { PowerError } from '../../common/errors.js';
import type { NodeRecord } from '../../db/records.js';
import { defineInterface, type DriverCall, type PowerInterface, type PowerState, type PowerTarget } from '../interfaces.js';
import { REDFISH_PROPERTIES, validateRedfishInfo } from './redfish-properties.js';
import { RedfishError } from './redfish-error.js';
import { driverFailure, readSystem, resetAction } from './redfish-system.js';

export interface RedfishPowerOptions {
  /** Pauses between PowerState polls; the last one repeats. */
  readonly pollScheduleMs?: readonly number[];
  /** Used when the caller passes no timeoutS (Ironic's power_state_change_timeout / soft_power_off_timeout). */
  readonly defaultTimeoutS?: { readonly hard: number; readonly soft: number };
}

type Settled = 'On' | 'Off';
/** One Reset and the state it must lead to; `soft` picks the longer default timeout. */
type Step = { readonly resetTypes: readonly string[]; readonly reach: Settled; readonly soft: boolean };
/** Alternatives in order of preference; the first whose ResetTypes the system all offers is used. */
type Plan = readonly (readonly Step[])[];

const ON: Step = { resetTypes: ['On', 'ForceOn', 'PushPowerButton'], reach: 'On', soft: false };
const OFF: Step = { resetTypes: ['ForceOff'], reach: 'Off', soft: false };
const SOFT_OFF: Step = { resetTypes: ['GracefulShutdown', 'PushPowerButton'], reach: 'Off', soft: true };

// Plans for a system that is on. A system that is off only ever needs ON (or nothing, for the off targets).
const PLANS: Readonly<Record<PowerTarget, Plan>> = {
  'power on': [[ON]],
  'power off': [[OFF]],
  'soft power off': [[SOFT_OFF]],
  rebooting: [
    [{ resetTypes: ['ForceRestart', 'PowerCycle'], reach: 'On', soft: false }],
    [OFF, ON],
  ],
  'soft rebooting': [
    [{ resetTypes: ['GracefulRestart'], reach: 'On', soft: true }],
    [SOFT_OFF, ON],
  ],
};

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function asPowerState(v: unknown): PowerState | null {
  // Ironic counts the transitional states as where they lead.
  if (v === 'On' || v === 'PoweringOn') return 'power on';
  if (v === 'Off' || v === 'PoweringOff') return 'power off';
  return null;
}

const failure = (node: NodeRecord, doing: string, err: unknown) => driverFailure(PowerError, node, doing, err);

export function createRedfishPower(options: RedfishPowerOptions = {}): PowerInterface {
  const schedule = options.pollScheduleMs?.length ? options.pollScheduleMs : [250, 500, 1000];
  const defaults = options.defaultTimeoutS ?? { hard: 60, soft: 600 };

  /** Reads PowerState; null when the BMC did not answer (a poll error before the deadline is not final). */
  async function poll(node: NodeRecord, deadline: number): Promise<unknown> {
    try {
      return (await readSystem(node, { deadline: deadline + 5000 })).body.PowerState ?? null;
    } catch (err) {
      if (Date.now() >= deadline) throw err;
      return null;
    }
  }

  /** Waits until PowerState is exactly `reach` (not PoweringOn/Off). */
  async function waitFor(node: NodeRecord, target: PowerTarget, reach: Settled, deadline: number, timeoutS: number): Promise<void> {
    let last: unknown = null;
    for (let round = 0; ; round++) {
      try {
        last = await poll(node, deadline);
      } catch (err) {
        throw failure(node, `confirm power action '${target}'`, err);
      }
      if (last === reach) return;
      if (Date.now() >= deadline) break;
      const pause = schedule[Math.min(round, schedule.length - 1)]!;
      await sleep(Math.max(0, Math.min(pause, deadline - Date.now())));
    }
    const seen = typeof last === 'string' ? `the system still reports PowerState '${last}'` : 'the BMC did not answer the last poll';
    throw new PowerError(`Power action '${target}' for node ${node.uuid} timed out after ${timeoutS} s: ${seen} instead of '${reach}'.`);
  }

  return defineInterface({
    kind: 'power',
    name: 'redfish',
    properties: REDFISH_PROPERTIES,
    validate: validateRedfishInfo,
    async getPowerState({ node }: DriverCall): Promise<PowerState> {
      let state: unknown;
      try {
        state = (await readSystem(node)).body.PowerState;
      } catch (err) {
        throw failure(node, 'get power state', err);
      }
      const mapped = asPowerState(state);
      if (!mapped) throw new PowerError(`Failed to get power state for node ${node.uuid}: the system reports PowerState ${JSON.stringify(state ?? null)}.`);
      return mapped;
    },
    async setPowerState({ node }: DriverCall, target: PowerTarget, opts?: { timeoutS?: number }): Promise<void> {
      const plans = PLANS[target];
      if (!plans) throw new PowerError(`Unsupported power target '${String(target)}' for node ${node.uuid}.`);
      let view;
      let offered: readonly string[];
      let resetTarget: string;
      try {
        view = await readSystem(node);
        ({ allowed: offered, target: resetTarget } = await resetAction(view));
      } catch (err) {
        throw failure(node, `prepare power action '${target}'`, err);
      }
      const now = asPowerState(view.body.PowerState);
      const hardTimeoutS = opts?.timeoutS ?? defaults.hard;
      // Already there (or on the way): only wait for the settled state, a second Reset would be refused by many BMCs.
      if (now === 'power off' && (target === 'power off' || target === 'soft power off')) {
        return waitFor(node, target, 'Off', Date.now() + hardTimeoutS * 1000, hardTimeoutS);
      }
      if (now === 'power on' && target === 'power on') return waitFor(node, target, 'On', Date.now() + hardTimeoutS * 1000, hardTimeoutS);
      // A machine that is off reboots by powering on.
      const chosen: Plan = now === 'power off' ? [[ON]] : plans;
      const pick = (step: Step) => step.resetTypes.find((t) => offered.includes(t));
      const plan = chosen.find((alt) => alt.every((step) => pick(step) !== undefined));
      if (!plan) {
        const wanted = [...new Set(chosen.flat().flatMap((s) => s.resetTypes))].join(', ');
        throw new PowerError(`Cannot do power action '${target}' for node ${node.uuid}: the system offers ResetType ${offered.join(', ') || 'none'}, `
          + `none of ${wanted} that it needs.`);
      }
      for (const step of plan) {
        const resetType = pick(step)!;
        const timeoutS = opts?.timeoutS ?? (step.soft ? defaults.soft : defaults.hard);
        const deadline = Date.now() + timeoutS * 1000;
        try {
          // Sending On/ForceOff twice is harmless; a restart or a button press is not, so those are not resent.
          await view.conn.post(resetTarget, { ResetType: resetType }, { deadline, idempotent: ['On', 'ForceOn', 'ForceOff', 'GracefulShutdown'].includes(resetType) });
        } catch (err) {
          if (err instanceof RedfishError && err.kind === 'timeout' && Date.now() >= deadline) {
            throw new PowerError(`Power action '${target}' for node ${node.uuid} timed out after ${timeoutS} s: the BMC did not answer `
              + `ResetType ${resetType} in time.`, { cause: err });
          }
          throw failure(node, `send ResetType ${resetType} (${target})`, err);
        }
        await waitFor(node, target, step.reach, deadline, timeoutS);
      }
    },
  });
}
