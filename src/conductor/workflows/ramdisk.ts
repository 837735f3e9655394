// Booting a node into the deploy ramdisk out of band: PXE as next boot device, then power it (re)on. The
// caller then waits for the agent to call back.
import type { Task } from '../task.js';

export async function bootIntoRamdisk(task: Task): Promise<void> {
  const call = { node: task.node };
  const mgmt = task.driver.management();
  await mgmt.setBootDevice(call, 'pxe', { persistent: false });
  const power = task.driver.power();
  const state = await power.getPowerState(call);
  await power.setPowerState(call, state === 'power on' ? 'rebooting' : 'power on', { timeoutS: task.ctx.config.powerActionTimeout });
  await task.save({ powerState: 'power on' });
}

export async function powerOff(task: Task): Promise<void> {
  const call = { node: task.node };
  const power = task.driver.power();
  await power.setPowerState(call, 'power off', { timeoutS: task.ctx.config.powerActionTimeout });
  await task.save({ powerState: 'power off' });
}

/** Deploy interfaces whose work happens inside the ramdisk agent, so the conductor must wait for it. */
export function usesAgent(task: Task): boolean {
  return ['direct', 'ramdisk'].includes(task.node.deployInterface ?? '');
}
