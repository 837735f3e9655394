// SIGTERM to a real `anvil serve` with two power actions running: it stops accepting requests, lets the
// action that fits in gracefulShutdownTimeout finish, hands the other node's lock back, says so in its
// log and exits 0 — on both stores.
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/db/database.js';
import { tables } from '../../src/db/tables.js';
import { DIALECTS } from '../support/databases.js';
import { startAnvilProcess, type AnvilProcess } from '../support/anvil-process.js';

describe.each(DIALECTS)('graceful stop (%s)', (dialect) => {
  let anvil: AnvilProcess | undefined;
  afterEach(async () => { await anvil?.stop(); });

  it('finishes what fits in the grace period, releases the rest, and logs what it did', async () => {
    anvil = await startAnvilProcess(dialect, { args: ['--graceful-shutdown-timeout', '2', '--power-state-sync-interval', '0'] });
    const url = anvil.url;
    const call = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${url}${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body),
        headers: { 'X-OpenStack-Ironic-API-Version': 'latest', 'Content-Type': 'application/json' } });
      return { status: res.status, body: res.status === 202 ? null : await res.json() as Record<string, unknown> };
    };
    const quick = (await call('POST', '/v1/nodes', { driver: 'fake-hardware', driver_info: { fake_power_delay_ms: 800 } })).body!.uuid as string;
    const slow = (await call('POST', '/v1/nodes', { driver: 'fake-hardware', driver_info: { fake_power_delay_ms: 20_000 } })).body!.uuid as string;
    for (const n of [quick, slow]) expect((await call('PUT', `/v1/nodes/${n}/states/power`, { target: 'power on' })).status).toBe(202);

    const started = Date.now();
    expect(await anvil.terminate()).toBe(0);
    const tookMs = Date.now() - started;
    expect(tookMs).toBeLessThan(10_000);
    await expect(fetch(`${url}/v1`)).rejects.toThrow();

    const events = anvil.logLines().map((l) => JSON.parse(l) as Record<string, unknown>);
    const said = (msg: string) => events.find((e) => e.msg === msg);
    expect(said('SIGTERM received: stopping')).toBeDefined();
    expect(said('stopping: no new requests or actions accepted')).toMatchObject({ running: 2, dropped: 0, grace_s: 2 });
    expect(said('stopped')).toMatchObject({ actions_finished: 1, actions_cut_short: 1, locks_released: 1 });

    const store = await openStore(anvil.databaseUrl, { secretBox: null });
    try {
      const t = tables(store);
      expect(await t.nodes.findBy('uuid', quick)).toMatchObject({ powerState: 'power on', reservation: null, targetPowerState: null });
      expect(await t.nodes.findBy('uuid', slow)).toMatchObject({ reservation: null, targetPowerState: null });
    } finally {
      await store.close();
    }
    console.log(`[${dialect}] SIGTERM to exit with one action cut short: ${tookMs} ms`);
  }, 60_000);
});
