// IpmitoolPower: power control through ipmitool. Every action sends the chassis command, then polls
// `power status` until the BMC reports the target, because BMCs answer "done" before the machine is.
import { PowerError } from '../../common/errors.js';
import { defineInterface, type DriverCall, type PowerInterface, type PowerState, type PowerTarget } from '../interfaces.js';
import { defaultIpmitoolClient, IpmitoolError, type IpmitoolClient } from './ipmitool-client.js';
import { parseIpmiSettings, type IpmiSettings } from './ipmitool-args.js';
import { parsePowerStatus } from './ipmitool-output.js';
import { IPMI_PROPERTIES, validateIpmiInfo } from './ipmitool-properties.js';

export interface IpmitoolPowerOptions {
  readonly client?: IpmitoolClient;
  /** Pauses between `power status` polls; the last one repeats. */
  readonly pollScheduleMs?: readonly number[];
  /** Used when the caller passes no timeoutS (Ironic's power_state_change_timeout / soft_power_off_timeout). */
  readonly defaultTimeoutS?: { readonly hard: number; readonly soft: number };
}

type Step = { readonly command: readonly string[]; readonly reach: PowerState; readonly soft: boolean };

// A reboot is off-then-on rather than `power reset`/`cycle`: each half is confirmed by the BMC, and a
// node that was off still ends up on (reset is ignored by a powered-off chassis). Ironic does the same.
const PLANS: Readonly<Record<PowerTarget, readonly Step[]>> = {
  'power on': [{ command: ['power', 'on'], reach: 'power on', soft: false }],
  'power off': [{ command: ['power', 'off'], reach: 'power off', soft: false }],
  rebooting: [
    { command: ['power', 'off'], reach: 'power off', soft: false },
    { command: ['power', 'on'], reach: 'power on', soft: false },
  ],
  'soft power off': [{ command: ['power', 'soft'], reach: 'power off', soft: true }],
  'soft rebooting': [
    { command: ['power', 'soft'], reach: 'power off', soft: true },
    { command: ['power', 'on'], reach: 'power on', soft: false },
  ],
};

// How far past the deadline the last `power status` poll may run.
const POLL_GRACE_MS = 5000;

function timedOut(node: string, target: PowerTarget, step: Step, timeoutS: number, last: PowerState | null, cause?: unknown): PowerError {
  const seen = last ? `the BMC still reports '${last}'` : 'the BMC did not answer the last status poll';
  return new PowerError(`Power action '${target}' for node ${node} timed out after ${timeoutS} s: ${seen} instead of '${step.reach}'.`, { cause });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function asPowerError(err: unknown, node: string, doing: string): Error {
  if (err instanceof IpmitoolError) return new PowerError(`Failed to ${doing} for node ${node}: ${err.message}`, { cause: err });
  return err instanceof Error ? err : new PowerError(String(err));
}

export function createIpmitoolPower(options: IpmitoolPowerOptions = {}): PowerInterface {
  const client = options.client ?? defaultIpmitoolClient;
  const schedule = options.pollScheduleMs?.length ? options.pollScheduleMs : [250, 500, 1000];
  const defaults = options.defaultTimeoutS ?? { hard: 60, soft: 600 };

  async function status(settings: IpmiSettings, node: string, deadline?: number): Promise<PowerState> {
    let stdout: string;
    try {
      ({ stdout } = await client.run(settings, ['power', 'status'], { deadline }));
    } catch (err) {
      throw asPowerError(err, node, 'get power state');
    }
    const state = parsePowerStatus(stdout);
    if (!state) throw new PowerError(`Failed to get power state for node ${node}: unexpected ipmitool output ${JSON.stringify(stdout.trim().slice(0, 200))}`);
    return state;
  }

  async function runStep(settings: IpmiSettings, node: string, target: PowerTarget, step: Step, timeoutS: number): Promise<void> {
    const deadline = Date.now() + timeoutS * 1000;
    try {
      await client.run(settings, step.command, { deadline });
    } catch (err) {
      throw asPowerError(err, node, `send "${step.command.join(' ')}" (${target})`);
    }
    for (let i = 0; ; i++) {
      let state: PowerState;
      try {
        // A poll may overrun the deadline a little: it is the answer that decides, not when it was asked.
        state = await status(settings, node, deadline + POLL_GRACE_MS);
      } catch (err) {
        if (Date.now() >= deadline) throw timedOut(node, target, step, timeoutS, null, err);
        throw err;
      }
      if (state === step.reach) return;
      const left = deadline - Date.now();
      if (left <= 0) throw timedOut(node, target, step, timeoutS, state);
      await sleep(Math.min(schedule[Math.min(i, schedule.length - 1)]!, left));
    }
  }

  return defineInterface({
    kind: 'power',
    name: 'ipmitool',
    properties: IPMI_PROPERTIES,
    validate: validateIpmiInfo,
    async getPowerState({ node }: DriverCall): Promise<PowerState> {
      return status(parseIpmiSettings(node.driverInfo), node.uuid);
    },
    async setPowerState({ node }: DriverCall, target: PowerTarget, opts?: { timeoutS?: number }): Promise<void> {
      const plan = PLANS[target];
      if (!plan) throw new PowerError(`Unsupported power target '${String(target)}' for node ${node.uuid}.`);
      const settings = parseIpmiSettings(node.driverInfo);
      // timeoutS bounds each wait, so a reboot may take up to twice as long (Ironic counts the same way).
      for (const step of plan) {
        await runStep(settings, node.uuid, target, step, opts?.timeoutS ?? (step.soft ? defaults.soft : defaults.hard));
      }
    },
  });
}
