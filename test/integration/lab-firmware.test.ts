// The lab firmware against real peers: a real dnsmasq (DHCP + TFTP) on the lab bridge and a real HTTP server
// on the bridge address. Boot device pxe + power on through the machine's ipmi_sim BMC runs a real DHCP
// exchange in the machine's namespace, follows PXELINUX (TFTP), iPXE (HTTP) or GRUB, and starts the agent —
// here a probe standing in for anvil-agent — sandboxed, which shows what it can and cannot touch.
// One machine, ~25 s.
import { createServer, type Server } from 'node:http';
import { chmodSync, closeSync, mkdirSync, mkdtempSync, openSync, readSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachLoop, detachLoop, readBytes } from '../support/loop-devices.js';
import { startDnsmasq, type TestDnsmasq } from '../support/dnsmasq.js';
import { startLab, type Lab, type LabVm } from '../support/lab.js';

const PROBE = fileURLToPath(new URL('../fixtures/lab/probe-agent.sh', import.meta.url));
const SANDBOX = fileURLToPath(new URL('../../scripts/lab/sandbox.sh', import.meta.url));
const AGENT = fileURLToPath(new URL('../../bin/anvil-agent.js', import.meta.url));
// The host's own root disk: the probe opens it for writing (writing nothing) to show the sandbox hides it.
const HOST_DISK = '/dev/vda';

let lab: Lab;
let vm: LabVm;
let tftp: string;
let dnsmasq: TestDnsmasq | undefined;
let http: Server;
let httpPort = 0;
const httpHits: string[] = [];
const IMAGE = Buffer.alloc(2 * 1024 * 1024, 0x6b);

const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms));

async function waitFor<T>(what: string, fn: () => T | undefined | null | false, timeoutMs = 40_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\nfirmware log:\n${vm.firmwareLog()}\nagent log:\n${vm.agentLog()}`);
    await sleep(200);
  }
}

async function useDnsmasq(options: string[]): Promise<void> {
  await dnsmasq?.stop();
  const net = lab.serverIp.replace(/\.1$/, '');
  dnsmasq = await startDnsmasq({ iface: lab.state.network.bridge, range: [`${net}.100`, `${net}.199`], tftpRoot: tftp, options });
}

/** Power cycles the machine into a network boot; resolves to the boot report once the agent runs. */
async function netbootToAgent(): Promise<any> {
  expect(vm.ipmitool('power', 'off').status).toBe(0);
  rmSync(join(vm.dir, 'agent.log'), { force: true });
  rmSync(join(vm.dir, 'boot.json'), { force: true });
  expect(vm.ipmitool('chassis', 'bootdev', 'pxe').status).toBe(0);
  expect(vm.ipmitool('power', 'on').status).toBe(0);
  await waitFor('the agent to start', () => vm.agentLog().includes('READY'));
  return vm.bootReport();
}

beforeAll(async () => {
  lab = await startLab({ nodes: 1, anvil: false, agentCommand: ['sh', PROBE, HOST_DISK] });
  vm = lab.vms[0]!;
  tftp = mkdtempSync(join(tmpdir(), 'anvil-lab-tftp-'));
  chmodSync(tftp, 0o755); // dnsmasq serves TFTP as user nobody
  const kernel = readFileSync(lab.state.deployImages!.kernel);
  const ramdisk = readFileSync(lab.state.deployImages!.ramdisk);
  const macName = `01-${vm.mac.replace(/:/g, '-')}`;
  mkdirSync(join(tftp, 'pxelinux.cfg'));
  mkdirSync(join(tftp, 'node'));
  writeFileSync(join(tftp, 'pxelinux.0'), 'PXELINUX loader stand-in');
  writeFileSync(join(tftp, 'undionly.kpxe'), 'iPXE loader stand-in');
  writeFileSync(join(tftp, 'grubx64.efi'), 'GRUB loader stand-in');
  writeFileSync(join(tftp, 'node', 'deploy_kernel'), kernel);
  writeFileSync(join(tftp, 'node', 'deploy_ramdisk'), ramdisk);
  writeFileSync(join(tftp, 'pxelinux.cfg', macName),
    `default deploy\nlabel deploy\nkernel node/deploy_kernel\nappend initrd=node/deploy_ramdisk ipa-api-url=http://${lab.serverIp}:6385 via=pxelinux probe_action=none\nipappend 2\n`);
  writeFileSync(join(tftp, `grub.cfg-${macName}`),
    `set default=deploy\nmenuentry "deploy" {\n  linuxefi /node/deploy_kernel via=grub probe_action=reboot\n  initrdefi /node/deploy_ramdisk\n}\n`);
  http = createServer((req, res) => {
    httpHits.push(`${req.socket.remoteAddress} ${req.url}`);
    const files: Record<string, string | Buffer> = {
      '/boot.ipxe': '#!ipxe\nchain /nodes/${mac:hexhyp}.ipxe || goto none\n:none\nexit\n',
      [`/nodes/${vm.mac.replace(/:/g, '-')}.ipxe`]: `#!ipxe\nkernel /k/deploy_kernel via=ipxe BOOTIF=\${mac} probe_action=power-off\ninitrd /k/deploy_ramdisk\nboot\n`,
      '/k/deploy_kernel': kernel, '/k/deploy_ramdisk': ramdisk, '/img.raw': IMAGE,
    };
    const body = files[req.url ?? ''];
    res.writeHead(body === undefined ? 404 : 200).end(body);
  });
  await new Promise<void>((ok) => http.listen(0, lab.serverIp, ok));
  httpPort = (http.address() as { port: number }).port;
}, 120_000);

afterAll(async () => {
  await new Promise((ok) => http?.close(ok));
  await dnsmasq?.stop();
  const left = await lab?.stop();
  rmSync(tftp, { recursive: true, force: true });
  expect(left).toEqual([]);
}, 120_000);

describe('lab firmware', { timeout: 60_000 }, () => {
  it('PXELINUX over TFTP: real DHCP, the per-MAC config, kernel and ramdisk fetched, the agent started with its command line', async () => {
    await useDnsmasq(['--dhcp-boot=pxelinux.0']);
    const report = await netbootToAgent();
    expect(report.phase).toBe('agent');
    expect(report.netboot.leases[0]).toMatchObject({ bootFile: 'pxelinux.0', server: lab.serverIp });
    expect(report.netboot.leases[0].ip).toMatch(new RegExp(`^${lab.serverIp.replace(/\.1$/, '').replace(/\./g, '\\.')}\\.1\\d\\d$`));
    expect(report.netboot.fetched.map((f: { url: string }) => f.url)).toEqual([
      `tftp://${lab.serverIp}/pxelinux.0`, `tftp://${lab.serverIp}/pxelinux.cfg/01-${vm.mac.replace(/:/g, '-')}`,
      `tftp://${lab.serverIp}/node/deploy_kernel`, `tftp://${lab.serverIp}/node/deploy_ramdisk`,
    ]);
    const cmdline = `initrd=node/deploy_ramdisk ipa-api-url=http://${lab.serverIp}:6385 via=pxelinux probe_action=none BOOTIF=01-${vm.mac.replace(/:/g, '-')}`;
    expect(report.cmdline).toBe(cmdline);
    expect(vm.agentLog()).toContain(`CMDLINE=${cmdline}`);
    expect(dnsmasq!.log()).toMatch(new RegExp(`DHCPACK\\(${lab.state.network.bridge}\\) \\S+ ${vm.mac}`));
    expect(dnsmasq!.log()).toContain('vendor class: PXEClient:Arch:00000:UNDI:002001');
  });

  it('the sandbox: only its own disk in /dev, the host disk cannot be opened, host files and mounts stay read-only', () => {
    const log = vm.agentLog();
    expect(log).toContain(`BLOCK_DEVICE=${vm.disk.device}`);
    const dev = /DEV_ENTRIES=(.*)/.exec(log)![1]!.trim().split(/\s+/).sort();
    expect(dev).toEqual([vm.disk.device.replace('/dev/', ''), 'fd', 'null', 'random', 'stderr', 'stdin', 'stdout', 'urandom', 'zero'].sort());
    expect(log).toContain('HOST_DISK_VISIBLE=no');
    expect(log).toContain('HOST_DISK_OPEN=refused');
    expect(log).toContain('HOST_FILE_WRITE=refused');
    expect(log).toContain('REMOUNT=refused');
    expect(log).toContain('MKNOD=refused');
    expect(log).toContain('DEV_WRITE=refused');
    expect(log).toContain('TMP_WRITE=ok');
    // Its own disk is writable: the probe's bytes are on the loop device.
    expect(log).toContain('OWN_DISK_WRITE=ok');
    const head = Buffer.alloc(14);
    const fd = openSync(vm.disk.device, 'r');
    readSync(fd, head, 0, 14, 0);
    closeSync(fd);
    expect(head.toString()).toBe('LAB-DISK-PROBE');
  });

  it('iPXE: a PXE ROM loads undionly.kpxe over TFTP, asks again as iPXE, follows the HTTP scripts; the agent powers the machine off', async () => {
    await useDnsmasq(['--dhcp-userclass=set:ipxe,iPXE', '--dhcp-boot=tag:!ipxe,undionly.kpxe',
      `--dhcp-boot=tag:ipxe,http://${lab.serverIp}:${httpPort}/boot.ipxe`]);
    httpHits.length = 0;
    const report = await netbootToAgent();
    expect(report.netboot.leases.map((l: { bootFile: string }) => l.bootFile)).toEqual(['undionly.kpxe', `http://${lab.serverIp}:${httpPort}/boot.ipxe`]);
    expect(report.cmdline).toBe(`via=ipxe BOOTIF=${vm.mac} probe_action=power-off`);
    expect(httpHits.map((h) => h.split(' ')[1])).toEqual(['/boot.ipxe', `/nodes/${vm.mac.replace(/:/g, '-')}.ipxe`, '/k/deploy_kernel', '/k/deploy_ramdisk']);
    expect(httpHits[0]).toMatch(/^(::ffff:)?10\.213\.\d+\.1\d\d /);
    // The probe ran its --power-off-command: the machine stops and its BMC reports power off.
    await waitFor('power off', () => /Power is off/.test(vm.ipmitool('power', 'status').stdout));
    expect(lab.list()[0]!.power_state).toBe('power off');
  });

  it('GRUB over TFTP: grub.cfg-01-<mac>; the agent\'s reboot command boots the machine again', async () => {
    await useDnsmasq(['--dhcp-boot=grubx64.efi']);
    const report = await netbootToAgent();
    expect(report.cmdline).toBe('via=grub probe_action=reboot');
    expect(report.netboot.fetched.map((f: { url: string }) => f.url)).toContain(`tftp://${lab.serverIp}/grub.cfg-01-${vm.mac.replace(/:/g, '-')}`);
    await waitFor('the reboot', () => (vm.firmwareLog().match(/power on: boot device/g) ?? []).length >= 2 && /reboot/.test(vm.firmwareLog()));
    expect(/Power is on/.test(vm.ipmitool('power', 'status').stdout)).toBe(true);
  });

  it('no boot file in the DHCP answer: the firmware falls back to the disk and records what it holds', async () => {
    await useDnsmasq([]);
    expect(vm.ipmitool('power', 'off').status).toBe(0);
    rmSync(join(vm.dir, 'disk.json'), { force: true });
    expect(vm.ipmitool('chassis', 'bootdev', 'pxe').status).toBe(0);
    expect(vm.ipmitool('power', 'on').status).toBe(0);
    const disk = await waitFor('the disk boot', () => vm.diskReport());
    expect(vm.bootReport().netbootFailure).toMatch(/names no boot file/);
    expect(disk.blank).toBe(false); // the probe wrote LAB-DISK-PROBE earlier
    expect(disk.sha256FirstMiB).toMatch(/^[0-9a-f]{64}$/);
    expect(lab.list()[0]).toMatchObject({ power_state: 'power on', boot: 'disk' });
    expect(lab.list()[0]!.disk_holds).toMatch(/no partition table, no partitions, first MiB sha256 [0-9a-f]{16}/);
  });

  it('the real anvil-agent in the sandbox, told to write an image onto a disk that is not its own, cannot open it', async () => {
    // The "other disk" is a loop device of the test's own: had the sandbox failed, nothing but this
    // scratch device could be hurt (the probe above checks the host's real disk without writing to it).
    const scratch = mkdtempSync(join(tmpdir(), 'anvil-lab-other-'));
    const other = attachLoop(join(scratch, 'other.img'), 64 * 1024 * 1024);
    const lease = vm.bootReport().netboot?.leases?.[0];
    const ip = lease?.ip as string;
    expect(ip).toMatch(/^10\.213\./);
    const agent = spawn('ip', ['netns', 'exec', vm.netns, 'unshare', '-m', '--propagation', 'private', 'sh', SANDBOX, vm.disk.device,
      process.execPath, AGENT, '--standalone', '--no-tls', '--agent-token', 'lab-token', '--listen-port', '9999', '--block-device', other],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SANDBOX_TMP: mkdtempSync(join(scratch, 'tmp-')) } });
    let output = '';
    agent.stdout!.on('data', (c: Buffer) => { output += c.toString(); });
    agent.stderr!.on('data', (c: Buffer) => { output += c.toString(); });
    try {
      const call = async (name: string, params: unknown, wait = true) => {
        const res = await fetch(`http://${ip}:9999/v1/commands/?wait=${wait}&agent_token=lab-token`, {
          method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ name, params }),
        });
        return { status: res.status, body: await res.json() as any };
      };
      let up = false;
      for (let i = 0; i < 100 && !up; i++) {
        up = await fetch(`http://${ip}:9999/v1/commands/?agent_token=lab-token`).then(() => true, () => false);
        if (!up) await sleep(200);
      }
      expect(up, output).toBe(true);
      const sha = createHash('sha256').update(IMAGE).digest('hex');
      const res = await call('deploy.execute_deploy_step', {
        node: { uuid: 'lab-sandbox', instance_info: {}, properties: {} }, ports: [],
        step: { interface: 'deploy', step: 'write_image', args: { image_info: {
          id: 'img.raw', urls: [`http://${lab.serverIp}:${httpPort}/img.raw`], disk_format: 'raw', stream_raw_images: true,
          os_hash_algo: 'sha256', os_hash_value: sha, node_uuid: 'lab-sandbox',
        } } },
      });
      let result = res.body;
      for (let i = 0; i < 100 && result.command_status === 'RUNNING'; i++) {
        await sleep(200);
        result = (await fetch(`http://${ip}:9999/v1/commands/${result.id}?agent_token=lab-token`).then((r) => r.json())) as any;
      }
      expect(result.command_status, JSON.stringify(result)).toBe('FAILED');
      // The agent saw no disk at all: the other one is not in its /dev, and it may not create a node for it.
      expect(result.command_error).toMatchObject({ type: 'DeviceNotFound', details: expect.stringMatching(/disks: none/) });
      // Neither disk got the image.
      expect(readBytes(other, 0, 4096).every((b) => b === 0)).toBe(true);
      expect(readBytes(vm.disk.device, 0, 4096).includes(0x6b)).toBe(false);
    } finally {
      agent.kill('SIGKILL');
      await new Promise((ok) => agent.once('close', ok));
      detachLoop(other);
      rmSync(scratch, { recursive: true, force: true });
    }
  });
});
