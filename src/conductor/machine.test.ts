// The transition table's own consistency: every state reachable and leavable, transitional states have a
// fail path and a target, and the table renders to a diagram (docs/state-machine.md is checked against it).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EVENT_TARGET, TRANSITIONS, VERBS, nextState } from './machine.js';
import { PROVISION_STATES, STABLE_STATES, isFailure, isStable } from './states.js';

export function renderMermaid(): string {
  const lines = ['stateDiagram-v2'];
  for (const [from, ev, to] of TRANSITIONS) lines.push(`    ${JSON.stringify(from)} --> ${JSON.stringify(to)} : ${ev}`);
  return lines.join('\n');
}

describe('provision state machine', () => {
  const states = new Set<string>(PROVISION_STATES);

  it('only names known states', () => {
    for (const [from, , to] of TRANSITIONS) {
      expect(states.has(from), from).toBe(true);
      expect(states.has(to), to).toBe(true);
    }
  });

  it('lets every state be entered and left', () => {
    for (const s of PROVISION_STATES) {
      if (s !== 'enroll') expect(TRANSITIONS.some(([, , to]) => to === s), `enter ${s}`).toBe(true);
      expect(TRANSITIONS.some(([from]) => from === s), `leave ${s}`).toBe(true);
    }
  });

  it('gives every transitional state a way to fail', () => {
    for (const s of PROVISION_STATES) {
      if (isStable(s) || isFailure(s) || s.endsWith(' hold')) continue;
      const fail = nextState(s, 'fail');
      expect(fail, `${s} fail`).toBeDefined();
      expect(isFailure(fail!) || fail === 'enroll', `${s} fails into ${fail}`).toBe(true);
    }
  });

  it('heads every user verb for a stable state', () => {
    for (const [verb, { event }] of Object.entries(VERBS)) {
      const target = EVENT_TARGET[event];
      if (target !== null) expect(STABLE_STATES.includes(target), verb).toBe(true);
    }
  });

  it.each([
    ['enroll', 'manage', 'verifying'], ['verifying', 'done', 'manageable'], ['manageable', 'provide', 'cleaning'],
    ['available', 'deploy', 'deploying'], ['deploying', 'wait', 'wait call-back'], ['wait call-back', 'fail', 'deploy failed'],
    ['active', 'delete', 'deleting'], ['deleting', 'done', 'cleaning'], ['clean wait', 'abort', 'clean failed'],
  ])('%s --%s--> %s', (from, ev, to) => expect(nextState(from, ev as never)).toBe(to));

  it.each([['enroll', 'deploy'], ['enroll', 'provide'], ['active', 'provide'], ['available', 'adopt'], ['manageable', 'rescue'], ['active', 'abort']])(
    'refuses %s --%s-->', (from, ev) => expect(nextState(from, ev as never)).toBeUndefined());

  it('ends cleaning where the verb was heading', () => {
    expect(nextState('cleaning', 'done', 'available')).toBe('available');
    expect(nextState('cleaning', 'done', 'manageable')).toBe('manageable');
  });

  it('matches the diagram in docs/state-machine.md', () => {
    const doc = readFileSync(new URL('../../docs/state-machine.md', import.meta.url), 'utf8');
    expect(doc).toContain(renderMermaid());
  });
});
