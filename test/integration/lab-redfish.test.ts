// `anvil lab up --bmc redfish`: each machine gets the lab's Redfish BMC on 127.0.0.1 and is enrolled into
// Anvil as a redfish node, which Anvil powers and switches; clients nobody here wrote drive the lab firmware
// through it too — sushy boots the disk, redfishtool inserts an ISO that the
// firmware fetches and boots from the virtual CD (kernel command line from isolinux.cfg or grub.cfg, by the
// boot mode sushy sets); a machine can advertise only some ResetTypes; `lab list` shows the BMC; `down` leaves
// nothing behind (the BMC process included). Needs root, like every lab test.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { markerKernel, markerRamdisk } from '../../src/lab/firmware/images.js';
import { isAlive } from '../../src/lab/host.js';
import { startLab, type Lab, type LabVm } from '../support/lab.js';
import { redfishtool, requireRedfishClients, sushy } from '../support/redfish-clients.js';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
let lab: Lab;
let work: string;
let http: Server;
let isoUrl: string;

const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

async function until<T>(what: string, fn: () => T | null | undefined | false, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

function py(out: { code: number; stdout: string; stderr: string }): any {
  if (out.code !== 0) throw new Error(`client failed (${out.code}): ${out.stderr}`);
  return JSON.parse(out.stdout.trim().split('\n').pop()!);
}

/** The agreed ISO layout (docs/redfish.md): /vmlinuz, /initrd, and both boot configs with different lines. */
function buildIso(dir: string): string {
  const tree = join(dir, 'tree');
  mkdirSync(join(tree, 'boot', 'grub'), { recursive: true });
  mkdirSync(join(tree, 'isolinux'), { recursive: true });
  writeFileSync(join(tree, 'vmlinuz'), markerKernel());
  writeFileSync(join(tree, 'initrd'), markerRamdisk());
  writeFileSync(join(tree, 'boot', 'grub', 'grub.cfg'),
    'set default=deploy\nmenuentry "Deploy" --id deploy {\n  linux /vmlinuz ipa-api-url=http://10.213.0.1:6385 from=grub\n  initrd /initrd\n}\n');
  writeFileSync(join(tree, 'isolinux', 'isolinux.cfg'), 'DEFAULT deploy\nLABEL deploy\n  KERNEL /vmlinuz\n  APPEND initrd=/initrd ipa-api-url=http://10.213.0.1:6385 from=isolinux\n');
  const iso = join(dir, 'deploy.iso');
  const r = spawnSync('genisoimage', ['-quiet', '-R', '-J', '-V', 'ANVIL_DEPLOY', '-o', iso, tree], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`genisoimage: ${r.stderr}`);
  return iso;
}

beforeAll(async () => {
  requireRedfishClients();
  work = mkdtempSync(join(tmpdir(), 'lab-redfish-'));
  const iso = readFileSync(buildIso(work));
  http = createServer((req, res) => {
    if (req.url !== '/deploy.iso') return void res.writeHead(404).end();
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': iso.length }).end(iso);
  });
  await new Promise<void>((ok) => http.listen(0, '127.0.0.1', ok));
  isoUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}/deploy.iso`;
  // The agent stand-in exits at once: the test reads what the firmware found, not what an agent does.
  lab = await startLab({ nodes: 2, bmc: 'redfish', agentCommand: ['true'],
    redfish: (i) => (i === 1 ? { resetTypes: ['On', 'ForceOff'] } : undefined) });
}, 120_000);

afterAll(async () => {
  await lab?.stop();
  await new Promise((ok) => http?.close(ok));
  if (work) rmSync(work, { recursive: true, force: true });
});

const boot = (vm: LabVm) => vm.bootReport();

describe('lab with Redfish BMCs', { timeout: 60_000 }, () => {
  it('lists each machine\'s Redfish BMC (URL, system, certificate, credentials)', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'bin/anvil.js'), 'lab', 'list', '--dir', lab.dir, '-f', 'json'], { encoding: 'utf8' });
    const listed = JSON.parse(r.stdout);
    const vm = lab.vms[0]!;
    expect(listed[0]).toMatchObject({
      name: vm.name, bmc_type: 'redfish', bmc_url: `https://127.0.0.1:${vm.bmc.port}`, bmc_system: `/redfish/v1/Systems/${vm.name}`,
      bmc_cert: join(vm.bmc.dir, 'cert.pem'), bmc_username: 'admin', bmc_password: vm.bmc.password, power_state: 'power off',
    });
    expect(readFileSync(listed[0].bmc_cert, 'utf8')).toMatch(/BEGIN CERTIFICATE/);
  });

  it('enrols redfish nodes that Anvil powers on into the disk and off, on a system offering only On and ForceOff', async () => {
    const vm = lab.vms[1]!;
    const api = lab.api!;
    const node = (await api.request('GET', `/v1/nodes/${vm.uuid}`)).body as any;
    expect(node).toMatchObject({ driver: 'redfish', driver_info: {
      redfish_address: `https://127.0.0.1:${vm.bmc.port}`, redfish_system_id: `/redfish/v1/Systems/${vm.name}`,
      redfish_username: 'admin', redfish_password: '******', redfish_verify_ca: join(vm.bmc.dir, 'cert.pem'),
    } });
    const valid = (await api.request('GET', `/v1/nodes/${vm.uuid}/validate`)).body as any;
    expect([valid.power.result, valid.management.result]).toEqual([true, true]);
    expect((await api.request('PUT', `/v1/nodes/${vm.uuid}/management/boot_device`, { boot_device: 'disk' })).status).toBe(204);
    expect((await api.request('PUT', `/v1/nodes/${vm.uuid}/states/power`, { target: 'power on' })).status).toBe(202);
    const disk = await until('the disk boot', () => vm.diskReport());
    expect(disk).toMatchObject({ blank: true, device: vm.disk.device });
    expect(vm.bmcEvents()).toMatch(/power on pid=\d+ bootdev=disk/);
    const powerState = async () => ((await api.request('GET', `/v1/nodes/${vm.uuid}`)).body as any).power_state;
    for (let i = 0; i < 100 && (await powerState()) !== 'power on'; i++) await sleep(200);
    expect(await powerState()).toBe('power on');
    expect((await api.request('PUT', `/v1/nodes/${vm.uuid}/states/power`, { target: 'power off' })).status).toBe(202);
    for (let i = 0; i < 100 && (await powerState()) !== 'power off'; i++) await sleep(200);
    expect(await powerState()).toBe('power off');
    expect(lab.list()[1]!.power_state).toBe('power off');
    expect(vm.bmcEvents()).toMatch(/power off pid=/);
  });

  it('boots the disk with a one-time Hdd override set by sushy, and powers off', async () => {
    const vm = lab.vms[0]!;
    const out = py(await sushy(vm.redfish(), `
system.set_system_boot_options(sushy.BOOT_SOURCE_TARGET_HDD, enabled=sushy.BOOT_SOURCE_ENABLED_ONCE)
system.reset_system(sushy.RESET_ON)
system.refresh()
print(json.dumps({'power': system.power_state.value, 'mac': list(system.ethernet_interfaces.summary), 'disk': system.simple_storage.disks_sizes_bytes}))`));
    expect(out).toEqual({ power: 'On', mac: [vm.mac], disk: [vm.disk.sizeBytes] });
    const disk = await until('the disk report', () => vm.diskReport());
    expect(disk).toMatchObject({ blank: true, device: vm.disk.device });
    expect(boot(vm)).toMatchObject({ bootDevice: 'disk', phase: 'disk' });
    expect(lab.list()[0]!.power_state).toBe('power on');
    expect((await redfishtool(vm.redfish(), ['Systems', '-I', vm.name, 'reset', 'ForceOff'])).code).toBe(0);
    expect(lab.list()[0]!.power_state).toBe('power off');
  });

  it('boots an ISO inserted by redfishtool from the virtual CD, in the boot mode sushy sets', async () => {
    const vm = lab.vms[0]!;
    const cd = '/redfish/v1/Managers/BMC/VirtualMedia/Cd';
    const ins = await redfishtool(vm.redfish(), ['raw', 'POST', `${cd}/Actions/VirtualMedia.InsertMedia`, '-d', JSON.stringify({ Image: isoUrl })]);
    expect(ins.code, ins.stderr).toBe(0);
    // BIOS (Legacy) first: the firmware reads isolinux.cfg.
    py(await sushy(vm.redfish(), `
system.set_system_boot_options(sushy.BOOT_SOURCE_TARGET_CD, enabled=sushy.BOOT_SOURCE_ENABLED_ONCE, mode=sushy.BOOT_SOURCE_MODE_BIOS)
system.reset_system(sushy.RESET_ON)
print(json.dumps({}))`));
    const legacy = await until('the CD boot (bios)', () => (boot(vm)?.phase === 'agent exited' || boot(vm)?.cdFailure ? boot(vm) : null));
    expect(legacy.cdFailure).toBeUndefined();
    expect(legacy).toMatchObject({ bootDevice: 'cdrom', bootMode: 'bios', cmdline: 'initrd=/initrd ipa-api-url=http://10.213.0.1:6385 from=isolinux' });
    expect(legacy.cd.image).toBe(isoUrl);
    expect(legacy.cd.fetched.map((f: { url: string }) => f.url)).toEqual([isoUrl, 'iso:/isolinux/isolinux.cfg', 'iso:/vmlinuz', 'iso:/initrd']);
    expect(legacy.cd.fetched[2].size).toBe(Buffer.byteLength(markerKernel()));

    // Then UEFI: grub.cfg. The one-time override was spent, so it is set again.
    const out = py(await sushy(vm.redfish(), `
system.reset_system(sushy.RESET_FORCE_OFF)
system.refresh()
r = {'spent': [system.boot.target.value, system.boot.enabled.value]}
system.set_system_boot_options(sushy.BOOT_SOURCE_TARGET_CD, enabled=sushy.BOOT_SOURCE_ENABLED_ONCE, mode=sushy.BOOT_SOURCE_MODE_UEFI)
system.reset_system(sushy.RESET_ON)
print(json.dumps(r))`));
    expect(out.spent).toEqual(['None', 'Disabled']);
    const uefi = await until('the CD boot (uefi)', () => (boot(vm)?.bootMode === 'uefi' && (boot(vm)?.phase === 'agent exited' || boot(vm)?.cdFailure) ? boot(vm) : null));
    expect(uefi).toMatchObject({ bootDevice: 'cdrom', cmdline: 'ipa-api-url=http://10.213.0.1:6385 from=grub' });

    // Ejected, a CD boot finds no medium and falls through to the disk.
    expect((await redfishtool(vm.redfish(), ['raw', 'POST', `${cd}/Actions/VirtualMedia.EjectMedia`, '-d', '{}'])).code).toBe(0);
    py(await sushy(vm.redfish(), `
system.reset_system(sushy.RESET_FORCE_OFF)
system.set_system_boot_options(sushy.BOOT_SOURCE_TARGET_CD, enabled=sushy.BOOT_SOURCE_ENABLED_ONCE)
system.reset_system(sushy.RESET_ON)
print(json.dumps({}))`));
    const empty = await until('the empty CD boot', () => (boot(vm)?.phase === 'disk' ? boot(vm) : null));
    expect(empty.cdFailure).toMatch(/no medium/);
    py(await sushy(vm.redfish(), 'system.reset_system(sushy.RESET_FORCE_OFF)\nprint(json.dumps({}))'));
  });

  it('gives a machine a BMC that advertises only some ResetTypes', async () => {
    const out = py(await sushy(lab.vms[1]!.redfish(), "print(json.dumps(sorted(v.value for v in system.get_allowed_reset_system_values())))"));
    expect(out).toEqual(['ForceOff', 'On']);
  });

  it('down stops the BMC process and leaves nothing behind', async () => {
    const bmcProcess = lab.state.redfish!;
    expect(isAlive(bmcProcess)).toBe(true);
    expect(await lab.stop()).toEqual([]);
    expect(isAlive(bmcProcess)).toBe(false);
  });
});
