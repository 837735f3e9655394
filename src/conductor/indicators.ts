// Indicator LEDs (API 1.63) through the node's management interface. An indicator is addressed as
// "<indicator>@<component>" (e.g. "led@system"). Reads need no lock (Ironic takes a shared one); setting
// a state holds the node lock.
import { InvalidParameterValueError } from '../common/errors.js';
import type { NodeRecord } from '../db/records.js';
import { INDICATOR_STATES, type IndicatorState } from '../drivers/interfaces.js';
import type { ConductorContext } from './context.js';
import { composeDriver } from './driver-factory.js';
import { requireManagementCapability } from './driver-extras.js';
import { acquireNode } from './task.js';

export interface IndicatorEntry {
  /** "<indicator>@<component>" */
  readonly name: string;
  readonly component: string;
  readonly readonly: boolean;
  readonly states: readonly IndicatorState[];
}

/** Splits at the first "@", as Ironic does. @throws InvalidParameterValueError (400) without one. */
export function parseIndicator(ident: string): { indicator: string; component: string } {
  const at = ident.indexOf('@');
  if (at < 0) throw new InvalidParameterValueError(`Malformed indicator name "${ident}"`);
  return { indicator: ident.slice(0, at), component: ident.slice(at + 1) };
}

const capability = (ctx: ConductorContext, node: NodeRecord) =>
  requireManagementCapability(composeDriver(node, ctx.config.enabledHardwareTypes), 'indicators', node.uuid);

export async function listIndicators(ctx: ConductorContext, node: NodeRecord): Promise<IndicatorEntry[]> {
  const byComponent = await capability(ctx, node).supported({ node });
  const out: IndicatorEntry[] = [];
  for (const [component, indicators] of Object.entries(byComponent)) {
    for (const [name, info] of Object.entries(indicators)) {
      out.push({ name: `${name}@${component}`, component, readonly: info.readonly, states: [...info.states] });
    }
  }
  return out;
}

export async function getIndicatorState(ctx: ConductorContext, node: NodeRecord, ident: string): Promise<IndicatorState> {
  const { indicator, component } = parseIndicator(ident);
  return capability(ctx, node).getState({ node }, component, indicator);
}

/** PUT …/indicators/{ident} `{state}`. Accepts the state in any letter case; UNKNOWN cannot be requested. */
export async function setIndicatorState(ctx: ConductorContext, node: NodeRecord, ident: string, state: string): Promise<void> {
  const { indicator, component } = parseIndicator(ident);
  const wanted = state.toUpperCase() as IndicatorState;
  if (!INDICATOR_STATES.includes(wanted) || wanted === 'UNKNOWN') {
    throw new InvalidParameterValueError(`Invalid state ${state} specified; use one of ON, OFF, BLINKING.`);
  }
  await acquireNode(ctx, node, 'setting indicator state', async (task) => {
    const cap = requireManagementCapability(task.driver, 'indicators', node.uuid);
    await cap.setState({ node: task.node }, component, indicator, wanted);
  });
}
