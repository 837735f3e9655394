// The provision state machine as data: every allowed (state, event) -> state, the user verbs that map to
// events (with the microversion that introduced them), and where each verb is heading.
import type { ProvisionEvent, ProvisionState, UserEvent } from './states.js';

type Transition = readonly [from: ProvisionState, event: ProvisionEvent, to: ProvisionState];

export const TRANSITIONS = [
  // enrolment and verification
  ['enroll', 'manage', 'verifying'],
  ['verifying', 'done', 'manageable'],
  ['verifying', 'fail', 'enroll'],
  ['available', 'manage', 'manageable'],
  // inspection
  ['manageable', 'inspect', 'inspecting'],
  ['inspect failed', 'inspect', 'inspecting'],
  ['inspect failed', 'manage', 'manageable'],
  ['inspecting', 'done', 'manageable'],
  ['inspecting', 'wait', 'inspect wait'],
  ['inspecting', 'fail', 'inspect failed'],
  ['inspect wait', 'resume', 'inspecting'],
  ['inspect wait', 'done', 'manageable'],
  ['inspect wait', 'fail', 'inspect failed'],
  ['inspect wait', 'abort', 'inspect failed'],
  // cleaning (automated through provide, manual through clean, and after undeploy)
  ['manageable', 'provide', 'cleaning'],
  ['manageable', 'clean', 'cleaning'],
  ['cleaning', 'done', 'available'],
  ['cleaning', 'done', 'manageable'],
  ['cleaning', 'wait', 'clean wait'],
  ['cleaning', 'fail', 'clean failed'],
  ['cleaning', 'hold', 'clean hold'],
  ['clean wait', 'resume', 'cleaning'],
  ['clean wait', 'fail', 'clean failed'],
  ['clean wait', 'abort', 'clean failed'],
  ['clean wait', 'hold', 'clean hold'],
  ['clean hold', 'unhold', 'clean wait'],
  ['clean hold', 'abort', 'clean failed'],
  ['clean failed', 'manage', 'manageable'],
  // deployment
  ['available', 'deploy', 'deploying'],
  ['deploy failed', 'deploy', 'deploying'],
  ['deploy failed', 'rebuild', 'deploying'],
  ['active', 'rebuild', 'deploying'],
  ['error', 'rebuild', 'deploying'],
  ['deploying', 'done', 'active'],
  ['deploying', 'wait', 'wait call-back'],
  ['deploying', 'fail', 'deploy failed'],
  ['deploying', 'hold', 'deploy hold'],
  ['wait call-back', 'resume', 'deploying'],
  ['wait call-back', 'fail', 'deploy failed'],
  ['wait call-back', 'hold', 'deploy hold'],
  ['wait call-back', 'abort', 'deploy failed'],
  ['deploy hold', 'unhold', 'wait call-back'],
  ['deploy hold', 'abort', 'deploy failed'],
  // tearing down
  ['active', 'delete', 'deleting'],
  ['wait call-back', 'delete', 'deleting'],
  ['deploy failed', 'delete', 'deleting'],
  ['error', 'delete', 'deleting'],
  ['rescue', 'delete', 'deleting'],
  ['rescue wait', 'delete', 'deleting'],
  ['rescue failed', 'delete', 'deleting'],
  ['unrescue failed', 'delete', 'deleting'],
  ['service wait', 'delete', 'deleting'],
  ['service failed', 'delete', 'deleting'],
  ['deleting', 'done', 'cleaning'],
  ['deleting', 'fail', 'error'],
  // adoption
  ['manageable', 'adopt', 'adopting'],
  ['adopt failed', 'adopt', 'adopting'],
  ['adopt failed', 'manage', 'manageable'],
  ['adopting', 'done', 'active'],
  ['adopting', 'fail', 'adopt failed'],
  // rescue
  ['active', 'rescue', 'rescuing'],
  ['rescue', 'rescue', 'rescuing'],
  ['rescue failed', 'rescue', 'rescuing'],
  ['unrescue failed', 'rescue', 'rescuing'],
  ['service failed', 'rescue', 'rescuing'],
  ['rescuing', 'done', 'rescue'],
  ['rescuing', 'wait', 'rescue wait'],
  ['rescuing', 'fail', 'rescue failed'],
  ['rescue wait', 'resume', 'rescuing'],
  ['rescue wait', 'done', 'rescue'],
  ['rescue wait', 'fail', 'rescue failed'],
  ['rescue wait', 'abort', 'rescue failed'],
  ['rescue', 'unrescue', 'unrescuing'],
  ['rescue failed', 'unrescue', 'unrescuing'],
  ['unrescue failed', 'unrescue', 'unrescuing'],
  ['unrescuing', 'done', 'active'],
  ['unrescuing', 'fail', 'unrescue failed'],
  // servicing an active node
  ['active', 'service', 'servicing'],
  ['service failed', 'service', 'servicing'],
  ['service hold', 'service', 'servicing'],
  ['servicing', 'done', 'active'],
  ['servicing', 'wait', 'service wait'],
  ['servicing', 'fail', 'service failed'],
  ['servicing', 'hold', 'service hold'],
  ['service wait', 'resume', 'servicing'],
  ['service wait', 'fail', 'service failed'],
  ['service wait', 'abort', 'service failed'],
  ['service hold', 'unhold', 'service wait'],
  ['service hold', 'abort', 'service failed'],
  ['service failed', 'abort', 'active'],
] as const satisfies readonly Transition[];

const INDEX = new Map<string, ProvisionState[]>();
for (const [from, ev, to] of TRANSITIONS as readonly Transition[]) {
  const key = `${from}\u0000${ev}`;
  INDEX.set(key, [...(INDEX.get(key) ?? []), to]);
}

/**
 * The state `event` leads to from `from`, or undefined when the machine does not allow it. Where the table
 * offers several (cleaning ends in available or manageable), the node's target decides; else the first wins.
 */
export function nextState(from: string, event: ProvisionEvent, target?: string | null): ProvisionState | undefined {
  const options = INDEX.get(`${from}\u0000${event}`);
  if (!options) return undefined;
  return options.find((s) => s === target) ?? options[0];
}

/** PUT /states/provision `target` values: the event each fires and the first microversion accepting it. */
export const VERBS: Readonly<Record<string, { event: UserEvent; since: number }>> = {
  manage: { event: 'manage', since: 4 },
  provide: { event: 'provide', since: 4 },
  inspect: { event: 'inspect', since: 6 },
  abort: { event: 'abort', since: 13 },
  clean: { event: 'clean', since: 15 },
  adopt: { event: 'adopt', since: 17 },
  rescue: { event: 'rescue', since: 38 },
  unrescue: { event: 'unrescue', since: 38 },
  active: { event: 'deploy', since: 1 },
  deploy: { event: 'deploy', since: 73 },
  rebuild: { event: 'rebuild', since: 1 },
  deleted: { event: 'delete', since: 1 },
  undeploy: { event: 'delete', since: 73 },
  unhold: { event: 'unhold', since: 85 },
  service: { event: 'service', since: 87 },
};

/**
 * Where a user event is heading: the stable state `target_provision_state` shows until arrival. Cleaning
 * reached through `clean` ends in manageable, through provide/undeploy in available.
 */
export const EVENT_TARGET: Readonly<Record<UserEvent, ProvisionState | null>> = {
  manage: 'manageable', provide: 'available', inspect: 'manageable', clean: 'manageable', deploy: 'active',
  rebuild: 'active', delete: 'available', abort: null, adopt: 'active', rescue: 'rescue', unrescue: 'active',
  unhold: null, service: 'active',
};

/**
 * States where `abort` came later than the verb itself (1.13). Anvil also aborts a deploy waiting in
 * `wait call-back` at any version (newer Ironic releases allow it too): a deploy whose ramdisk never comes up
 * should not have to sit out the callback timeout.
 */
export const ABORTABLE_SINCE: Partial<Record<ProvisionState, number>> = { 'inspect wait': 41 };
