// Rescue through the agent (Ironic's `agent` rescue interface): boot the rescue ramdisk; when its agent calls
// back, hand it the rescue password (`rescue.finalize_rescue`), after which the agent stops its API and the
// user logs in as `rescue`. Unrescue boots the instance from its disk again.
import { MissingParameterValueError } from '../../common/errors.js';
import type { DriverTask, HeartbeatOutcome, RescueInterface, ValidationContext } from '../interfaces.js';
import { defineInterface } from '../interfaces.js';
import { requirePort } from '../pxe/pxe-interfaces.js';
import { agentClient, bootRamdisk, powerOffNode, withoutAgentBoot } from './agent-steps.js';

function validateRescue(ctx: ValidationContext): void {
  requirePort(ctx);
  const info = ctx.node.driverInfo;
  const missing = ['rescue_kernel', 'rescue_ramdisk'].filter((k) => !info[k]);
  if (missing.length) throw new MissingParameterValueError(`Node ${ctx.node.uuid} is missing the following driver_info: ${missing.join(', ')}`);
}

export const AgentRescue: RescueInterface = defineInterface({
  kind: 'rescue',
  name: 'agent',
  properties: {
    rescue_kernel: { description: 'URL of the rescue kernel. Required for rescue.', required: false },
    rescue_ramdisk: { description: 'URL of the rescue ramdisk. Required for rescue.', required: false },
  },
  validate: validateRescue,
  async rescue(task: DriverTask) {
    await bootRamdisk(task, 'rescue');
    return { kind: 'wait' } as const;
  },
  async heartbeat(task: DriverTask): Promise<HeartbeatOutcome> {
    const password = task.node.instanceInfo.rescue_password;
    if (typeof password !== 'string' || !password) throw new MissingParameterValueError(`Node ${task.node.uuid} has no rescue password`);
    await agentClient(task).run('rescue.finalize_rescue', { rescue_password: password, hashed: false });
    // The ramdisk keeps running as the rescue system; its boot files are no longer needed.
    await task.driver.boot().cleanUpRamdisk(task);
    await task.save({ driverInternalInfo: withoutAgentBoot(task.node.driverInternalInfo) });
    return { kind: 'resume' };
  },
  async unrescue(task: DriverTask) {
    await powerOffNode(task);
    await task.driver.boot().cleanUpRamdisk(task);
    await task.driver.boot().prepareInstance(task);
    await task.driver.power().setPowerState(task, 'power on', { timeoutS: task.env.config.powerActionTimeout });
    await task.save({ powerState: 'power on' });
  },
  async cleanUp(task: DriverTask) {
    await task.driver.boot().cleanUpRamdisk(task);
  },
});
