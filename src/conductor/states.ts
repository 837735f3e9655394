// Provision states (Ironic's wire strings) and the events that move a node between them.

export const PROVISION_STATES = [
  'enroll',          // registered; BMC credentials not yet verified
  'verifying',       // checking that the BMC answers (manage from enroll)
  'manageable',      // verified; can be inspected, cleaned, adopted or provided
  'inspecting',      // gathering hardware facts
  'inspect wait',    // waiting for an in-band inspection ramdisk
  'inspect failed',
  'cleaning',        // running clean steps
  'clean wait',      // waiting for the ramdisk agent during cleaning
  'clean hold',      // cleaning paused by a hold step
  'clean failed',
  'available',       // ready to be deployed
  'deploying',       // running deploy steps
  'wait call-back',  // waiting for the ramdisk agent during deployment
  'deploy hold',     // deployment paused by a hold step
  'deploy failed',
  'active',          // deployed; an instance runs on it
  'deleting',        // tearing down an instance
  'error',           // tearing down failed
  'rescuing',
  'rescue wait',
  'rescue',          // rescue ramdisk running
  'rescue failed',
  'unrescuing',
  'unrescue failed',
  'adopting',        // taking over an already running machine as active
  'adopt failed',
  'servicing',       // running service steps on an active node
  'service wait',
  'service hold',
  'service failed',
] as const;
export type ProvisionState = (typeof PROVISION_STATES)[number];

/** States with no target: a node rests here until a user asks for something. */
export const STABLE_STATES: readonly ProvisionState[] = ['enroll', 'manageable', 'available', 'active', 'error', 'rescue'];

/** Events a user triggers through PUT /states/provision (after verb aliases are resolved). */
export const USER_EVENTS = ['manage', 'provide', 'inspect', 'clean', 'deploy', 'rebuild', 'delete', 'abort', 'adopt',
  'rescue', 'unrescue', 'unhold', 'service'] as const;
export type UserEvent = (typeof USER_EVENTS)[number];

/** Events the conductor fires while work progresses. */
export type InternalEvent = 'done' | 'fail' | 'wait' | 'resume' | 'hold';
export type ProvisionEvent = UserEvent | InternalEvent;

export function isStable(state: string): boolean {
  return (STABLE_STATES as readonly string[]).includes(state);
}

export function isFailure(state: string): boolean {
  return state === 'error' || state.endsWith(' failed');
}
