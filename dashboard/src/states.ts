// Ironic's provision states as the dashboard presents them: a colour family per state and the user verbs
// (PUT /v1/nodes/{node}/states/provision "target") that the state machine accepts from each. The service
// stays the judge: a verb offered here that it refuses shows its error.

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

export type Verb = 'manage' | 'provide' | 'inspect' | 'clean' | 'active' | 'deleted' | 'rebuild' | 'rescue' | 'unrescue' | 'abort' | 'adopt';

export const VERB_LABEL: Record<Verb, string> = {
  manage: 'Manage', provide: 'Provide', inspect: 'Inspect', clean: 'Clean', active: 'Deploy', deleted: 'Undeploy',
  rebuild: 'Rebuild', rescue: 'Rescue', unrescue: 'Unrescue', abort: 'Abort', adopt: 'Adopt',
};

/** Verbs that destroy an instance or interrupt work: the dashboard asks before sending them. */
export const DESTRUCTIVE = new Set<Verb>(['deleted', 'rebuild', 'clean', 'abort']);

const VERBS: Record<string, Verb[]> = {
  enroll: ['manage'],
  manageable: ['provide', 'inspect', 'clean', 'adopt'],
  available: ['active', 'manage'],
  active: ['deleted', 'rebuild', 'rescue'],
  'deploy failed': ['active', 'deleted'],
  'clean failed': ['manage'],
  'inspect failed': ['manage', 'inspect'],
  'adopt failed': ['manage', 'adopt'],
  error: ['deleted'],
  rescue: ['unrescue', 'rescue', 'deleted'],
  'rescue failed': ['unrescue', 'rescue', 'deleted'],
  'unrescue failed': ['unrescue', 'rescue', 'deleted'],
  'wait call-back': ['abort', 'deleted'],
  'clean wait': ['abort'],
  'inspect wait': ['abort'],
  'rescue wait': ['abort'],
  'service wait': ['abort'],
  'clean hold': ['abort'],
  'deploy hold': ['abort'],
};

export const verbsFor = (state: string): Verb[] => VERBS[state] ?? [];
