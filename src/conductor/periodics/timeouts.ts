// Fails nodes that waited too long for their ramdisk agent: each wait state has its own timeout, counted from
// provision_updated_at (which agent heartbeats refresh).
import { NodeLockedError } from '../../common/errors.js';
import { log } from '../../common/log.js';
import type { Config } from '../../common/config.js';
import type { ConductorContext } from '../context.js';
import { acquireNode } from '../task.js';
import { cleanUpAfterFailedWait } from '../workflows/flows.js';

type TimeoutSetting = 'deployCallbackTimeout' | 'cleanCallbackTimeout' | 'inspectWaitTimeout' | 'rescueCallbackTimeout' | 'serviceCallbackTimeout';

const WAIT_STATES: Record<string, { setting: TimeoutSetting; message: (uuid: string) => string; fault?: string }> = {
  'wait call-back': { setting: 'deployCallbackTimeout', message: (u) => `Timeout reached while waiting for callback for node ${u}` },
  'clean wait': { setting: 'cleanCallbackTimeout', message: (u) => `Timeout reached while cleaning the node ${u}. Please check if the ramdisk responsible for the cleaning is running on the node.`, fault: 'clean failure' },
  'inspect wait': { setting: 'inspectWaitTimeout', message: (u) => `Timeout reached while inspecting the node ${u}` },
  'rescue wait': { setting: 'rescueCallbackTimeout', message: (u) => `Timeout reached while waiting for rescue ramdisk callback for node ${u}`, fault: 'rescue abort failure' },
  'service wait': { setting: 'serviceCallbackTimeout', message: (u) => `Timeout reached while servicing the node ${u}`, fault: 'service failure' },
};

/** Seconds each wait state may last (the dashboard shows time in state against it). */
export function waitTimeoutsS(config: Config): Record<string, number> {
  return Object.fromEntries(Object.entries(WAIT_STATES).map(([state, rule]) => [state, config[rule.setting]]));
}

function timeoutMs(config: Config, setting: TimeoutSetting): number {
  return config[setting] * 1000;
}

export async function failTimedOutWaits(ctx: ConductorContext): Promise<number> {
  const now = Date.now();
  const waiting = await ctx.tables.nodes.list({ filters: [{ col: 'provisionState', op: 'in', value: Object.keys(WAIT_STATES) }, { col: 'reservation', op: 'isNull' }] });
  let failed = 0;
  for (const node of waiting) {
    // As Ironic: a node an operator put in maintenance is left waiting; its wait resumes when it leaves.
    if (node.maintenance) continue;
    const rule = WAIT_STATES[node.provisionState]!;
    const since = Date.parse(node.provisionUpdatedAt ?? node.updatedAt ?? node.createdAt);
    if (now - since < timeoutMs(ctx.config, rule.setting)) continue;
    if ((await ctx.registry.conductorFor(node.uuid, node.driver, node.conductorGroup)) !== ctx.registry.hostname) continue;
    try {
      await acquireNode(ctx, node, 'wait timeout', async (task) => {
        if (task.node.provisionState !== node.provisionState) return;
        await task.fail(rule.message(node.uuid), 'fail', rule.fault);
        failed++;
        await cleanUpAfterFailedWait(task);
      });
    } catch (err) {
      if (!(err instanceof NodeLockedError)) log.warn('timeout handling failed', { node: node.uuid, error: (err as Error).message });
    }
  }
  return failed;
}
