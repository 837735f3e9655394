// Every transition of the provision state machine, fired through a real node lock on each store, with the
// target_provision_state rules clients rely on; plus a sample of refused moves that must leave the node alone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { startTestApi, type TestApi } from '../support/api-client.js';
import { EVENT_TARGET, TRANSITIONS } from '../../src/conductor/machine.js';
import { acquireNode } from '../../src/conductor/task.js';
import { USER_EVENTS, isFailure, isStable, type UserEvent } from '../../src/conductor/states.js';

describe.each(DIALECTS)('state machine on %s', (dialect) => {
  let api: TestApi;
  let nodeId: number;
  beforeAll(async () => {
    api = await startTestApi(dialect);
    const { body } = await api.post('/v1/nodes', { driver: 'fake-hardware' });
    nodeId = (await api.tables.nodes.findBy('uuid', body.uuid))!.id;
  });
  afterAll(async () => { await api?.close(); });
  const ctx = () => ({ tables: api.tables, config: api.config, registry: api.registry, work: api.work });

  async function fireFrom(from: string, target: string | null, event: string) {
    const node = (await api.tables.nodes.update(nodeId, { provisionState: from, targetProvisionState: target, reservation: null }))!;
    return acquireNode(ctx(), node, 'state machine test', (task) => task.fire(event as never));
  }

  it.each(TRANSITIONS.map((t) => [...t]))('%s --%s--> %s', async (from, event, to) => {
    // Cleaning ends where the verb was heading; give the node that target so both "done" rows are exercised.
    const target = from === 'cleaning' && event === 'done' ? to : isStable(from) || isFailure(from) ? null : 'active';
    const after = await fireFrom(from, target, event);
    expect(after.provisionState).toBe(to);
    expect(after.provisionUpdatedAt).not.toBeNull();
    if (isStable(to) || isFailure(to)) expect(after.targetProvisionState).toBeNull();
    else if ((USER_EVENTS as readonly string[]).includes(event) && EVENT_TARGET[event as UserEvent]) {
      expect(after.targetProvisionState).toBe(EVENT_TARGET[event as UserEvent]);
    } else expect(after.targetProvisionState).not.toBeNull();
    const stored = (await api.tables.nodes.findBy('id', nodeId))!;
    expect(stored.reservation).toBeNull();
    expect(stored.provisionState).toBe(to);
  });

  it.each([
    ['enroll', 'deploy'], ['enroll', 'provide'], ['available', 'rescue'], ['active', 'provide'], ['manageable', 'deploy'],
    ['deploying', 'manage'], ['active', 'abort'], ['error', 'provide'], ['rescue', 'deploy'], ['clean failed', 'deploy'],
  ])('refuses %s --%s-->', async (from, event) => {
    await expect(fireFrom(from, null, event)).rejects.toThrow(`can not be performed on node`);
    const stored = (await api.tables.nodes.findBy('id', nodeId))!;
    expect(stored.provisionState).toBe(from);
    expect(stored.reservation).toBeNull();
  });
});
