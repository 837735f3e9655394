// The conductor's own use of real ipmi_sim BMCs, per store, in-process: the power state sync recording what
// the machine does behind Anvil's back, putting a node whose BMC went silent into "power failure"
// maintenance and taking it out again once the BMC answers; and the node lock held through a slow reboot.
import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setLogSink } from '../../src/common/log.js';
import { PowerSync } from '../../src/conductor/periodics/power-sync.js';
import { startTestApi, type TestApi } from '../support/api-client.js';
import { DIALECTS } from '../support/databases.js';
import { startBmcs, type SimBmc, type SimFleet } from '../support/ipmi-sim.js';

const PASSWORD = 'sync-pass-9137';
// A machine that takes ~0.6 s to shut down: a hard power off (and so a reboot) holds the BMC that long.
const SLOW_MACHINE = `trap 'sleep 0.6; exit 0' TERM; while :; do sleep 1000 & wait $!; done`;

const logLines: string[] = [];
setLogSink((line) => logLines.push(line));

/** Changes the machine's power behind Anvil's back, as an operator with ipmitool would. */
function ipmitoolPower(b: SimBmc, action: 'on' | 'off'): Promise<void> {
  const args = ['-I', 'lanplus', '-C', '3', '-H', b.address, '-p', String(b.port), '-U', b.user, '-E', 'power', action];
  return new Promise((ok, fail) => {
    execFile('ipmitool', args, { env: { ...process.env, IPMI_PASSWORD: b.password } }, (err, _out, stderr) =>
      err ? fail(new Error(`ipmitool power ${action}: ${stderr}`)) : ok());
  });
}

describe.each(DIALECTS)('the conductor with ipmi_sim BMCs on %s', { timeout: 60_000 }, (dialect) => {
  let fleet: SimFleet;
  let api: TestApi;
  const bmc = (i: number): SimBmc => fleet.bmcs[i]!;

  beforeAll(async () => {
    [fleet, api] = await Promise.all([
      startBmcs({ count: 2, password: PASSWORD, machineCmd: SLOW_MACHINE }),
      startTestApi(dialect, { powerStateSyncMaxRetries: 2, powerFailureRecoveryInterval: 0, powerStateSyncInterval: 0 }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([fleet?.stop(), api?.close()]);
  });

  /** An ipmi node taken to manageable (verification reads the BMC once). */
  async function managedNode(b: SimBmc, extra: Record<string, unknown> = {}): Promise<string> {
    const created = await api.post('/v1/nodes', { driver: 'ipmi', driver_info: b.driverInfo(extra) });
    expect(created.status).toBe(201);
    const uuid = created.body.uuid as string;
    expect((await api.request('PUT', `/v1/nodes/${uuid}/states/provision`, { target: 'manage' })).status).toBe(202);
    await api.work.idle();
    expect((await api.get(`/v1/nodes/${uuid}`)).body).toMatchObject({ provision_state: 'manageable', last_error: null });
    return uuid;
  }

  const node = async (uuid: string) => (await api.get(`/v1/nodes/${uuid}`)).body as Record<string, any>;

  it('power sync records the machine, fails it into maintenance when the BMC goes silent, and recovers', async () => {
    const b = bmc(0);
    // A short retry budget: each read of the silent BMC gives up after ~2 s instead of Ironic's 60.
    const uuid = await managedNode(b, { ipmi_command_retry_timeout: 2 });
    const sync = new PowerSync({ tables: api.tables, config: api.config, registry: api.registry, work: api.work });
    expect(await node(uuid)).toMatchObject({ power_state: 'power off' });

    await ipmitoolPower(b, 'on');
    expect(await sync.runOnce()).toMatchObject({ checked: 1, changed: 1, failed: 0 });
    expect(await node(uuid)).toMatchObject({ power_state: 'power on', maintenance: false, reservation: null });
    expect(await sync.runOnce()).toMatchObject({ checked: 1, changed: 0, failed: 0 });
    await ipmitoolPower(b, 'off');
    expect(await sync.runOnce()).toMatchObject({ checked: 1, changed: 1, failed: 0 });
    expect(await node(uuid)).toMatchObject({ power_state: 'power off' });

    // The machine goes on unseen just before its BMC stops answering; the BMC finds it still on when back.
    await ipmitoolPower(b, 'on');
    await b.stop();
    expect(b.powerIsOn()).toBe(true);
    const started = Date.now();
    expect(await sync.runOnce()).toMatchObject({ checked: 1, failed: 1 });
    expect(await node(uuid)).toMatchObject({ maintenance: false, fault: null, power_state: 'power off' }); // one failure is not enough
    expect(await sync.runOnce()).toMatchObject({ checked: 1, failed: 1 });
    const silentMs = Date.now() - started;
    const failed = await node(uuid);
    expect(failed).toMatchObject({ maintenance: true, fault: 'power failure', power_state: null, reservation: null });
    expect(failed.maintenance_reason).toMatch(new RegExp(`could not get power state for node ${uuid}, attempt 2 of 2\\. Error: .*BMC 127\\.0\\.0\\.1:${b.port} .*(did not answer|no answer within)`));
    // One clean sentence from the driver: none of ipmitool's transcript (prompts, registry lines, lists of errors).
    expect(failed.maintenance_reason).not.toMatch(/;|IANA|Password|socket|\n/);
    expect(failed.maintenance_reason).toMatch(/\.$/);
    expect(failed.last_error).toBe(failed.maintenance_reason);
    const history = (await api.get(`/v1/nodes/${uuid}/history`)).body.history as Array<{ severity: string; event: string }>;
    expect(history.some((h) => h.severity === 'ERROR' && h.event === failed.maintenance_reason)).toBe(true);

    await b.start();
    expect(await sync.runOnce()).toMatchObject({ checked: 1, changed: 1, failed: 0 });
    expect(await node(uuid)).toMatchObject({ maintenance: false, fault: null, maintenance_reason: null, power_state: 'power on' });
    expect(b.powerIsOn()).toBe(true);

    const secretsSeen = [JSON.stringify(failed), JSON.stringify(history), logLines.join('\n')].join('\n');
    expect(logLines.join('\n')).toMatch(/power state sync failed/);
    expect(secretsSeen).not.toContain(PASSWORD);
    console.log(`[${dialect}] two syncs against a silent BMC took ${silentMs} ms`);
  });

  it('leaves enroll, wait call-back, clean wait and adopt failed nodes out of the power sync, as Ironic does', async () => {
    const sync = new PowerSync({ tables: api.tables, config: api.config, registry: api.registry, work: api.work });
    const before = (await sync.runOnce()).checked;
    // A BMC address nobody answers at: were these nodes synced, two runs would put them into maintenance.
    const silent = { ipmi_address: '127.0.0.1', ipmi_port: 9, ipmi_password: PASSWORD, ipmi_cipher_suite: 3, ipmi_command_retry_timeout: 1 };
    const uuids: string[] = [];
    for (const state of ['enroll', 'wait call-back', 'clean wait', 'adopt failed']) {
      const res = await api.post('/v1/nodes', { driver: 'ipmi', driver_info: silent });
      const rec = (await api.tables.nodes.findBy('uuid', res.body.uuid))!;
      await api.tables.nodes.update(rec.id, { provisionState: state });
      uuids.push(res.body.uuid);
    }
    expect((await sync.runOnce()).checked).toBe(before);
    expect((await sync.runOnce()).checked).toBe(before);
    for (const uuid of uuids) expect(await node(uuid)).toMatchObject({ maintenance: false, fault: null, last_error: null, power_state: null });
    for (const uuid of uuids) await api.tables.nodes.deleteWhere('uuid', uuid);
  });

  it('holds the node lock through a slow reboot: power actions and updates get 409 until it is done', async () => {
    const b = bmc(1);
    const uuid = await managedNode(b);
    await ipmitoolPower(b, 'on');
    const first = b.machinePid();
    const count = b.powerOnCount();

    const started = Date.now();
    expect((await api.request('PUT', `/v1/nodes/${uuid}/states/power`, { target: 'rebooting' })).status).toBe(202);
    const power = await api.request('PUT', `/v1/nodes/${uuid}/states/power`, { target: 'power off' });
    const patch = await api.patch(`/v1/nodes/${uuid}`, [{ op: 'add', path: '/extra/owner', value: 'someone' }]);
    const during = await node(uuid);
    // Both refusals came while the reboot was still under way, not after it.
    expect(b.powerOnCount()).toBe(count);
    expect(during).toMatchObject({ reservation: 'test-conductor', target_power_state: 'power on' });
    for (const r of [power, patch]) {
      expect(r.status).toBe(409);
      expect(JSON.parse(r.body.error_message).faultcode).toBe('Client');
      expect(r.error).toBe(`Node ${uuid} is locked by host test-conductor, please retry after the current operation is completed.`);
    }

    await api.work.idle();
    const rebootMs = Date.now() - started;
    expect(rebootMs).toBeGreaterThan(600); // the machine's slow shut down was part of it
    expect(b.powerOnCount()).toBe(count + 1);
    expect(b.machinePid()).not.toBe(first);
    expect(b.powerIsOn()).toBe(true);
    const after = await node(uuid);
    expect(after).toMatchObject({ reservation: null, power_state: 'power on', target_power_state: null, last_error: null });
    expect(after.extra).toEqual({});
    // Free again: the update that was refused goes through now.
    expect((await api.patch(`/v1/nodes/${uuid}`, [{ op: 'add', path: '/extra/owner', value: 'someone' }])).status).toBe(200);
    console.log(`[${dialect}] reboot holding the lock took ${rebootMs} ms`);
  });

  it('a power action the BMC refuses during wait call-back records the error and leaves the deploy waiting', async () => {
    const created = await api.post('/v1/nodes', { driver: 'ipmi', driver_info: bmc(1).driverInfo({ ipmi_password: 'not-the-pass-1' }) });
    const rec = (await api.tables.nodes.findBy('uuid', created.body.uuid))!;
    await api.tables.nodes.update(rec.id, { provisionState: 'wait call-back', targetProvisionState: 'active', powerState: 'power on' });
    expect((await api.request('PUT', `/v1/nodes/${rec.uuid}/states/power`, { target: 'power off' })).status).toBe(202);
    await api.work.idle();
    const after = await node(rec.uuid);
    // Ironic's node_power_action: last_error and target_power_state change, the provision state does not.
    expect(after).toMatchObject({ provision_state: 'wait call-back', target_provision_state: 'active', power_state: 'power on', target_power_state: null, reservation: null });
    expect(after.last_error).toMatch(/^Failed to change power state to 'power off' for node \S+: .*authentication failed/);
  });
});
