// The background part of each provision verb: what runs after the API has answered 202 and the node has
// entered its transitional state, and what an agent's call-back continues. Flows call the node's interfaces
// (deploy, boot, inspect, rescue) and never look at interface names; each ends by firing done/wait/fail, with
// failures in last_error naming the step and the cause.
import { log } from '../../common/log.js';
import { nowTimestamp } from '../../db/schema.js';
import type { AgentCallback, StepFlow } from '../../drivers/interfaces.js';
import type { Task } from '../task.js';
import { dropAllocationAfterTeardown } from '../allocation-service.js';
import type { ProvisionState, UserEvent } from '../states.js';
import { prepareInstanceImage, releaseInstanceImage } from './instance-image.js';
import { recordFindings } from './inspection.js';
import { clearPlan, currentStep, hasPlan, manualSteps, StepError, mergeSteps, runSteps, savePlan, templateSteps, type RequestedStep } from './steps.js';

type Flow = (task: Task) => Promise<void>;

const message = (err: unknown) => (err as Error).message;

/** Best-effort clean-up after a failure: its own error is logged, never hides the first one. */
async function quietly(task: Task, what: string, fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    log.warn(`${what} failed after an earlier failure`, { node: task.node.uuid, error: message(err) });
  }
}

async function attempt(task: Task, what: string, fn: () => Promise<void>): Promise<boolean> {
  try {
    await fn();
    return true;
  } catch (err) {
    await task.fail(`${what} failed for node ${task.node.uuid}: ${message(err)}`);
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

// ---- steps (deploy and clean) ---------------------------------------------------------------------------

const FLOW_LABEL: Record<StepFlow, string> = { deploy: 'Deploy', clean: 'Cleaning' };

/** Runs the plan on from the current position; fires wait, or finishes the flow. Failures fail the flow. */
async function continueSteps(task: Task, flow: StepFlow): Promise<void> {
  let outcome;
  try {
    outcome = await runSteps(task, flow);
  } catch (err) {
    await failSteps(task, flow, err);
    return;
  }
  if (outcome === 'waiting') {
    await task.fire('wait');
    return;
  }
  try {
    if (flow === 'clean') await task.driver.deploy().tearDownCleaning(task);
    await clearPlan(task, flow);
    await task.fire('done', flow === 'deploy' ? { lastError: null, deployStep: {} } : { lastError: null, cleanStep: {} });
    log.info(`${flow} finished`, { node: task.node.uuid });
  } catch (err) {
    await failSteps(task, flow, err);
  }
}

async function failSteps(task: Task, flow: StepFlow, err: unknown): Promise<void> {
  const text = message(err);
  if (flow === 'clean') await quietly(task, 'tearing down cleaning', () => task.driver.deploy().tearDownCleaning(task));
  else await quietly(task, 'tearing down a failed deploy', () => afterFailedDeploy(task));
  await quietly(task, 'clearing the step plan', () => clearPlan(task, flow));
  await task.fail(`${FLOW_LABEL[flow]} failed for node ${task.node.uuid}: ${text}`, 'fail', flow === 'clean' ? 'clean failure' : undefined);
}

/** A failed or aborted deploy leaves the node powered off with no ramdisk boot files (Ironic's default). */
async function afterFailedDeploy(task: Task): Promise<void> {
  await task.loadPorts();
  await quietly(task, 'removing ramdisk boot files', () => task.driver.boot().cleanUpRamdisk(task));
  await task.driver.power().setPowerState({ node: task.node }, 'power off', { timeoutS: task.ctx.config.powerActionTimeout });
  await task.save({ powerState: 'power off' });
}

const userDeploySteps = (task: Task): RequestedStep[] =>
  Array.isArray(task.node.driverInternalInfo.user_deploy_steps) ? (task.node.driverInternalInfo.user_deploy_steps as RequestedStep[]) : [];

const deploy: Flow = async (task) => {
  try {
    await task.loadPorts();
    await prepareInstanceImage(task);
    const offered = await task.driver.deploy().steps(task, 'deploy');
    const plan = mergeSteps(offered, [...(await templateSteps(task)), ...userDeploySteps(task)], 'Deploy');
    await savePlan(task, 'deploy', plan);
  } catch (err) {
    await failSteps(task, 'deploy', err);
    return;
  }
  await continueSteps(task, 'deploy');
};

function cleaningWanted(task: Task): boolean {
  return (task.node.automatedClean ?? task.ctx.config.automatedClean) !== false;
}

const isManualClean = (task: Task) => task.node.targetProvisionState === 'manageable';

/** cleaning: the deploy interface boots what the clean steps need (the agent) or has none to run. */
const clean: Flow = async (task) => {
  if (!isManualClean(task) && !cleaningWanted(task)) {
    await task.fire('done', { cleanStep: {}, lastError: null });
    return;
  }
  try {
    await task.loadPorts();
    const ready = await task.driver.deploy().prepareCleaning(task);
    if (ready.kind === 'wait') {
      await task.fire('wait');
      return;
    }
    await planCleaning(task);
  } catch (err) {
    await failSteps(task, 'clean', err);
    return;
  }
  await continueSteps(task, 'clean');
};

/** Automated cleaning runs every offered step with a priority above 0; manual cleaning exactly the requested. */
async function planCleaning(task: Task): Promise<void> {
  const offered = await task.driver.deploy().steps(task, 'clean');
  const requested = task.node.driverInternalInfo.clean_steps;
  const plan = isManualClean(task) && Array.isArray(requested)
    ? manualSteps(offered, requested as RequestedStep[]) : mergeSteps(offered, [], 'Clean');
  await savePlan(task, 'clean', plan);
}

/** deleting -> (tear down) -> cleaning -> available. */
const teardown: Flow = async (task) => {
  const ok = await attempt(task, 'Tear down', async () => {
    await task.loadPorts();
    await task.driver.deploy().tearDown(task);
    await releaseInstanceImage(task);
    const allocation = task.node.allocationUuid;
    const { agent_secret_token: _t, agent_url: _u, agent_verify_ca: _c, root_uuid_or_disk_id: _r, ...info } = task.node.driverInternalInfo;
    await task.fire('done', { instanceInfo: {}, instanceUuid: null, allocationUuid: null, deployStep: {}, driverInternalInfo: info });
    await dropAllocationAfterTeardown(task.ctx.tables, allocation);
  });
  if (ok) await clean(task);
};

// ---- inspection and rescue -------------------------------------------------------------------------------

/** Kinds whose configured implementation is only a declaration (fake, no-*) finish at once, as before. */
function acts(task: Task, kind: 'inspect' | 'rescue'): boolean {
  try {
    task.driver[kind]();
    return true;
  } catch {
    return false;
  }
}

const inspect: Flow = async (task) => {
  await task.save({ inspectionStartedAt: nowTimestamp(), inspectionFinishedAt: null });
  if (!acts(task, 'inspect')) {
    await task.fire('done', { inspectionFinishedAt: nowTimestamp(), lastError: null });
    return;
  }
  try {
    await task.loadPorts();
    const r = await task.driver.inspect().inspect(task);
    if (r.kind === 'wait') {
      await task.fire('wait');
      return;
    }
    await recordFindings(task, r.findings);
    await task.fire('done', { inspectionFinishedAt: nowTimestamp(), lastError: null });
  } catch (err) {
    await quietly(task, 'tearing down inspection', () => task.driver.inspect().tearDown(task));
    await task.fail(`Inspection failed for node ${task.node.uuid}: ${message(err)}`);
  }
};

const rescue: Flow = async (task) => {
  if (!acts(task, 'rescue')) {
    await task.fire('done', { lastError: null });
    return;
  }
  try {
    await task.loadPorts();
    const r = await task.driver.rescue().rescue(task);
    await task.fire(r.kind === 'wait' ? 'wait' : 'done', { lastError: null });
  } catch (err) {
    await quietly(task, 'cleaning up rescue', () => task.driver.rescue().cleanUp(task));
    await task.fail(`Rescue failed for node ${task.node.uuid}: ${message(err)}`);
  }
};

const unrescue: Flow = async (task) => {
  if (!acts(task, 'rescue')) {
    await task.fire('done', { lastError: null });
    return;
  }
  await attempt(task, 'Unrescue', async () => {
    await task.loadPorts();
    await task.driver.rescue().unrescue(task);
    const { rescue_password: _p, hashed_rescue_password: _h, ...info } = task.node.instanceInfo;
    await task.fire('done', { lastError: null, instanceInfo: info });
  });
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

// ---- abort: what an aborted wait leaves behind ------------------------------------------------------------

const ABORT_CLEANUP: Partial<Record<ProvisionState, Flow>> = {
  'deploy failed': async (task) => {
    await quietly(task, 'tearing down an aborted deploy', () => afterFailedDeploy(task));
    await quietly(task, 'clearing the step plan', () => clearPlan(task, 'deploy'));
  },
  'clean failed': async (task) => {
    await task.loadPorts();
    await quietly(task, 'tearing down aborted cleaning', () => task.driver.deploy().tearDownCleaning(task));
    await quietly(task, 'clearing the step plan', () => clearPlan(task, 'clean'));
  },
  'inspect failed': async (task) => {
    await task.loadPorts();
    if (acts(task, 'inspect')) await quietly(task, 'tearing down aborted inspection', () => task.driver.inspect().tearDown(task));
  },
  'rescue failed': async (task) => {
    await task.loadPorts();
    if (acts(task, 'rescue')) await quietly(task, 'cleaning up an aborted rescue', () => task.driver.rescue().cleanUp(task));
  },
};

/** Verbs whose transitional state has background work; verbs absent here (unhold) finish in the request. */
export const FLOWS: Partial<Record<UserEvent, Flow>> = {
  manage: verify, provide: clean, clean, deploy, rebuild: deploy, delete: teardown, inspect, adopt,
  rescue, unrescue, service: finishAtOnce,
};

/** `manage` from available (or a failed state) is a plain move: nothing to verify. Abort cleans up after the wait. */
export function flowFor(event: UserEvent, enteredState: string): Flow | undefined {
  if (event === 'manage' && enteredState !== 'verifying') return undefined;
  if (event === 'abort') return ABORT_CLEANUP[enteredState as ProvisionState];
  return FLOWS[event];
}

/**
 * After a wait ended in failure outside any flow (its timeout expired): power off and remove the ramdisk's boot
 * files as an abort would, so a node whose agent never came up is not left booting it forever.
 */
export async function cleanUpAfterFailedWait(task: Task): Promise<void> {
  await ABORT_CLEANUP[task.node.provisionState as ProvisionState]?.(task);
}

// ---- agent call-backs ---------------------------------------------------------------------------------------

/** A failure reported while a step waited (the agent's command failed): named after that step. */
function inStep(task: Task, flow: StepFlow, err: unknown): Error {
  const step = currentStep(task.node, flow);
  return step ? new StepError(flow, step, err as Error) : (err as Error);
}

/**
 * What a heartbeat continues, by the state the node waits in. Each runs holding the node's lock, in the
 * background (the heartbeat has been answered); a state absent here only refreshes the agent's facts.
 */
export const CALLBACKS: Partial<Record<ProvisionState, (task: Task, cb: AgentCallback) => Promise<void>>> = {
  'wait call-back': async (task, cb) => {
    await task.loadPorts();
    let outcome;
    try {
      outcome = await task.driver.deploy().heartbeat(task, 'deploy', cb);
    } catch (err) {
      await failSteps(task, 'deploy', inStep(task, 'deploy', err));
      return;
    }
    if (outcome.kind === 'wait') return;
    await task.fire('resume');
    await continueSteps(task, 'deploy');
  },
  'clean wait': async (task, cb) => {
    await task.loadPorts();
    try {
      if (!hasPlan(task.node, 'clean')) {
        // The first call-back: the agent is up and can say which clean steps it offers.
        await planCleaning(task);
      } else if ((await task.driver.deploy().heartbeat(task, 'clean', cb)).kind === 'wait') return;
    } catch (err) {
      await failSteps(task, 'clean', inStep(task, 'clean', err));
      return;
    }
    await task.fire('resume');
    await continueSteps(task, 'clean');
  },
  'rescue wait': async (task, cb) => {
    await task.loadPorts();
    try {
      const outcome = await task.driver.rescue().heartbeat(task, cb);
      if (outcome.kind === 'wait') return;
      await task.fire('done', { lastError: null });
    } catch (err) {
      await quietly(task, 'cleaning up rescue', () => task.driver.rescue().cleanUp(task));
      await task.fail(`Rescue failed for node ${task.node.uuid}: ${message(err)}`);
    }
  },
};

/** POST /v1/continue_inspection for a node in `inspect wait`: the inspect interface reads the report, we record it. */
export async function finishInspection(task: Task, data: Readonly<Record<string, unknown>>): Promise<void> {
  await task.loadPorts();
  try {
    await recordFindings(task, await task.driver.inspect().continueInspection(task, data));
    await quietly(task, 'tearing down inspection', () => task.driver.inspect().tearDown(task));
    await task.fire('done', { inspectionFinishedAt: nowTimestamp(), lastError: null });
  } catch (err) {
    await quietly(task, 'tearing down inspection', () => task.driver.inspect().tearDown(task));
    await task.fail(`Inspection failed for node ${task.node.uuid}: ${message(err)}`);
  }
}
