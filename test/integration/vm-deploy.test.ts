// A real machine deployed by Anvil, end to end: a qemu VM (TCG) with a virtio NIC and disk whose BMC is an
// ipmi_sim; Anvil runs as a process with its own supervised dnsmasq on the VM network, the ipmi hardware
// type, the ipxe boot interface and the direct deploy interface, and this project's deploy ramdisk
// (`anvil ramdisk build`) as file:// deploy_kernel/deploy_ramdisk. IPMI power on → DHCP → iPXE (SeaBIOS:
// the NIC's ROM; OVMF: its PXE client loads snponly.efi over TFTP) → the script named by the VM's MAC →
// kernel + initramfs over HTTP from Anvil's HTTP root → agent lookup + heartbeat → the image streamed onto
// the VM's disk and verified → boot device disk → power on → the image's GRUB prints the marker on the
// serial console. Also: an unknown MAC gets no boot answer and leaves the node alone; a wrong checksum ends
// in `deploy failed` with the digests in last_error and a disk that boots nothing.
//
// Both run in CI: together about 3.5 min on a 2-core machine, one VM at a time (the bound is 6);
// ANVIL_VM_UEFI=0 skips the UEFI run for a quicker local check. Phase times: BENCHMARKS.md.
// KEEP_VM_RUN=1 keeps the run directory.
import { createHash, randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAnvilProcess, type AnvilProcess } from '../support/anvil-process.js';
import { buildDeployRamdisk, type DeployRamdisk } from '../support/deploy-ramdisk.js';
import { buildMarkerImage, readHead, startRealVm, type Firmware, type RealVm } from '../support/real-vm.js';
import { createVmNetwork, type VmNetwork } from '../support/vm-network.js';

const API_VERSION = '1.82';
const UEFI = process.env.ANVIL_VM_UEFI !== '0';

interface Api {
  call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  node(id: string): Promise<any>;
}

function apiOf(anvil: AnvilProcess): Api {
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${anvil.url}${path}`, {
      method, headers: { 'Content-Type': 'application/json', 'X-OpenStack-Ironic-API-Version': API_VERSION },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
  return { call, node: async (id) => (await call('GET', `/v1/nodes/${id}`)).body };
}

function ipmitool(vm: RealVm, ...args: string[]): Promise<string> {
  return new Promise((ok, fail) => execFile('ipmitool', ['-I', 'lanplus', '-C', '3', '-H', vm.bmc.address, '-p', String(vm.bmc.port),
    '-U', vm.bmc.user, '-E', ...args], { env: { ...process.env, IPMI_PASSWORD: vm.bmc.password } },
  (err, stdout, stderr) => (err ? fail(new Error(`ipmitool ${args.join(' ')}: ${stderr}`)) : ok(stdout))));
}

/** When the BMC last powered the machine on with boot device pxe after `since` (from its events.log). */
function powerOnAt(vm: RealVm, since: number): number | null {
  let at: number | null = null;
  for (const line of readFileSync(join(vm.bmc.dir, 'events.log'), 'utf8').split('\n')) {
    const m = /^(\S+) power on .*bootdev=pxe/.exec(line);
    const t = m ? Date.parse(`${m[1]}Z`) : NaN;   // local time stamps; the test machine runs in UTC
    if (t >= since - 1000) at = at ?? t;
  }
  return at;
}

/** dnsmasq's log lines (from Anvil's debug log) with their time. */
function dnsmasqLines(anvil: AnvilProcess): { at: number; line: string }[] {
  const out: { at: number; line: string }[] = [];
  for (const l of anvil.logLines()) {
    if (!l.includes('"dnsmasq"')) continue;
    try {
      const j = JSON.parse(l) as { time: string; msg: string; line?: string };
      if (j.msg === 'dnsmasq' && j.line) out.push({ at: Date.parse(j.time), line: j.line });
    } catch { /* not JSON */ }
  }
  return out;
}

/** The DHCP transactions dnsmasq answered for `mac` (OFFER/ACK), each with every log line of its id. */
function dhcpAnswers(anvil: AnvilProcess, mac: string): { at: number; xid: string; lines: string[] }[] {
  const lines = dnsmasqLines(anvil);
  const answers = lines.filter((l) => new RegExp(`DHCP(OFFER|ACK)\\(.*\\) \\S+ ${mac}`).test(l.line));
  const xids = [...new Set(answers.map((a) => /dnsmasq-dhcp(?:\[\d+\])?: (\d+) /.exec(a.line)?.[1]).filter(Boolean))] as string[];
  return xids.map((xid) => ({
    xid, at: answers.find((a) => a.line.includes(` ${xid} `))!.at,
    lines: lines.filter((l) => l.line.includes(`: ${xid} `)).map((l) => l.line),
  }));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls the node until `done` says so; records when each provision state and deploy step was first seen. */
async function follow(api: Api, uuid: string, done: (n: any) => boolean, timeoutMs: number, seen: Map<string, number>): Promise<any> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const n = await api.node(uuid);
    const marks = [`state:${n.provision_state}`, n.deploy_step?.step ? `step:${n.deploy_step.step}` : ''];
    for (const k of marks) if (k && !seen.has(k)) seen.set(k, Date.now());
    if (done(n)) return n;
    if (Date.now() > end) throw new Error(`node ${uuid} still ${n.provision_state} (step ${JSON.stringify(n.deploy_step)}) after ${timeoutMs} ms; last_error: ${n.last_error}`);
    await sleep(500);
  }
}

describe('a real VM deployed by Anvil through IPMI, DHCP, network boot and the agent', () => {
  let dir: string;
  let images: string;
  let ramdisk: DeployRamdisk;
  let net: VmNetwork | undefined;
  let anvil: AnvilProcess | undefined;
  let api: Api;
  const marker = `deployed-${randomBytes(4).toString('hex')}`;
  let image: string;
  let imageSha256: string;
  const vms: RealVm[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'anvil-vm-deploy-'));
    images = join(dir, 'images');
    mkdirSync(images);
    ramdisk = await buildDeployRamdisk(images);
    image = join(images, 'marker-disk.img');
    await buildMarkerImage(image, marker);
    imageSha256 = createHash('sha256').update(readFileSync(image)).digest('hex');
    net = createVmNetwork();
    const config = join(dir, 'anvil.json');
    writeFileSync(config, JSON.stringify({
      host: net.hostIp,
      // the API is on the private VM network only (its host end is this machine); the agent's calls
      // are unauthenticated in Ironic too
      insecureNoauth: true,
      automatedClean: false,
      fileUrlAllowedPaths: [images],
      dnsmasqInterface: net.hostIf,
      dnsmasqDhcpRange: `${net.prefix}.100,${net.prefix}.150,255.255.255.0,1h`,
      // a router advertisement: without one iPXE waits ~13 s for IPv6 autoconfiguration on every boot
      dnsmasqExtraArgs: ['--enable-ra', `--dhcp-range=${net.ipv6Prefix}::,ra-only,64`],
      kernelAppendParams: 'console=ttyS0,115200 panic=-1',
      // dnsmasq's DHCP log reaches Anvil's log at debug level: the test reads what each MAC was answered
      logLevel: 'debug',
    }));
    anvil = await startAnvilProcess('sqlite', { args: ['--config', config, '--host', net.hostIp], readyTimeoutMs: 30_000 });
    api = apiOf(anvil);
  }, 600_000);

  afterAll(async () => {
    for (const vm of vms) await vm.stop();
    await anvil?.stop();
    net?.destroy();
    if (dir && process.env.KEEP_VM_RUN !== '1') rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  async function enrol(vm: RealVm, firmware: Firmware, withPort: boolean): Promise<string> {
    const created = await api.call('POST', '/v1/nodes', {
      name: `vm-${firmware}-${process.pid}`, driver: 'ipmi', boot_interface: 'ipxe', deploy_interface: 'direct',
      driver_info: vm.bmc.driverInfo({
        deploy_kernel: `file://${ramdisk.kernel}`, deploy_ramdisk: `file://${ramdisk.initramfs}`,
      }),
      properties: { capabilities: `boot_mode:${firmware}` },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const uuid = created.body.uuid as string;
    if (withPort) await addPort(uuid, vm.mac);
    expect((await api.call('PUT', `/v1/nodes/${uuid}/states/provision`, { target: 'manage' })).status).toBe(202);
    await follow(api, uuid, (n) => n.provision_state === 'manageable', 60_000, new Map());
    expect((await api.call('PUT', `/v1/nodes/${uuid}/states/provision`, { target: 'provide' })).status).toBe(202);
    await follow(api, uuid, (n) => n.provision_state === 'available', 60_000, new Map());
    return uuid;
  }

  async function addPort(uuid: string, mac: string): Promise<void> {
    const port = await api.call('POST', '/v1/ports', { node_uuid: uuid, address: mac, pxe_enabled: true });
    expect(port.status, JSON.stringify(port.body)).toBe(201);
  }

  async function deploy(uuid: string, sha256: string): Promise<void> {
    const patch = await api.call('PATCH', `/v1/nodes/${uuid}`, [
      { op: 'add', path: '/instance_info/image_source', value: `file://${image}` },
      { op: 'add', path: '/instance_info/image_os_hash_algo', value: 'sha256' },
      { op: 'add', path: '/instance_info/image_os_hash_value', value: sha256 },
    ]);
    expect(patch.status, JSON.stringify(patch.body)).toBe(200);
    const res = await api.call('PUT', `/v1/nodes/${uuid}/states/provision`, { target: 'active' });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
  }

  async function deployAndBoot(vm: RealVm, uuid: string, firmware: Firmware): Promise<void> {
    const seen = new Map<string, number>();
    const from = vm.consoleOffset();
    const t0 = Date.now();
    await deploy(uuid, imageSha256);
    const active = await follow(api, uuid, (n) => n.provision_state === 'active' || /failed/.test(n.provision_state), 600_000, seen);
    expect(active.provision_state, active.last_error).toBe('active');
    expect(active.last_error).toBeNull();
    const bootFrom = vm.consoleOffset();
    const disk = await vm.waitConsole(new RegExp(`ANVIL-DISK-BOOT ${marker}`), 180_000, { from: Math.min(bootFrom, from) });
    // the disk holds the image byte for byte (the rest of the disk is past the image)
    const want = readFileSync(image);
    expect(readHead(vm.disk, want.length).equals(want)).toBe(true);
    expect(vm.bmc.bootDevice()).toBe('disk');
    const at = async (re: RegExp) => (await vm.waitConsole(re, 1000, { from })).at;
    const kernel = await at(/Linux version/);
    const lookup = await at(/"Lookup succeeded"/);
    const write0 = await at(/"command":"deploy\.execute_deploy_step"/);
    const write1 = await at(/"Image written"/);
    const powerOn = powerOnAt(vm, t0) ?? NaN;
    const dhcp = dhcpAnswers(anvil!, vm.mac).filter((a) => a.at >= powerOn).map((a) => a.at)[0] ?? NaN;
    const activeAt = seen.get('state:active') ?? NaN;
    const s = (ms: number) => (Number.isFinite(ms) ? (ms / 1000).toFixed(1) : 'n/a');
    console.log(`${firmware} deploy phases (s): deploy request -> IPMI power on ${s(powerOn - t0)}; firmware + DHCP ${s(dhcp - powerOn)}; ` +
      `iPXE + kernel + ramdisk download ${s(kernel - dhcp)}; boot to lookup ${s(lookup - kernel)}; lookup -> write start ${s(write0 - lookup)}; ` +
      `image write ${s(write1 - write0)}; write end -> active (power off, bootdev disk, power on) ${s(activeAt - write1)}; ` +
      `active -> marker ${s(disk.at - activeAt)}; total ${s(disk.at - t0)}`);
  }

  it('bios: unknown MAC gets no boot answer; wrong checksum fails cleanly; then the image deploys and boots from disk', async () => {
    const vm = await startRealVm({ firmware: 'bios', network: net!, dir: mkdtempSync(join(dir, 'bios-')), diskMiB: 4608 });
    vms.push(vm);
    const uuid = await enrol(vm, 'bios', false);

    // 1. not enrolled: the VM's MAC is on no port, so dnsmasq gives it no boot file and it never boots a ramdisk
    const before = await api.node(uuid);
    await ipmitool(vm, 'chassis', 'bootdev', 'pxe');
    const poweredAt = Date.now();
    await ipmitool(vm, 'power', 'on');
    // dnsmasq answers the firmware's DHCP with an address and nothing to boot
    let answered: ReturnType<typeof dhcpAnswers> = [];
    for (let i = 0; i < 240 && answered.length === 0; i++) {
      await sleep(500);
      answered = dhcpAnswers(anvil!, vm.mac).filter((a) => a.at >= poweredAt - 1000);
    }
    expect(answered.length, 'dnsmasq answered the VM (a DHCP exchange happened)').toBeGreaterThan(0);
    for (const a of answered) {
      const answer = a.lines.filter((l) => /sent size/.test(l)).join('\n');
      expect(answer, answer).not.toMatch(/option:\s*67 |bootfile-name|tftp-server/);
    }
    // time for firmware that did get a boot file to have started its ramdisk
    await sleep(15_000);
    expect(vm.console()).not.toMatch(/ANVIL-RAMDISK/);
    await ipmitool(vm, 'power', 'off');
    const after = await api.node(uuid);
    for (const k of ['provision_state', 'last_error', 'driver_internal_info', 'updated_at', 'reservation'] as const) {
      expect(after[k], k).toEqual(before[k]);
    }

    // 2. wrong checksum: deploy failed naming the digests, and the disk boots nothing
    await addPort(uuid, vm.mac);
    const wrong = 'f'.repeat(64);
    await deploy(uuid, wrong);
    const failed = await follow(api, uuid, (n) => n.provision_state === 'deploy failed' || n.provision_state === 'active', 400_000, new Map());
    expect(failed.provision_state).toBe('deploy failed');
    expect(failed.last_error).toMatch(/sha256/i);
    expect(failed.last_error).toContain(wrong);
    expect(failed.last_error).toContain(imageSha256);
    expect(readHead(vm.disk, 1 << 20).equals(Buffer.alloc(1 << 20))).toBe(true);
    if (vm.bmc.powerIsOn()) await ipmitool(vm, 'power', 'off');
    const from = vm.consoleOffset();
    await ipmitool(vm, 'chassis', 'bootdev', 'disk');
    await ipmitool(vm, 'power', 'on');
    await sleep(10_000);   // the marker image prints within ~3 s under SeaBIOS
    expect(vm.console().slice(from)).not.toMatch(/ANVIL-DISK-BOOT/);
    await ipmitool(vm, 'power', 'off');

    // 3. back to available, then the right checksum: deployed, and the VM boots the image from its disk
    expect((await api.call('PUT', `/v1/nodes/${uuid}/states/provision`, { target: 'deleted' })).status).toBe(202);
    await follow(api, uuid, (n) => n.provision_state === 'available', 120_000, new Map());
    await deployAndBoot(vm, uuid, 'bios');
    await vm.stop();
  }, 1_200_000);

  it.runIf(UEFI)('uefi: the image deploys through OVMF PXE + snponly.efi and boots from disk', async () => {
    const vm = await startRealVm({ firmware: 'uefi', network: net!, dir: mkdtempSync(join(dir, 'uefi-')), diskMiB: 4608 });
    vms.push(vm);
    const uuid = await enrol(vm, 'uefi', true);
    await deployAndBoot(vm, uuid, 'uefi');
    await vm.stop();
  }, 1_200_000);
});
