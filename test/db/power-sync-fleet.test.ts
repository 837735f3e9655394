// The power state sync over a fleet larger than one of its candidate pages (500 nodes), per store: it reads
// the fleet a page of columns at a time (so the event loop is never held by one whole-table read — the
// polling-mix tail of issue 14) and must still check exactly the nodes Ironic would: every node across every
// page that is unlocked, has no power target, is outside the excluded states and out of maintenance (or in
// power-failure maintenance), and none of the others.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setLogSink } from '../../src/common/log.js';
import { PowerSync } from '../../src/conductor/periodics/power-sync.js';
import { startTestApi, type TestApi } from '../support/api-client.js';
import { DIALECTS } from '../support/databases.js';
import { createNode } from '../support/nodes.js';

const FLEET = 1_150;

// Hundreds of 'maintenance cleared' lines would only bury the test's output.
setLogSink(() => {});

/** What the i-th node is made into behind the API's back, and whether the sync must read its power. */
function role(i: number): { changes: Record<string, unknown>; synced: boolean } {
  switch (i % 8) {
    case 1: return { changes: { provisionState: 'enroll' }, synced: false };
    case 2: return { changes: { provisionState: 'clean wait' }, synced: false };
    case 3: return { changes: { reservation: 'other-host' }, synced: false };
    case 4: return { changes: { targetPowerState: 'power on' }, synced: false };
    case 5: return { changes: { maintenance: true, maintenanceReason: 'operator' }, synced: false };
    case 6: return { changes: { maintenance: true, fault: 'power failure' }, synced: true };
    default: return { changes: {}, synced: true }; // manageable, free: synced
  }
}

describe.each(DIALECTS)('power state sync over a fleet of 1,150 nodes on %s', { timeout: 120_000 }, (dialect) => {
  let api: TestApi;
  const uuids: string[] = [];

  beforeAll(async () => {
    api = await startTestApi(dialect, { powerFailureRecoveryInterval: 0, powerStateSyncInterval: 0 });
    for (let i = 0; i < FLEET; i += 50) {
      uuids.push(...await Promise.all(Array.from({ length: Math.min(50, FLEET - i) }, () => createNode(api))));
    }
    for (let i = 0; i < FLEET; i++) {
      const rec = (await api.tables.nodes.findBy('uuid', uuids[i]!))!;
      await api.tables.nodes.update(rec.id, { provisionState: 'manageable', powerState: null, ...role(i).changes });
    }
  });
  afterAll(async () => {
    await api?.close();
  });

  it('checks every eligible node across pages, and only those', async () => {
    const sync = new PowerSync({ tables: api.tables, config: api.config, registry: api.registry, work: api.work });
    const expected = uuids.filter((_, i) => role(i).synced);
    const result = await sync.runOnce();
    expect(result.failed).toBe(0);
    expect(result.checked).toBe(expected.length);
    const rows = await api.tables.nodes.list();
    const recorded = new Set(rows.filter((n) => n.powerState !== null).map((n) => n.uuid));
    expect([...recorded].sort()).toEqual([...expected].sort());
    // A node in power-failure maintenance that answers again is taken out of it.
    const recovered = rows.filter((n) => uuids.indexOf(n.uuid) % 8 === 6);
    expect(recovered.length).toBeGreaterThan(100);
    expect(recovered.every((n) => !n.maintenance && n.fault === null)).toBe(true);
  });
});
