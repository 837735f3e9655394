// Waiting for a node to settle after an asynchronous request (the API answers 202 at once): the
// `--wait [TIMEOUT]` option, ironicclient's wait_for_provision_state rules for provision verbs, and
// Anvil's own equivalent for power changes, which the stock client cannot wait for.

import type { Command } from 'commander';
import { CliError, UsageError } from '../../errors.js';
import { fetchObject, type ApiObject } from '../../listing.js';
import { pyStr, pyStrRepr } from '../../output/python-repr.js';
import type { Runtime } from '../../runtime.js';
import { nodePath } from './shared.js';

/** Poll period when ANVIL_CLI_POLL_INTERVAL_MS is not set: ironicclient's default of 2 s. */
export const DEFAULT_POLL_INTERVAL_MS = 2000;

export interface WaitSettings {
  /** The ident as the user typed it: messages name the node the way the stock client does. */
  readonly node: string;
  /** Seconds; 0 waits forever. */
  readonly timeoutS: number;
  readonly intervalMs: number;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  /** Receives progress lines (stderr in the CLI, so stdout stays parseable). */
  readonly progress: (line: string) => void;
}

/** Adds `--wait [<time-out>]` (argparse's nargs='?' with const 0) to a command. */
export function addWaitOption(cmd: Command, help: string): Command {
  return cmd.option('--wait [time-out]', help);
}

/**
 * The parsed `--wait` value: undefined when absent, 0 (forever) when given bare. Checked before the
 * request is sent, so a bad timeout never leaves a node half way through a transition unobserved.
 */
export function parseWaitTimeout(raw: unknown): number | undefined {
  if (raw === undefined || raw === false) return undefined;
  if (raw === true) return 0;
  const text = String(raw);
  if (!/^\s*[-+]?\d+\s*$/.test(text)) throw new UsageError(`argument --wait: invalid int value: ${pyStrRepr(text)}`);
  const n = Number(text);
  if (n < 0) throw new CliError('Timeout must be a non-negative number');
  return n;
}

/** Wait settings for this invocation; the poll period can be shortened through the environment (tests). */
export function waitSettings(rt: Runtime, node: string, timeoutS: number): WaitSettings {
  const env = rt.io.env.ANVIL_CLI_POLL_INTERVAL_MS;
  const intervalMs = env !== undefined && /^\d+$/.test(env) ? Number(env) : DEFAULT_POLL_INTERVAL_MS;
  return {
    node,
    timeoutS,
    intervalMs,
    now: () => Date.now(),
    sleep: rt.io.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    progress: (line) => rt.warn(line),
  };
}

/**
 * ironicclient's utils.poll: check, sleep, and give up once the deadline has passed. The first check
 * happens at once, and a check that started before the deadline is always evaluated.
 */
async function poll(s: WaitSettings, timeoutMessage: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = s.now() + s.timeoutS * 1000;
  while (s.timeoutS === 0 || s.now() < deadline) {
    if (await check()) return;
    await s.sleep(s.intervalMs);
  }
  throw new CliError(timeoutMessage);
}

/** Reports a state only when it differs from the previous report, so long waits do not flood stderr. */
function changeReporter(s: WaitSettings): (line: string) => void {
  let last: string | undefined;
  return (line) => {
    if (line === last) return;
    last = line;
    s.progress(line);
  };
}

/**
 * Polls the node until `provision_state` is `expected`. Fails at once on `error` or a `... failed`
 * state (with the node's last_error) and on any other stable state, i.e. one with no target.
 */
export async function waitForProvisionState(
  fetchNode: () => Promise<ApiObject>,
  expected: string,
  s: WaitSettings,
): Promise<void> {
  const want = expected.toLowerCase();
  const report = changeReporter(s);
  s.progress(`Waiting for provision state ${want} on node ${s.node}`);
  await poll(s, `Node ${s.node} failed to reach state ${want} in ${s.timeoutS} seconds`, async () => {
    const n = await fetchNode();
    const state = String(n.provision_state);
    const target = n.target_provision_state;
    report(`Node ${s.node} provision state: ${state}${target ? ` (target: ${pyStr(target)})` : ''}`);
    if (state === want) return true;
    // Checked before the stable-state rule: failed states have no target either, and the error matters.
    if (state === 'error' || state.endsWith(' failed')) {
      throw new CliError(
        `Node ${s.node} failed to reach state ${want}. It's in state ${state}, and has error: ${pyStr(n.last_error)}`,
      );
    }
    if (!target) {
      // Anvil addition: a verification that fell back to enroll explains itself in last_error, so show it.
      const why = n.last_error ? `, and has error: ${pyStr(n.last_error)}` : '';
      throw new CliError(`Node ${s.node} failed to reach state ${want}. It's in unexpected stable state ${state}${why}`);
    }
    return false;
  });
}

/** The power state each power target ends in. */
export const POWER_RESULT: Readonly<Record<string, string>> = {
  'power on': 'power on',
  'power off': 'power off',
  rebooting: 'power on',
  'soft power off': 'power off',
  'soft rebooting': 'power on',
};

/**
 * Polls until the conductor has finished the power change (`target_power_state` cleared), then
 * requires the expected `power_state`. The server clears last_error when it accepts a power request,
 * so an error seen afterwards belongs to this change.
 */
export async function waitForPowerState(
  fetchNode: () => Promise<ApiObject>,
  expected: string,
  s: WaitSettings,
): Promise<void> {
  const report = changeReporter(s);
  s.progress(`Waiting for node ${s.node} to reach power state ${expected}`);
  await poll(s, `Node ${s.node} failed to reach power state ${expected} in ${s.timeoutS} seconds`, async () => {
    const n = await fetchNode();
    const state = pyStr(n.power_state);
    const target = n.target_power_state;
    report(`Node ${s.node} power state: ${state}${target ? ` (target: ${pyStr(target)})` : ''}`);
    if (target) return false;
    if (n.last_error) {
      throw new CliError(
        `Node ${s.node} failed to reach power state ${expected}. It's in power state ${state}, and has error: ${pyStr(n.last_error)}`,
      );
    }
    if (state !== expected) {
      throw new CliError(`Node ${s.node} failed to reach power state ${expected}. It's in power state ${state}`);
    }
    return true;
  });
}

/** GET of the node for the wait loops. */
export function nodeFetcher(rt: Runtime, cmd: Command, ident: string): () => Promise<ApiObject> {
  const client = rt.client(cmd);
  return () => fetchObject(client, nodePath(ident));
}
