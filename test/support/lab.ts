// A lab for integration tests: Anvil as a real process plus `anvil lab` machines (network namespaces, loop
// disks, ipmi_sim BMCs, the lab firmware), enrolled as ipmi nodes. `stop()` removes everything and reports
// leftovers, so a test can assert that nothing stayed behind. Free of vitest imports; call startLab in
// beforeAll and lab.stop() in afterAll (an exit hook runs `lab down` if a worker dies first).
//
//   const lab = await startLab({ nodes: 1, fileUrlAllowedPaths: [imageDir] });
//   const vm = lab.vms[0];
//   await lab.provision(vm, 'manage'); await lab.waitProvisionState(vm, 'manageable');
//   await lab.provision(vm, 'provide'); await lab.waitProvisionState(vm, 'available');
//   ... PATCH instance_info (image_source, image_os_hash_*) ..., then provision 'active' and wait 'active'
//   expect(vm.readDisk(0, image.length).equals(image)).toBe(true);   // byte for byte on the loop disk
//   vm.diskReport()   // what the firmware found when the conductor booted the machine from disk
import { spawnSync } from 'node:child_process';
import { chmodSync, closeSync, copyFileSync, existsSync, openSync, readSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApiClient } from '../../src/cli/http-client.js';
import type { DiskReport } from '../../src/lab/disk.js';
import { loopBackingFile } from '../../src/lab/disk.js';
import { isAlive, processRecord, type ProcessRecord } from '../../src/lab/host.js';
import { labDown, labEnrol, labList, labUp, type LabVmView } from '../../src/lab/lab.js';
import { hostAddresses, linkExists, netnsExists, netnsPids, subnetsOverlap } from '../../src/lab/network.js';
import { serviceFlags } from '../../src/lab/service.js';
import { writeBmcFaults, type BmcFaults } from '../../src/lab/redfish/settings.js';
import { readJson, type BmcType, type BootMode, type LabRedfishOptions, type LabState, type VmState } from '../../src/lab/state.js';
import type { RedfishTarget } from './redfish-clients.js';
import { startAnvilProcess, type AnvilProcess } from './anvil-process.js';
import type { Dialect } from './databases.js';
import { startDnsmasq, type TestDnsmasq } from './dnsmasq.js';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

export interface LabOptions {
  readonly nodes?: number;
  readonly dialect?: Dialect;
  /** Extra `anvil serve` flags (deploy timeouts, boot settings, …). */
  readonly anvilArgs?: readonly string[];
  /** Start Anvil and enrol the machines (default true). */
  readonly anvil?: boolean;
  readonly bootMode?: BootMode;
  /** Disk size in bytes (default 256 MiB). */
  readonly diskSizeBytes?: number;
  /** Further directories `file://` image URLs may point into (the lab's deploy images are always allowed). */
  readonly fileUrlAllowedPaths?: readonly string[];
  /**
   * `static`: a dnsmasq of the test's own on the lab bridge answers every lab MAC with PXELINUX and a
   * per-MAC config pointing the agent at Anvil (what a boot interface writes), for flows that need the
   * machines to netboot before Anvil's own boot files and DHCP do it.
   */
  readonly bootServer?: 'static';
  /** Replaces anvil-agent as what the firmware starts (argv before the agent options). */
  readonly agentCommand?: readonly string[];
  /** The machines' BMCs (default ipmi): `redfish` enrols redfish nodes. */
  readonly bmc?: BmcType;
  /** Redfish BMCs: per machine (by index) ResetTypes advertised, If-Match required, session timeout. */
  readonly redfish?: (index: number) => LabRedfishOptions | undefined;
}

export interface LabVm {
  readonly index: number;
  readonly name: string;
  /** Node UUID (empty when the lab was not enrolled). */
  readonly uuid: string;
  readonly mac: string;
  readonly netns: string;
  readonly dir: string;
  readonly disk: { readonly file: string; readonly device: string; readonly sizeBytes: number };
  readonly bmc: { readonly address: string; readonly port: number; readonly username: string; readonly password: string; readonly dir: string };
  /** The firmware's boot.json (phase, DHCP leases, files fetched, kernel command line), null before power on. */
  bootReport(): any;
  /** disk.json: what the disk held at its last disk boot. */
  diskReport(): DiskReport | null;
  agentLog(): string;
  /** What the firmware printed (BMC machine.log). */
  firmwareLog(): string;
  /** The BMC's events.log. */
  bmcEvents(): string;
  /** Bytes of the machine's disk (the loop device), e.g. to compare a deployed image byte for byte. */
  readDisk(offset: number, length: number): Buffer;
  /** Redfish BMCs: what sushy()/redfishtool() of test/support/redfish-clients.ts need (throws for ipmi). */
  redfish(): RedfishTarget;
  /** Redfish BMCs: make the running BMC slow or drop connections (`{}` clears). */
  setBmcFaults(f: BmcFaults): void;
  /** ipmitool arguments for this BMC (the password goes through IPMI_PASSWORD, use `ipmitool(...)`). */
  ipmitool(...args: string[]): { status: number; stdout: string; stderr: string };
}

export interface Lab {
  readonly dir: string;
  readonly state: LabState;
  readonly vms: readonly LabVm[];
  /** Present unless `anvil: false`. */
  readonly anvil: AnvilProcess | undefined;
  /** Client for Anvil's API (microversion latest). */
  readonly api: ApiClient | undefined;
  /** The static boot server's dnsmasq (bootServer: 'static'). */
  readonly dnsmasq: TestDnsmasq | undefined;
  /** The bridge address, the service side of the lab network. */
  readonly serverIp: string;
  list(): LabVmView[];
  /** `PUT /v1/nodes/{vm}/states/provision` with `target` (and e.g. `configdrive`); throws unless 202. */
  provision(vm: LabVm, target: string, extra?: Record<string, unknown>): Promise<void>;
  /**
   * Polls the node until it rests in `state` (no target); throws on a `… failed` state or after `timeoutMs`
   * with the node's last_error, the firmware log and the agent log tail in the message.
   */
  waitProvisionState(vm: LabVm, state: string, timeoutMs?: number): Promise<any>;
  /** `lab down` + Anvil stop; resolves to what was left behind (empty when clean). Safe to call twice. */
  stop(): Promise<string[]>;
}

function read(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function freeTcpPort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createNetServer().once('error', fail).listen(0, '127.0.0.1', () => {
      const p = (srv.address() as { port: number }).port;
      srv.close(() => ok(p));
    });
  });
}

/** A /24 in 10.213.100–250.0 that nothing on this host uses (parallel test files pick different ones). */
export async function freeLabSubnet(): Promise<string> {
  const taken = await hostAddresses();
  for (let i = 0; i < 50; i++) {
    const cidr = `10.213.${100 + Math.floor(Math.random() * 150)}.1/24`;
    if (!taken.some((a) => subnetsOverlap(cidr, a))) return cidr;
  }
  throw new Error('no free 10.213.x.0/24 subnet for the lab');
}

const live = new Set<string>();
process.once('exit', () => {
  // Last resort when a worker dies before afterAll: the lab's namespaces and loop devices are host-wide.
  for (const dir of live) spawnSync(process.execPath, [join(ROOT, 'bin', 'anvil.js'), 'lab', 'down', '--keep-nodes', '--dir', dir], { stdio: 'ignore' });
});

function vmHandle(vm: VmState): LabVm {
  const bmc = vm.bmc!;
  return {
    index: vm.index, name: vm.name, uuid: vm.nodeUuid ?? '', mac: vm.mac, netns: vm.netns, dir: vm.dir,
    disk: { file: vm.disk!.file, device: vm.disk!.device!, sizeBytes: vm.disk!.sizeBytes }, bmc,
    bootReport: () => readJson(join(vm.dir, 'boot.json')),
    diskReport: () => readJson<DiskReport>(join(vm.dir, 'disk.json')),
    agentLog: () => read(join(vm.dir, 'agent.log')),
    firmwareLog: () => read(join(bmc.dir, 'machine.log')),
    bmcEvents: () => read(join(bmc.dir, 'events.log')),
    readDisk: (offset: number, length: number) => {
      const buf = Buffer.alloc(length);
      const fd = openSync(vm.disk!.device!, 'r');
      try {
        readSync(fd, buf, 0, length, offset);
      } finally {
        closeSync(fd);
      }
      return buf;
    },
    redfish: () => {
      if (bmc.type !== 'redfish') throw new Error(`${vm.name} has an ${bmc.type ?? 'ipmi'} BMC, not a Redfish one`);
      return {
        url: bmc.url!, host: bmc.address, port: bmc.port, username: bmc.username, password: bmc.password, certFile: bmc.certFile!,
        systemPath: bmc.systemPath!, managerPath: '/redfish/v1/Managers/BMC',
      };
    },
    setBmcFaults: (f: BmcFaults) => writeBmcFaults(bmc.dir, f),
    ipmitool: (...args: string[]) => {
      const r = spawnSync('ipmitool', ['-I', 'lanplus', '-C', '3', '-H', bmc.address, '-p', String(bmc.port), '-U', bmc.username, '-E', ...args], {
        env: { ...process.env, IPMI_PASSWORD: bmc.password }, encoding: 'utf8', timeout: 30_000,
      });
      return { status: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
    },
  };
}

/** Everything of `state` still present on the host: namespaces, links, loop devices, processes, files. */
export async function labLeftovers(state: LabState, processes: readonly ProcessRecord[]): Promise<string[]> {
  const left: string[] = [];
  if (await linkExists(state.network.bridge)) left.push(`bridge ${state.network.bridge}`);
  for (const vm of state.vms) {
    if (await netnsExists(vm.netns)) left.push(`netns ${vm.netns}`);
    if (await linkExists(vm.hostIf)) left.push(`link ${vm.hostIf}`);
    const dev = vm.disk?.device;
    if (dev && (loopBackingFile(dev) ?? '').startsWith(vm.disk!.file)) left.push(`loop device ${dev}`);
  }
  for (const p of processes) if (isAlive(p)) left.push(`process ${p.pid}: ${read(`/proc/${p.pid}/cmdline`).replace(/\0/g, ' ')}`);
  if (existsSync(state.dir)) left.push(`directory ${state.dir}`);
  if (state.deployImages && existsSync(state.deployImages.dir)) left.push(`directory ${state.deployImages.dir}`);
  return left;
}

/** Processes the lab runs now: BMCs, machines (firmware) and whatever runs in the machines' namespaces. */
export async function labProcesses(state: LabState): Promise<ProcessRecord[]> {
  const pids = new Set<number>();
  if (state.redfish) pids.add(state.redfish.pid);
  for (const vm of state.vms) {
    for (const f of ['ipmi_sim.pid', 'machine.pid']) {
      const pid = Number(read(join(vm.bmc?.dir ?? '/nonexistent', f)).trim());
      if (pid > 0) pids.add(pid);
    }
    for (const pid of await netnsPids(vm.netns)) pids.add(pid);
  }
  return [...pids].map((p) => processRecord(p)).filter((r): r is ProcessRecord => r !== null && isAlive(r));
}

/** DHCP + TFTP answering each lab MAC with PXELINUX and a per-MAC config that starts the agent against Anvil. */
async function staticBootServer(base: string, state: LabState, anvil: AnvilProcess | undefined): Promise<TestDnsmasq> {
  const tftp = join(base, 'tftp');
  mkdirSync(join(tftp, 'pxelinux.cfg'), { recursive: true });
  chmodSync(base, 0o755); // dnsmasq serves TFTP as user nobody
  writeFileSync(join(tftp, 'pxelinux.0'), 'PXELINUX stand-in');
  copyFileSync(state.deployImages!.kernel, join(tftp, 'deploy_kernel'));
  copyFileSync(state.deployImages!.ramdisk, join(tftp, 'deploy_ramdisk'));
  const port = anvil ? new URL(anvil.url).port : '6385';
  for (const vm of state.vms) {
    writeFileSync(join(tftp, 'pxelinux.cfg', `01-${vm.mac.replace(/:/g, '-')}`), ['default deploy', 'label deploy', 'kernel deploy_kernel',
      `append initrd=deploy_ramdisk ipa-api-url=http://${state.network.serverIp}:${port}`, 'ipappend 2', ''].join('\n'));
  }
  const net = state.network.serverIp.replace(/\.1$/, '');
  return startDnsmasq({ iface: state.network.bridge, range: [`${net}.100`, `${net}.199`], tftpRoot: tftp, options: ['--dhcp-boot=pxelinux.0'] });
}

export async function startLab(o: LabOptions = {}): Promise<Lab> {
  const base = mkdtempSync(join(tmpdir(), 'anvil-lab-'));
  const dir = join(base, 'lab');
  const imagesDir = join(base, 'images');
  live.add(dir);
  let anvil: AnvilProcess | undefined;
  let dnsmasq: TestDnsmasq | undefined;
  const cleanupOnFailure = async () => {
    await dnsmasq?.stop();
    await labDown(dir).catch(() => undefined);
    await anvil?.stop();
    live.delete(dir);
    rmSync(base, { recursive: true, force: true });
  };
  try {
    const state = await labUp({
      dir, nodes: o.nodes ?? 1, diskSizeBytes: o.diskSizeBytes ?? 256 * 1024 ** 2, cidr: await freeLabSubnet(),
      bootMode: o.bootMode ?? 'bios', name: 'lab', imagesDir, agentCommand: o.agentCommand, bmc: o.bmc, redfish: o.redfish,
    });
    let api: ApiClient | undefined;
    let enrolled = state;
    if (o.anvil !== false) {
      const port = await freeTcpPort();
      const flags = serviceFlags(state, port).filter(([f]) => f !== '--host')
        .map(([f, ...v]) => (f === '--file-url-allowed-paths' ? [f, [...v, ...(o.fileUrlAllowedPaths ?? [])].join(',')] : [f, ...v])).flat();
      anvil = await startAnvilProcess(o.dialect ?? 'sqlite', { args: [...flags, ...(o.anvilArgs ?? [])] });
      api = new ApiClient({ endpoint: anvil.url, apiVersion: 'latest', retryDelayMs: 200, log: { error: () => {} } });
      enrolled = await labEnrol(dir, api, anvil.url);
    }
    if (o.bootServer === 'static') dnsmasq = await staticBootServer(base, enrolled, anvil);
    let stopped: Promise<string[]> | undefined;
    return {
      dir, state: enrolled, vms: enrolled.vms.map(vmHandle), anvil, api, dnsmasq, serverIp: enrolled.network.serverIp,
      list: () => labList(dir).vms,
      async provision(vm, target, extra = {}) {
        const res = await api!.request('PUT', `/v1/nodes/${vm.uuid}/states/provision`, { target, ...extra });
        if (res.status !== 202) throw new Error(`provision ${target} of ${vm.name}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
      },
      async waitProvisionState(vm, want, timeoutMs = 120_000) {
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          const n = (await api!.request('GET', `/v1/nodes/${vm.uuid}`)).body as any;
          if (n.provision_state === want && !n.target_provision_state) return n;
          if ((/failed$/.test(n.provision_state) && !/failed$/.test(want)) || Date.now() > deadline) {
            throw new Error(`${vm.name} is ${n.provision_state} (last_error: ${n.last_error}), wanted ${want}\n` +
              `firmware log:\n${vm.firmwareLog()}\nagent log (tail):\n${vm.agentLog().slice(-4000)}`);
          }
          await new Promise((ok) => setTimeout(ok, 300));
        }
      },
      stop() {
        stopped ??= (async () => {
          const procs = await labProcesses(enrolled);
          // Anvil first: it must not power machines on again while they are being removed.
          await anvil?.stop();
          await dnsmasq?.stop();
          const res = await labDown(dir);
          live.delete(dir);
          const left = [...res.warnings.map((w) => `warning: ${w}`), ...(await labLeftovers(enrolled, procs))];
          rmSync(base, { recursive: true, force: true });
          return left;
        })();
        return stopped;
      },
    };
  } catch (err) {
    await cleanupOnFailure();
    throw err;
  }
}
