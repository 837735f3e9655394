// `baremetal node power on|off` and `baremetal node reboot`: PUT /v1/nodes/{node}/states/power with the
// target names ironicclient's set_power_state uses. The API answers 202 before the change happens;
// `--wait` (an Anvil addition) polls until the conductor reports the result.

import type { Command } from 'commander';
import { CliError, UsageError } from '../../errors.js';
import { pyStrRepr } from '../../output/python-repr.js';
import type { Runtime } from '../../runtime.js';
import { nodePath } from './shared.js';
import { POWER_RESULT, addWaitOption, nodeFetcher, parseWaitTimeout, waitForPowerState, waitSettings } from './wait.js';

interface PowerOptions {
  powerTimeout?: string;
  soft?: boolean;
  wait?: string | boolean;
}

const POWER_TIMEOUT_HELP =
  'Timeout (in seconds, positive integer) to wait for the target power state before erroring out.';

const WAIT_HELP = (state: string): string =>
  `Wait until the node reaches power state ${state} (Anvil extension). Optionally takes a timeout value ` +
  '(in seconds). The default value is 0, meaning it will wait indefinitely.';

/** ironicclient's mapping of (soft, action) to the API's power targets. */
export function powerTarget(action: 'on' | 'off' | 'reboot', soft: boolean): string {
  if (action === 'on') return 'power on';
  if (action === 'off') return soft ? 'soft power off' : 'power off';
  return soft ? 'soft rebooting' : 'rebooting';
}

/** argparse `type=int`, then set_power_state's positivity check (which runs before any request). */
export function parsePowerTimeout(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\s*[-+]?\d+\s*$/.test(raw)) throw new UsageError(`argument --power-timeout: invalid int value: ${pyStrRepr(raw)}`);
  const n = Number(raw);
  if (n <= 0) throw new CliError("'timeout' option for setting power state must have positive integer value (> 0)");
  return n;
}

async function changePower(rt: Runtime, self: Command, ident: string, target: string, o: PowerOptions): Promise<void> {
  const timeout = parsePowerTimeout(o.powerTimeout);
  const waitS = parseWaitTimeout(o.wait);
  const body = timeout === undefined ? { target } : { target, timeout };
  await rt.client(self).request('PUT', nodePath(ident, '/states/power'), body);
  if (waitS === undefined) return;
  await waitForPowerState(nodeFetcher(rt, self, ident), POWER_RESULT[target] ?? target, waitSettings(rt, ident, waitS));
}

function powerCommand(parent: Command, name: string, description: string, softHelp: string | undefined, resultState: string): Command {
  const cmd = parent
    .command(name)
    .description(description)
    .argument('<node>', 'Name or UUID of the node.');
  if (softHelp !== undefined) cmd.option('--soft', softHelp);
  cmd.option('--power-timeout <power-timeout>', POWER_TIMEOUT_HELP);
  return addWaitOption(cmd, WAIT_HELP(resultState));
}

export function registerPowerCommands(node: Command, rt: Runtime): void {
  const power = node.command('power').description('Change the power state of a node');
  powerCommand(power, 'on', 'Power on a node', undefined, 'power on').action(
    async (ident: string, o: PowerOptions, self: Command) => changePower(rt, self, ident, powerTarget('on', false), o),
  );
  powerCommand(power, 'off', 'Power off a node', 'Request graceful power-off.', 'power off').action(
    async (ident: string, o: PowerOptions, self: Command) => changePower(rt, self, ident, powerTarget('off', Boolean(o.soft)), o),
  );
  powerCommand(node, 'reboot', 'Reboot baremetal node', 'Request Graceful reboot.', 'power on').action(
    async (ident: string, o: PowerOptions, self: Command) => changePower(rt, self, ident, powerTarget('reboot', Boolean(o.soft)), o),
  );
}
