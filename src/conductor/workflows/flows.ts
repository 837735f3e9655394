// The background part of each provision verb: what runs after the API has answered 202 and the node has
// entered its transitional state. Each flow ends by firing done/wait/fail; failures land in last_error.
import type { Task } from '../task.js';
import { dropAllocationAfterTeardown } from '../allocation-service.js';
import { nowTimestamp } from '../../db/schema.js';
import { bootIntoRamdisk, powerOff, usesAgent } from './ramdisk.js';
import { prepareInstanceImage, releaseInstanceImage } from './instance-image.js';
import type { UserEvent } from '../states.js';

type Flow = (task: Task) => Promise<void>;

async function attempt(task: Task, what: string, fn: () => Promise<void>): Promise<boolean> {
  try {
    await fn();
    return true;
  } catch (err) {
    await task.fail(`${what} failed for node ${task.node.uuid}: ${(err as Error).message}`);
    return false;
  }
}

/** enroll -> verifying: the BMC must answer with a power state. */
const verify: Flow = async (task) => {
  await attempt(task, 'Verification', async () => {
    const state = await task.driver.power().getPowerState({ node: task.node });
    await task.fire('done', { powerState: state, lastError: null });
  });
};

function cleaningWanted(task: Task): boolean {
  return (task.node.automatedClean ?? task.ctx.config.automatedClean) !== false;
}

/** cleaning: agent-based nodes boot the ramdisk and wait in `clean wait`; fake deploy has no steps. */
const clean: Flow = async (task) => {
  const manual = task.node.targetProvisionState === 'manageable';
  if (!usesAgent(task) || (!manual && !cleaningWanted(task))) {
    await task.fire('done', { cleanStep: {}, lastError: null });
    return;
  }
  if (await attempt(task, 'Cleaning', () => bootIntoRamdisk(task))) await task.fire('wait');
};

const deploy: Flow = async (task) => {
  if (!usesAgent(task)) {
    await task.fire('done', { deployStep: {}, lastError: null, powerState: 'power on' });
    return;
  }
  const ready = await attempt(task, 'Deploy', async () => {
    await prepareInstanceImage(task);
    await bootIntoRamdisk(task);
  });
  if (ready) await task.fire('wait');
};

/** deleting -> (tear down) -> cleaning -> available. */
const teardown: Flow = async (task) => {
  const ok = await attempt(task, 'Tear down', async () => {
    if (usesAgent(task)) await powerOff(task);
    await releaseInstanceImage(task);
    const allocation = task.node.allocationUuid;
    await task.fire('done', { instanceInfo: {}, instanceUuid: null, allocationUuid: null, deployStep: {} });
    await dropAllocationAfterTeardown(task.ctx.tables, allocation);
  });
  if (ok) await clean(task);
};

const inspect: Flow = async (task) => {
  await task.save({ inspectionStartedAt: nowTimestamp(), inspectionFinishedAt: null });
  await task.fire('done', { inspectionFinishedAt: nowTimestamp(), lastError: null });
};

const adopt: Flow = async (task) => {
  await attempt(task, 'Adoption', async () => {
    const state = await task.driver.power().getPowerState({ node: task.node });
    await task.fire('done', { powerState: state, lastError: null });
  });
};

const finishAtOnce: Flow = async (task) => {
  await task.fire('done', { lastError: null });
};

/** Verbs whose transitional state has background work; verbs absent here (abort, unhold) finish in the request. */
export const FLOWS: Partial<Record<UserEvent, Flow>> = {
  manage: verify, provide: clean, clean, deploy, rebuild: deploy, delete: teardown, inspect, adopt,
  rescue: finishAtOnce, unrescue: finishAtOnce, service: finishAtOnce,
};

/** `manage` from available (or a failed state) is a plain move: nothing to verify. */
export function flowFor(event: UserEvent, enteredState: string): Flow | undefined {
  if (event === 'manage' && enteredState !== 'verifying') return undefined;
  return FLOWS[event];
}
