// The lab's own Redfish BMC (src/lab/redfish/) driven by clients nobody here wrote — Debian's python3-sushy
// and DMTF's redfishtool — plus the wire details a driver relies on (Redfish errors, ETag/If-Match,
// sessions, AllowableValues, faults, TLS). The machine behind each BMC is the idle machine of
// scripts/ipmi-sim, so power shows in its chassis events.log exactly as for the ipmi_sim BMCs.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedfishBmc, type RedfishBmc } from '../../src/lab/redfish/server.js';
import { redfishtool, requireRedfishClients, sushy } from '../support/redfish-clients.js';

let root: string;
let bmc: RedfishBmc;
let strict: RedfishBmc;
let tls: Agent;

const DISK = 3 * 1024 ** 3 + 512 * 1024 ** 2;
const MAC = '02:a7:0f:0f:00:07';

beforeAll(async () => {
  requireRedfishClients();
  root = mkdtempSync(join(tmpdir(), 'redfish-bmc-test-'));
  bmc = await startRedfishBmc({ dir: join(root, 'a'), mac: MAC, diskBytes: DISK, name: 'rf-test-0', gracefulShutdownMs: 2000 });
  // A system that advertises only some ResetTypes and insists on If-Match.
  strict = await startRedfishBmc({ dir: join(root, 'b'), resetTypes: ['On', 'ForceOff'], requireIfMatch: true, systemId: 'sys-b', sessionTimeoutS: 2, secureBoot: true });
  tls = new Agent({ connect: { ca: readFileSync(bmc.certFile, 'utf8') } });
});

afterAll(async () => {
  await Promise.all([bmc?.close(), strict?.close()]);
  await tls?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

const basic = (b: RedfishBmc, password = b.password) => `Basic ${Buffer.from(`${b.username}:${password}`).toString('base64')}`;
const agentFor = (b: RedfishBmc) => new Agent({ connect: { ca: readFileSync(b.certFile, 'utf8') } });

async function call(b: RedfishBmc, method: string, path: string, o: { body?: unknown; headers?: Record<string, string>; agent?: Agent } = {}) {
  const res = await fetch(`${b.url}${path}`, {
    method, dispatcher: o.agent ?? (b === bmc ? tls : agentFor(b)),
    headers: { Authorization: basic(b), 'Content-Type': 'application/json', ...o.headers },
    ...(o.body !== undefined ? { body: JSON.stringify(o.body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : null };
}

const powerOnEvents = (b: RedfishBmc) => b.events().split('\n').filter((l) => / power on /.test(l));

function py(out: { code: number; stdout: string; stderr: string }): any {
  if (out.code !== 0) throw new Error(`client failed (${out.code}): ${out.stderr}`);
  return JSON.parse(out.stdout.trim().split('\n').pop()!);
}

describe('sushy drives the lab Redfish BMC', () => {
  it('powers on with a one-time PXE override (session auth, certificate verified), restarts and powers off', async () => {
    const before = powerOnEvents(bmc).length;
    const out = py(await sushy(bmc, `
r = {'allowed': sorted(v.value for v in system.get_allowed_reset_system_values()),
     'targets': sorted(v.value for v in system.get_allowed_system_boot_source_values())}
system.set_system_boot_options(sushy.BOOT_SOURCE_TARGET_PXE, enabled=sushy.BOOT_SOURCE_ENABLED_ONCE, mode=sushy.BOOT_SOURCE_MODE_UEFI)
system.refresh()
r['set'] = [system.boot.target.value, system.boot.enabled.value, system.boot.mode.value]
system.reset_system(sushy.RESET_ON)
system.refresh()
r['on'] = system.power_state.value
r['after'] = [system.boot.target.value, system.boot.enabled.value]
system.reset_system(sushy.RESET_FORCE_RESTART)
system.reset_system(sushy.RESET_FORCE_OFF)
system.refresh()
r['off'] = system.power_state.value
r['token'] = conn._conn._session.headers.get('X-Auth-Token') is not None
print(json.dumps(r))`, { auth: 'session' }));
    expect(out.allowed).toEqual(['ForceOff', 'ForceOn', 'ForceRestart', 'GracefulRestart', 'GracefulShutdown', 'Nmi', 'On', 'PowerCycle', 'PushPowerButton']);
    expect(out.targets).toEqual(['BiosSetup', 'Cd', 'Hdd', 'None', 'Pxe']);
    expect(out.set).toEqual(['Pxe', 'Once', 'UEFI']);
    expect(out.on).toBe('On');
    // The one-time override is spent by the power-on it applied to; the restart boots the disk.
    expect(out.after).toEqual(['None', 'Disabled']);
    expect(out.off).toBe('Off');
    expect(out.token).toBe(true);
    const ons = powerOnEvents(bmc).slice(before);
    expect(ons).toHaveLength(2);
    expect(ons[0]).toMatch(/bootdev=pxe/);
    expect(ons[1]).toMatch(/bootdev=default/);
  });

  it('keeps a continuous override and sets the boot mode; reads Bios and the machine\'s real figures', async () => {
    const out = py(await sushy(bmc, `
system.set_system_boot_options(sushy.BOOT_SOURCE_TARGET_HDD, enabled=sushy.BOOT_SOURCE_ENABLED_CONTINUOUS, mode=sushy.BOOT_SOURCE_MODE_BIOS)
system.reset_system(sushy.RESET_ON)
system.reset_system(sushy.ResetType.POWER_CYCLE)
system.refresh()
r = {'boot': [system.boot.target.value, system.boot.enabled.value, system.boot.mode.value],
     'bios': system.bios.attributes['BootMode'],
     'cpus': system.processors.summary.count, 'mem': system.memory_summary.size_gib,
     'disks': system.simple_storage.disks_sizes_bytes,
     'drives': [d.capacity_bytes for s in system.storage.get_members() for d in s.drives],
     'nics': {m: s.value for m, s in system.ethernet_interfaces.summary.items()}}
system.set_system_boot_options(sushy.BOOT_SOURCE_TARGET_NONE, enabled=sushy.BOOT_SOURCE_ENABLED_DISABLED, mode=sushy.BOOT_SOURCE_MODE_UEFI)
system.reset_system(sushy.RESET_FORCE_OFF)
print(json.dumps(r))`, { auth: 'basic' }));
    expect(out.boot).toEqual(['Hdd', 'Continuous', 'Legacy']);
    expect(out.bios).toBe('Bios');
    expect(out.cpus).toBeGreaterThan(0);
    expect(out.mem).toBeGreaterThan(0);
    expect(out.disks).toEqual([DISK]);
    expect(out.drives).toEqual([DISK]);
    expect(out.nics).toEqual({ [MAC]: 'Enabled' });
    const ons = powerOnEvents(bmc).slice(-2);
    expect(ons.every((l) => /bootdev=disk/.test(l))).toBe(true);
    // What the lab firmware boots in; the script set UEFI again at its end.
    expect(readFileSync(join(bmc.dir, 'boot-mode'), 'utf8')).toContain('uefi');
  });

  it('inserts and ejects virtual media', async () => {
    const out = py(await sushy(bmc, `
cd = manager.virtual_media.get_member(manager.virtual_media.members_identities[0])
cd.insert_media('http://10.213.0.1:8080/boot.iso', inserted=True, write_protected=True)
cd.refresh()
r = {'in': [cd.inserted, cd.image, cd.image_name, [m.value for m in cd.media_types]]}
cd.eject_media()
cd.refresh()
r['out'] = [cd.inserted, cd.image]
print(json.dumps(r))`));
    expect(out.in).toEqual([true, 'http://10.213.0.1:8080/boot.iso', 'boot.iso', ['CD', 'DVD']]);
    expect(out.out).toEqual([false, null]);
  });

  it('sets the indicator LED; secure boot only where the system offers it', async () => {
    const out = py(await sushy(bmc, `
system.set_indicator_led(sushy.IndicatorLED.BLINKING)
system.refresh()
r = {'led': system.indicator_led.value}
try:
    system.secure_boot
    r['secure'] = 'offered'
except sushy.exceptions.MissingAttributeError:
    r['secure'] = 'none'
system.set_indicator_led(sushy.IndicatorLED.OFF)
print(json.dumps(r))`));
    expect(out).toEqual({ led: 'Blinking', secure: 'none' });
    const sb = py(await sushy(strict, `
sb = system.secure_boot
r = {'before': [sb.enabled, sb.current_boot.value]}
sb.set_enabled(True)
sb.refresh()
r['after'] = [sb.enabled, sb.current_boot.value]
sb.set_enabled(False)
print(json.dumps(r))`));
    expect(sb).toEqual({ before: [false, 'Disabled'], after: [true, 'Enabled'] });
  });

  it('lets sushy log in again when its session expired', async () => {
    // This BMC's sessions expire after 2 s unused: sushy sees the 401 and makes a new session.
    const out = py(await sushy(strict, `
import time
t1 = conn._conn._session.headers.get('X-Auth-Token')
time.sleep(2.3)
system.refresh()
print(json.dumps({'renewed': conn._conn._session.headers.get('X-Auth-Token') != t1, 'power': system.power_state.value}))`, { auth: 'session' }));
    expect(out).toEqual({ renewed: true, power: 'Off' });
  });

  it('refuses wrong credentials with AccessError', async () => {
    const res = await sushy(bmc, 'print(system.power_state)', { auth: 'basic', password: 'not-the-password' });
    expect(res.code).not.toBe(0);
    expect(res.stderr).toMatch(/AccessError|401/);
  });

  it('accepts only the ResetTypes a system advertises', async () => {
    const out = py(await sushy(strict, `
r = {'allowed': sorted(v.value for v in system.get_allowed_reset_system_values())}
try:
    system.reset_system(sushy.RESET_FORCE_RESTART)
    r['restart'] = 'accepted'
except sushy.exceptions.InvalidParameterValueError as e:
    r['restart'] = 'refused by sushy'
print(json.dumps(r))`));
    expect(out).toEqual({ allowed: ['ForceOff', 'On'], restart: 'refused by sushy' });
  });
});

describe('redfishtool drives the lab Redfish BMC', () => {
  it('sets a boot override, powers on and off, inserts and ejects media', async () => {
    await call(bmc, 'POST', `${bmc.systemPath}/Actions/ComputerSystem.Reset`, { body: { ResetType: 'ForceOff' } });
    const before = powerOnEvents(bmc).length;
    expect((await redfishtool(bmc, ['Systems', '-I', '1', 'setBootOverride', 'Once', 'Cd'])).code).toBe(0);
    const on = await redfishtool(bmc, ['-A', 'Session', 'Systems', '-I', '1', 'reset', 'On']);
    expect(on.code, on.stderr).toBe(0);
    expect((await call(bmc, 'GET', bmc.systemPath)).body.PowerState).toBe('On');
    expect(powerOnEvents(bmc).slice(before)).toEqual([expect.stringMatching(/bootdev=cdrom/)]);
    expect((await redfishtool(bmc, ['Systems', '-I', '1', 'reset', 'ForceOff'])).code).toBe(0);
    expect((await call(bmc, 'GET', bmc.systemPath)).body.PowerState).toBe('Off');

    const cd = `${bmc.managerPath}/VirtualMedia/Cd`;
    const ins = await redfishtool(bmc, ['raw', 'POST', `${cd}/Actions/VirtualMedia.InsertMedia`, '-d', '{"Image": "http://127.0.0.1:9/x.iso"}']);
    expect(ins.code, ins.stderr).toBe(0);
    expect((await call(bmc, 'GET', cd)).body).toMatchObject({ Inserted: true, Image: 'http://127.0.0.1:9/x.iso' });
    expect((await redfishtool(bmc, ['raw', 'POST', `${cd}/Actions/VirtualMedia.EjectMedia`, '-d', '{}'])).code).toBe(0);
    expect((await call(bmc, 'GET', cd)).body).toMatchObject({ Inserted: false, Image: null });
  });

  it('fails on wrong credentials with the 401', async () => {
    const res = await redfishtool(bmc, ['Systems', '-I', '1', 'get'], { password: 'wrong' });
    expect(res.code).not.toBe(0);
    expect(res.stderr + res.stdout).toMatch(/401/);
  });
});

describe('wire details', () => {
  it('answers errors in Redfish format, 401 without credentials, and the service root openly', async () => {
    const root = await fetch(`${bmc.url}/redfish/v1/`, { dispatcher: tls });
    expect(root.status).toBe(200);
    expect(await root.json()).toMatchObject({ Systems: { '@odata.id': '/redfish/v1/Systems' }, Links: { Sessions: { '@odata.id': '/redfish/v1/SessionService/Sessions' } } });
    const denied = await call(bmc, 'GET', bmc.systemPath, { headers: { Authorization: basic(bmc, 'wrong') } });
    expect(denied.status).toBe(401);
    expect(denied.body.error['@Message.ExtendedInfo'][0].MessageId).toBe('Base.1.8.NoValidSession');
    expect(JSON.stringify(denied.body)).not.toContain(bmc.password);
    const missing = await call(bmc, 'GET', '/redfish/v1/Systems/nope');
    expect(missing.status).toBe(404);
    expect(missing.body.error['@Message.ExtendedInfo'][0].MessageId).toBe('Base.1.8.ResourceMissingAtURI');
    const bad = await call(bmc, 'PATCH', bmc.systemPath, { body: { Boot: { BootSourceOverrideTarget: 'Floppy' } } });
    expect(bad.status).toBe(400);
    expect(bad.body.error['@Message.ExtendedInfo'][0]).toMatchObject({ MessageId: 'Base.1.8.PropertyValueNotInList', MessageArgs: ['"Floppy"', 'Boot/BootSourceOverrideTarget'] });
    expect((await call(bmc, 'PATCH', bmc.systemPath, { body: { PowerState: 'On' } })).body.error.code).toBe('Base.1.8.PropertyNotWritable');
    expect((await call(bmc, 'PATCH', bmc.systemPath, { body: { Nonsense: 1 } })).body.error.code).toBe('Base.1.8.PropertyUnknown');
    const reset = await call(bmc, 'POST', `${bmc.systemPath}/Actions/ComputerSystem.Reset`, { body: {} });
    expect([reset.status, reset.body.error.code]).toEqual([400, 'Base.1.8.ActionParameterMissing']);
    expect((await call(bmc, 'DELETE', bmc.systemPath)).status).toBe(405);
  });

  it('honours If-Match on PATCH of the System and requires it where configured', async () => {
    const got = await call(strict, 'GET', strict.systemPath);
    const etag = got.headers.get('etag')!;
    expect(etag).toMatch(/^"[0-9a-f]+"$/);
    const change = { Boot: { BootSourceOverrideTarget: 'Pxe', BootSourceOverrideEnabled: 'Continuous' } };
    expect((await call(strict, 'PATCH', strict.systemPath, { body: change })).status).toBe(428);
    expect((await call(strict, 'PATCH', strict.systemPath, { body: change, headers: { 'If-Match': '"stale"' } })).status).toBe(412);
    expect((await call(strict, 'PATCH', strict.systemPath, { body: change, headers: { 'If-Match': `W/${etag}` } })).status).toBe(204);
    const after = await call(strict, 'GET', strict.systemPath);
    expect(after.body.Boot.BootSourceOverrideTarget).toBe('Pxe');
    expect(after.headers.get('etag')).not.toBe(etag);
    expect(after.body.Actions['#ComputerSystem.Reset']['ResetType@Redfish.AllowableValues']).toEqual(['On', 'ForceOff']);
    const refused = await call(strict, 'POST', `${strict.systemPath}/Actions/ComputerSystem.Reset`, { body: { ResetType: 'ForceRestart' } });
    expect([refused.status, refused.body.error.code]).toEqual([400, 'Base.1.8.ActionParameterNotSupported']);
  });

  it('logs in and out with sessions; an expired or deleted token gets 401', async () => {
    const login = await call(strict, 'POST', '/redfish/v1/SessionService/Sessions', { body: { UserName: strict.username, Password: strict.password }, headers: { Authorization: '' } });
    expect(login.status).toBe(201);
    const token = login.headers.get('x-auth-token')!;
    const location = login.headers.get('location')!;
    const withToken = { headers: { Authorization: '', 'X-Auth-Token': token } };
    expect((await call(strict, 'GET', strict.systemPath, withToken)).status).toBe(200);
    await new Promise((ok) => setTimeout(ok, 2300)); // the session timeout of this BMC is 2 s
    expect((await call(strict, 'GET', strict.systemPath, withToken)).status).toBe(401);
    const again = await call(strict, 'POST', '/redfish/v1/SessionService/Sessions', { body: { UserName: strict.username, Password: strict.password }, headers: { Authorization: '' } });
    const t2 = { headers: { Authorization: '', 'X-Auth-Token': again.headers.get('x-auth-token')! } };
    expect((await call(strict, 'DELETE', again.headers.get('location')!, t2)).status).toBe(204);
    expect((await call(strict, 'GET', strict.systemPath, t2)).status).toBe(401);
    expect(location).toMatch(/^\/redfish\/v1\/SessionService\/Sessions\/\w+$/);
    const wrong = await call(strict, 'POST', '/redfish/v1/SessionService/Sessions', { body: { UserName: strict.username, Password: 'x' }, headers: { Authorization: '' } });
    expect(wrong.status).toBe(401);
  });

  it('answers slowly and drops connections when told to', async () => {
    bmc.setFaults({ delayMs: 600 });
    const t0 = Date.now();
    expect((await call(bmc, 'GET', bmc.systemPath)).status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(600);
    bmc.setFaults({ dropRequests: 1 });
    await expect(call(bmc, 'GET', bmc.systemPath, { agent: agentFor(bmc) })).rejects.toThrow();
    expect((await call(bmc, 'GET', bmc.systemPath, { agent: agentFor(bmc) })).status).toBe(200);
    bmc.setFaults({});
  });

  it('serves a certificate that verifies against its own PEM and not against another BMC\'s', async () => {
    await expect(fetch(`${bmc.url}/redfish/v1/`, { dispatcher: agentFor(strict) })).rejects.toThrow();
    expect((await fetch(`${bmc.url}/redfish/v1/`, { dispatcher: agentFor(bmc) })).status).toBe(200);
  });
});
