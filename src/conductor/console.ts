// The node's serial console (Ironic's set_console_mode / get_console_information): enabling and disabling
// it through the node's console interface, what GET /states/console shows, stopping it when the node goes,
// and bringing back the consoles of console-enabled nodes when this conductor starts. A console that dies
// on its own turns console_enabled off and leaves one sentence in last_error.
import { InvalidParameterValueError, UnsupportedDriverExtensionError } from '../common/errors.js';
import { log } from '../common/log.js';
import type { NodeRecord } from '../db/records.js';
import { nowTimestamp } from '../db/schema.js';
import type { ConsoleEnvironment, ConsoleInfo, ConsoleInterface, HardwareInterface } from '../drivers/interfaces.js';
import { bootsOverNetwork, findHardwareType } from '../drivers/hardware-types.js';
import type { ConductorContext } from './context.js';
import { composeDriver } from './driver-factory.js';
import { acquireNode } from './task.js';

function isConsole(i: HardwareInterface): i is ConsoleInterface {
  return typeof (i as ConsoleInterface).startConsole === 'function';
}

function consoleOf(ctx: Pick<ConductorContext, 'config'>, node: NodeRecord): ConsoleInterface {
  const impl = composeDriver(node, ctx.config.enabledHardwareTypes).get('console');
  if (!isConsole(impl)) throw new UnsupportedDriverExtensionError(`Driver ${node.driver} does not support console (disabled or not implemented).`);
  return impl;
}

/** "LOW:HIGH" (Ironic's [console]port_range). @throws InvalidParameterValueError for anything else. */
export function parsePortRange(text: string): [number, number] {
  const m = /^(\d{1,5}):(\d{1,5})$/.exec(text.trim());
  const lo = Number(m?.[1]);
  const hi = Number(m?.[2]);
  if (!m || lo < 1 || hi > 65535 || lo > hi) throw new InvalidParameterValueError(`consolePortRange must be "LOW:HIGH" within 1-65535, got "${text}".`);
  return [lo, hi];
}

function environment(ctx: ConductorContext, node: NodeRecord): ConsoleEnvironment {
  return {
    address: ctx.config.consoleAddress,
    portRange: parsePortRange(ctx.config.consolePortRange),
    onExit: (reason) => {
      // No lock: like maintenance, this records a fact about the node, whatever it is doing.
      void ctx.tables.nodes.update(node.id, { consoleEnabled: false, lastError: reason, updatedAt: nowTimestamp() })
        .catch((err: unknown) => log.warn('could not record the console exit', { node: node.uuid, error: (err as Error).message }));
    },
  };
}

/** GET /states/console: `console_info` is null while the console is off. */
export function consoleState(ctx: Pick<ConductorContext, 'config'>, node: NodeRecord): { console_enabled: boolean; console_info: ConsoleInfo | null } {
  const impl = consoleOf(ctx, node);
  if (!node.consoleEnabled) return { console_enabled: false, console_info: null };
  return { console_enabled: true, console_info: impl.getConsole({ node }) };
}

/** PUT /states/console. Checks synchronously, then starts or stops the console in the background (202). */
export async function setConsoleMode(ctx: ConductorContext, node: NodeRecord, enabled: boolean): Promise<void> {
  const impl = consoleOf(ctx, node);
  const portCount = await ctx.tables.ports.count([{ col: 'nodeUuid', op: 'eq', value: node.uuid }]);
  const networkBoot = bootsOverNetwork(findHardwareType(node.driver, ctx.config.enabledHardwareTypes), node);
  await impl.validate?.({ node, portCount, networkBoot, config: ctx.config });
  if (enabled) parsePortRange(ctx.config.consolePortRange);
  await acquireNode(ctx, node, enabled ? 'enabling console' : 'disabling console', async (task) => {
    const running = impl.getConsole({ node: task.node }) !== null;
    if (task.node.consoleEnabled === enabled && running === enabled) {
      log.info(`console already ${enabled ? 'enabled' : 'disabled'}`, { node: node.uuid });
      return;
    }
    task.spawnAfter(async (t) => {
      try {
        if (enabled) await impl.startConsole({ node: t.node }, environment(ctx, t.node));
        else await impl.stopConsole({ node: t.node });
        await t.save({ consoleEnabled: enabled, lastError: null });
      } catch (err) {
        await t.save({ lastError: `Failed to ${enabled ? 'start' : 'stop'} the console of node ${t.node.uuid}: ${(err as Error).message}` });
      }
    });
  });
}

/** The node is being deleted: its console goes with it. Never throws. */
export async function stopNodeConsole(ctx: Pick<ConductorContext, 'config'>, node: NodeRecord): Promise<void> {
  try {
    await consoleOf(ctx, node).stopConsole({ node });
  } catch (err) {
    if (!(err instanceof UnsupportedDriverExtensionError)) log.warn('could not stop the console', { node: node.uuid, error: (err as Error).message });
  }
}

/** Conductor start-up: nodes this conductor owns that say console_enabled get their console back. */
export async function restartConsoles(ctx: ConductorContext): Promise<void> {
  const nodes = await ctx.tables.nodes.list({ filters: [{ col: 'consoleEnabled', op: 'eq', value: 1 }] });
  for (const node of nodes) {
    if ((await ctx.registry.conductorFor(node.uuid, node.driver, node.conductorGroup)) !== ctx.registry.hostname) continue;
    try {
      await consoleOf(ctx, node).startConsole({ node }, environment(ctx, node));
    } catch (err) {
      const reason = `Failed to restart the console of node ${node.uuid}: ${(err as Error).message}`;
      log.warn('console restart failed', { node: node.uuid, error: (err as Error).message });
      await ctx.tables.nodes.update(node.id, { consoleEnabled: false, lastError: reason, updatedAt: nowTimestamp() });
    }
  }
}

/** Service shutdown: every console this process runs is stopped (the flag stays, for the next start). */
export async function stopConsoles(ctx: ConductorContext): Promise<void> {
  const nodes = await ctx.tables.nodes.list({ filters: [{ col: 'consoleEnabled', op: 'eq', value: 1 }] });
  for (const node of nodes) await stopNodeConsole(ctx, node);
}
