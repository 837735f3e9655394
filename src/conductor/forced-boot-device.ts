// `ipmi_force_boot_device`: some BMCs forget the boot device across power cycles. For nodes that say so, the
// conductor remembers the persistent boot device it set and sets it again right before every power on.
import type { BootDevice } from '../drivers/interfaces.js';
import type { Task } from './task.js';

function forced(task: Task): boolean {
  const v = task.node.driverInfo.ipmi_force_boot_device;
  return v === true || (typeof v === 'string' && ['true', '1', 'yes', 'on'].includes(v.toLowerCase()));
}

/** Records a persistent boot device choice so it can be re-applied (only for nodes that need it). */
export async function rememberBootDevice(task: Task, device: BootDevice, persistent: boolean): Promise<void> {
  if (!forced(task)) return;
  const { persistent_boot_device: _old, ...rest } = task.node.driverInternalInfo;
  await task.save({ driverInternalInfo: persistent ? { ...rest, persistent_boot_device: device } : rest });
}

/** Called before powering a node on: sets the remembered device again when the BMC cannot keep it. */
export async function reapplyBootDevice(task: Task): Promise<void> {
  const device = task.node.driverInternalInfo.persistent_boot_device;
  if (!forced(task) || typeof device !== 'string') return;
  await task.driver.management().setBootDevice({ node: task.node }, device as BootDevice, { persistent: true });
}
