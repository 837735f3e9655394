// Changing a node's boot mode and secure boot (API 1.76). As in Ironic the request is checked up front, the
// change runs in the background holding the node lock (the API answers 202), and a failure is recorded in
// `last_error` instead of moving the provision state. Success records the new value on the node.
import { ConflictError, InvalidParameterValueError } from '../common/errors.js';
import { log } from '../common/log.js';
import type { NodeRecord } from '../db/records.js';
import type { TargetBootMode } from '../drivers/interfaces.js';
import type { ConductorContext } from './context.js';
import { managementCapability } from './driver-extras.js';
import { acquireNode, type Task } from './task.js';

export const BOOT_MODES: readonly TargetBootMode[] = ['bios', 'uefi'];

/** Ironic's UNSTABLE_STATES: a boot mode change could interfere with what the node is doing. */
const UNSTABLE_STATES = new Set(['deploying', 'wait call-back', 'cleaning', 'clean wait', 'verifying', 'deleting', 'inspecting',
  'inspect wait', 'rescuing', 'rescue wait', 'unrescuing', 'adopting', 'servicing', 'service wait']);

function checkStable(node: NodeRecord): void {
  if (UNSTABLE_STATES.has(node.provisionState)) {
    throw new ConflictError(`Node is in ${node.provisionState} state. Since node is transitioning, the boot mode will not be set as ` +
      'this may interfere with ongoing changes and result in erroneous modification. Try again later.');
  }
}

type Change = { kind: 'boot mode'; target: TargetBootMode } | { kind: 'secure boot'; target: boolean };

async function runChange(task: Task, change: Change): Promise<void> {
  const node = task.node;
  try {
    const cap = managementCapability(task.driver, 'bootModes');
    if (!cap) throw new Error(`management interface ${task.driver.get('management').name} cannot change the ${change.kind}`);
    if (change.kind === 'boot mode') {
      if (node.bootMode === change.target) return;
      await cap.setBootMode({ node }, change.target);
      await task.save({ bootMode: change.target });
    } else {
      if (node.secureBoot === change.target) return;
      await cap.setSecureBoot({ node }, change.target);
      await task.save({ secureBoot: change.target });
    }
    log.info(`${change.kind} changed`, { node: node.uuid, target: change.target });
  } catch (err) {
    const what = change.kind === 'boot mode' ? 'boot mode' : 'secure boot state';
    await task.save({ lastError: `Failed changing node ${node.uuid} ${what} to ${change.target}. Error: ${(err as Error).message}` });
    log.warn(`${change.kind} change failed`, { node: node.uuid, error: (err as Error).message });
  }
}

async function startChange(ctx: ConductorContext, node: NodeRecord, change: Change): Promise<void> {
  checkStable(node);
  await acquireNode(ctx, node, `changing node ${change.kind}`, async (task) => {
    checkStable(task.node);
    await task.save({ lastError: null });
    task.spawnAfter((t) => runChange(t, change));
  });
}

/** PUT /states/boot_mode. @throws InvalidParameterValueError (400), ConflictError / NodeLockedError (409). */
export async function changeBootMode(ctx: ConductorContext, node: NodeRecord, target: unknown): Promise<void> {
  if (typeof target !== 'string' || !(BOOT_MODES as readonly string[]).includes(target)) {
    throw new InvalidParameterValueError(`Invalid boot mode ${String(target)} requested for node. Allowed boot modes are: ${BOOT_MODES.join(', ')}`);
  }
  await startChange(ctx, node, { kind: 'boot mode', target: target as TargetBootMode });
}

/** PUT /states/secure_boot; `target` is already a boolean. */
export async function changeSecureBoot(ctx: ConductorContext, node: NodeRecord, target: boolean): Promise<void> {
  await startChange(ctx, node, { kind: 'secure boot', target });
}
