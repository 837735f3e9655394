// Deploy and clean steps: the plan (the driver's steps merged with the user's and the deploy templates', by
// priority), running it one step at a time, pausing when a step waits for the agent, and resuming at the next
// step when the agent reports it finished. The plan and the position live in driver_internal_info
// (`deploy_steps`/`deploy_step_index`, `clean_steps`/`clean_step_index`, as Ironic keeps them) and the running
// step in the node's `deploy_step`/`clean_step`, so a restart or another conductor can pick the node up.
import { InvalidParameterValueError } from '../../common/errors.js';
import { log } from '../../common/log.js';
import type { DeployStep, NodeRecord } from '../../db/records.js';
import type { InterfaceKind, StepCall, StepDescriptor, StepFlow } from '../../drivers/interfaces.js';
import type { Task } from '../task.js';

const KEYS = {
  deploy: { plan: 'deploy_steps', index: 'deploy_step_index', field: 'deployStep' },
  clean: { plan: 'clean_steps', index: 'clean_step_index', field: 'cleanStep' },
} as const satisfies Record<StepFlow, { plan: string; index: string; field: keyof NodeRecord }>;

/** A step the user asked for (deploy_steps / clean_steps argument, or a deploy template). */
export interface RequestedStep {
  readonly interface: string;
  readonly step: string;
  readonly args?: Readonly<Record<string, unknown>>;
  readonly priority?: number;
}

const stepKey = (s: { interface: string; step: string }) => `${s.interface}.${s.step}`;

/**
 * Ironic's merge: the driver's steps at their default priority; a requested step with the same name overrides
 * the priority and args (priority 0 disables it); a requested step the driver does not offer is refused.
 * Higher priority runs first; equal priorities keep the driver's order.
 */
export function mergeSteps(offered: readonly StepDescriptor[], requested: readonly RequestedStep[], what: string): StepCall[] {
  const byKey = new Map<string, StepCall>();
  const order: string[] = [];
  for (const s of offered) {
    byKey.set(stepKey(s), { interface: s.interface, step: s.step, args: {}, priority: s.priority });
    order.push(stepKey(s));
  }
  for (const r of requested) {
    const key = stepKey(r);
    const base = byKey.get(key);
    if (!base) {
      const known = offered.map(stepKey).join(', ') || 'none';
      throw new InvalidParameterValueError(`${what} step "${key}" is not supported by the node's driver; supported steps: ${known}`);
    }
    byKey.set(key, { ...base, args: { ...base.args, ...(r.args ?? {}) }, priority: r.priority ?? base.priority });
  }
  return order.map((k) => byKey.get(k)!).filter((s) => s.priority > 0)
    .map((s, i) => ({ s, i })).sort((a, b) => b.s.priority - a.s.priority || a.i - b.i).map(({ s }) => s);
}

/** Manual cleaning runs exactly the steps asked for, in the order given, with the driver's knowledge of them. */
export function manualSteps(offered: readonly StepDescriptor[], requested: readonly RequestedStep[]): StepCall[] {
  return requested.map((r) => {
    const known = offered.find((o) => stepKey(o) === stepKey(r));
    if (!known) {
      throw new InvalidParameterValueError(`Clean step "${stepKey(r)}" is not supported by the node's driver; supported steps: ${offered.map(stepKey).join(', ') || 'none'}`);
    }
    return { interface: known.interface, step: known.step, args: { ...(r.args ?? {}) }, priority: known.priority };
  });
}

/** Steps of the deploy templates named by the node's instance_info.traits (Ironic matches templates by name). */
export async function templateSteps(task: Task): Promise<RequestedStep[]> {
  const traits = task.node.instanceInfo.traits;
  if (!Array.isArray(traits) || traits.length === 0) return [];
  const templates = await task.ctx.tables.deployTemplates.list({ filters: [{ col: 'name', op: 'in', value: traits.map(String) }] });
  return templates.flatMap((t) => t.steps as DeployStep[]);
}

function plannedSteps(node: NodeRecord, flow: StepFlow): StepCall[] | null {
  const plan = node.driverInternalInfo[KEYS[flow].plan];
  return Array.isArray(plan) && typeof node.driverInternalInfo[KEYS[flow].index] === 'number' ? (plan as StepCall[]) : null;
}

/** The step the node is running or waiting in, if a plan exists. */
export function currentStep(node: NodeRecord, flow: StepFlow): StepCall | null {
  const plan = plannedSteps(node, flow);
  const index = node.driverInternalInfo[KEYS[flow].index] as number;
  return plan?.[index] ?? null;
}

export function hasPlan(node: NodeRecord, flow: StepFlow): boolean {
  return plannedSteps(node, flow) !== null;
}

/** Stores a fresh plan positioned before its first step. */
export async function savePlan(task: Task, flow: StepFlow, plan: readonly StepCall[]): Promise<void> {
  const k = KEYS[flow];
  await task.save({ driverInternalInfo: { ...task.node.driverInternalInfo, [k.plan]: plan, [k.index]: -1 } });
  log.info('steps planned', { node: task.node.uuid, flow, steps: plan.map((s) => `${stepKey(s)}:${s.priority}`).join(',') });
}

/** Removes the plan, position and current step (the flow ended). */
export async function clearPlan(task: Task, flow: StepFlow): Promise<void> {
  const k = KEYS[flow];
  const { [k.plan]: _p, [k.index]: _i, agent_command: _c, ...rest } = task.node.driverInternalInfo;
  await task.save({ driverInternalInfo: rest, [k.field]: {} });
}

export type RunOutcome = 'finished' | 'waiting';

/**
 * Runs the plan from the step after the current one. A step that throws fails the flow with a message naming
 * it (the caller records it); one that returns `wait` leaves the node in its wait state.
 */
export async function runSteps(task: Task, flow: StepFlow): Promise<RunOutcome> {
  const k = KEYS[flow];
  const plan = plannedSteps(task.node, flow);
  if (!plan) throw new Error(`no ${flow} steps planned for node ${task.node.uuid}`);
  const deploy = task.driver.deploy();
  for (let i = (task.node.driverInternalInfo[k.index] as number) + 1; i < plan.length; i++) {
    const step = plan[i]!;
    await task.save({ driverInternalInfo: { ...task.node.driverInternalInfo, [k.index]: i }, [k.field]: { ...step } });
    log.info('step started', { node: task.node.uuid, flow, step: stepKey(step) });
    let result;
    try {
      result = await executeStep(task, flow, step);
    } catch (err) {
      throw new StepError(flow, step, err as Error);
    }
    if (result.kind === 'wait') return 'waiting';
  }
  return 'finished';
}

/** Steps of the deploy interface run there; steps of other interfaces are not offered by any interface yet. */
function executeStep(task: Task, flow: StepFlow, step: StepCall) {
  const kind: InterfaceKind = step.interface as InterfaceKind;
  if (kind !== 'deploy') throw new Error(`no interface of kind ${kind} runs ${flow} steps`);
  return task.driver.deploy().executeStep(task, flow, step);
}

/** A failed step: its name and the cause, for last_error. */
export class StepError extends Error {
  constructor(readonly flow: StepFlow, readonly step: StepCall, cause: Error) {
    super(`${flow === 'deploy' ? 'Deploy' : 'Clean'} step ${stepKey(step)} failed: ${cause.message}`, { cause });
  }
}

export function describeStep(step: StepCall | null): string {
  return step ? stepKey(step) : 'none';
}
