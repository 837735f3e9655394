// Ironic's provision states as the dashboard presents them: a colour family per state and the user verbs
// (PUT /v1/nodes/{node}/states/provision "target") that the state machine accepts from each, taken from the
// conductor's transition table. The service stays the judge: a verb it refuses (locked node, missing
// microversion) shows its error.
import { TRANSITIONS } from '../../src/conductor/machine';
import type { UserEvent } from '../../src/conductor/states';

export type Tone = 'ok' | 'busy' | 'wait' | 'fail' | 'idle' | 'info';

const TONES: Record<string, Tone> = {
  enroll: 'idle', verifying: 'busy', manageable: 'info', available: 'ok', active: 'ok',
  inspecting: 'busy', 'inspect wait': 'wait', 'inspect failed': 'fail',
  cleaning: 'busy', 'clean wait': 'wait', 'clean failed': 'fail', 'clean hold': 'wait',
  deploying: 'busy', 'wait call-back': 'wait', 'deploy failed': 'fail', 'deploy hold': 'wait',
  deleting: 'busy', error: 'fail', rebuild: 'busy', adopting: 'busy', 'adopt failed': 'fail',
  rescuing: 'busy', 'rescue wait': 'wait', 'rescue failed': 'fail', rescue: 'info', unrescuing: 'busy', 'unrescue failed': 'fail',
  servicing: 'busy', 'service wait': 'wait', 'service failed': 'fail', 'service hold': 'wait',
};

export const toneOf = (state: string | null | undefined): Tone => (state ? TONES[state] ?? 'info' : 'idle');

/** All provision states, in the order operators think of a node's life. */
export const PROVISION_STATES = Object.keys(TONES);

export const FAULTS = ['power failure', 'clean failure', 'rescue abort failure', 'service failure'];

/** The PUT /states/provision `target` the dashboard sends for each user event (the oldest spelling, valid at every version it needs). */
const VERB_OF = {
  manage: 'manage', provide: 'provide', inspect: 'inspect', clean: 'clean', deploy: 'active', rebuild: 'rebuild',
  delete: 'deleted', abort: 'abort', adopt: 'adopt', rescue: 'rescue', unrescue: 'unrescue', unhold: 'unhold',
} as const satisfies Partial<Record<UserEvent, string>>;

export type Verb = (typeof VERB_OF)[keyof typeof VERB_OF];

export const VERB_LABEL: Record<Verb, string> = {
  manage: 'Manage', provide: 'Provide', inspect: 'Inspect', clean: 'Clean', active: 'Deploy', deleted: 'Undeploy',
  rebuild: 'Rebuild', rescue: 'Rescue', unrescue: 'Unrescue', abort: 'Abort', adopt: 'Adopt', unhold: 'Unhold',
};

/** Verbs that destroy an instance or interrupt work: the dashboard asks before sending them. */
export const DESTRUCTIVE = new Set<Verb>(['deleted', 'rebuild', 'clean', 'abort']);

/**
 * What a user may ask from each state, read from the conductor's own transition table (bundled as data), so the
 * buttons offered are exactly what the service accepts. `service` is left out: it needs service steps, which
 * the dashboard has no form for yet.
 */
const VERBS = new Map<string, Verb[]>();
for (const [from, event] of TRANSITIONS) {
  const verb = (VERB_OF as Partial<Record<string, Verb>>)[event];
  if (!verb) continue;
  const list = VERBS.get(from) ?? [];
  if (!list.includes(verb)) list.push(verb);
  VERBS.set(from, list);
}

export const verbsFor = (state: string): Verb[] => VERBS.get(state) ?? [];
