// `anvil lab up|down|list`: a virtual rack on one host. Up builds the network, one virtual machine per node
// (namespace + veth NIC, loop-backed disk, ipmi_sim BMC whose machine is the lab firmware) and enrols them;
// every resource is recorded in the state file as soon as it exists, so down removes exactly what up made,
// also after a failed or interrupted up.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bmcDir, bmcPassword, firmwareCommand, freeUdpPorts, startBmcs, stopBmcs } from './bmc.js';
import { attachLoop, createDisk, detachLoop, type DiskReport } from './disk.js';
import { enrolVm, unenrolVm, type LabApi } from './enrol.js';
import { markerKernel, markerRamdisk } from './firmware/images.js';
import { isAlive, LabError, requireLabHost, stopProcess, type ProcessRecord } from './host.js';
import {
  createBridge, createVmNetwork, deleteLink, deleteNetns, hostAddresses, netnsPids, parseCidr, subnetsOverlap,
} from './network.js';
import { freeTcpPorts, startRedfishBmcs, stopRedfishBmcs } from './redfish-bmcs.js';
import { systemPathFor } from './redfish/resources.js';
import { startLabService } from './service.js';
import { loadState, readJson, saveState, type BmcType, type BootMode, type LabRedfishOptions, type LabState, type VmState } from './state.js';

export interface UpOptions {
  readonly dir: string;
  readonly nodes: number;
  readonly diskSizeBytes: number;
  /** Service side of the lab network, e.g. 10.213.0.1/24. */
  readonly cidr: string;
  readonly bootMode: BootMode;
  /** The machines' BMCs: ipmi_sim (default) or the lab's own Redfish service. */
  readonly bmc?: BmcType | undefined;
  /** Redfish BMCs: per-machine behaviour (e.g. advertise only some ResetTypes), by machine index. */
  readonly redfish?: ((index: number) => LabRedfishOptions | undefined) | undefined;
  /** Node name prefix: nodes are `<name>-0`, `<name>-1`, … */
  readonly name: string;
  /** Where the deploy kernel and ramdisk go: a directory the service accepts file:// URLs from. */
  readonly imagesDir: string;
  /** Enrol into this service; without it the machines are built but not enrolled. */
  readonly api?: LabApi | undefined;
  /** Start `anvil serve` for the lab on this port first (then `api` is made for its URL). */
  readonly serve?: { readonly port: number; readonly extraFlags?: readonly string[]; readonly api: (url: string) => LabApi } | undefined;
  readonly endpoint?: string | undefined;
  readonly agentCommand?: readonly string[] | undefined;
  /** Progress lines for the operator. */
  readonly progress?: ((line: string) => void) | undefined;
}

export const MAX_NODES = 200;

function macFor(id: string, index: number): string {
  // Locally administered, unicast (02:…), with the lab id in it so parallel labs never share a MAC.
  const b = [0x02, 0xa7, parseInt(id.slice(0, 2), 16), parseInt(id.slice(2, 4), 16), index >> 8, index & 0xff];
  return b.map((x) => x.toString(16).padStart(2, '0')).join(':');
}

export async function labUp(o: UpOptions): Promise<LabState> {
  requireLabHost();
  if (!Number.isInteger(o.nodes) || o.nodes < 1 || o.nodes > MAX_NODES) throw new LabError(`--nodes must be 1 to ${MAX_NODES}, got ${o.nodes}`);
  if (!/^[a-z][a-z0-9-]{0,30}$/.test(o.name)) throw new LabError(`--name must be lower-case letters, digits and dashes, got ${JSON.stringify(o.name)}`);
  const dir = resolve(o.dir);
  if (/[\s"'\\$`]/.test(dir)) throw new LabError(`the lab directory must not contain spaces, quotes, $, \` or backslashes: ${dir}`);
  if (loadState(dir)) throw new LabError(`a lab is already up in ${dir}: run \`anvil lab down\` first`);
  if (existsSync(dir) && readdirSync(dir).length > 0) throw new LabError(`${dir} exists and is not empty`);
  const { ip } = parseCidr(o.cidr);
  const clash = (await hostAddresses()).find((a) => subnetsOverlap(o.cidr, a));
  if (clash) throw new LabError(`--address ${o.cidr} overlaps ${clash}, already on this host: choose another subnet`);

  const id = randomBytes(2).toString('hex');
  const state: LabState = {
    version: 1, id, name: o.name, dir, createdAt: new Date().toISOString(),
    network: { bridge: `anvlab${id}`, cidr: o.cidr, serverIp: ip }, bmcDir: join(dir, 'bmcs'), vms: [], processes: [],
    ...(o.endpoint ? { endpoint: o.endpoint } : {}),
    ...(o.agentCommand ? { agentCommand: [...o.agentCommand] } : {}),
  };
  const say = o.progress ?? (() => {});
  saveState(state);
  try {
    await createBridge(state.network.bridge, o.cidr);
    state.network.created = true;
    saveState(state);
    say(`network: bridge ${state.network.bridge} ${o.cidr}`);

    const imgDir = join(resolve(o.imagesDir), `anvil-lab-${id}`);
    state.deployImagesRootCreated = !existsSync(resolve(o.imagesDir));
    mkdirSync(imgDir, { recursive: true });
    const kernel = join(imgDir, 'deploy-kernel');
    const ramdisk = join(imgDir, 'deploy-ramdisk');
    state.deployImages = { dir: imgDir, kernel, ramdisk, kernelUrl: pathToFileURL(kernel).href, ramdiskUrl: pathToFileURL(ramdisk).href };
    saveState(state);
    writeFileSync(kernel, markerKernel());
    writeFileSync(ramdisk, markerRamdisk());

    const bmcType: BmcType = o.bmc ?? 'ipmi';
    const ports = bmcType === 'redfish' ? await freeTcpPorts(o.nodes) : await freeUdpPorts(o.nodes);
    const password = bmcPassword();
    for (let i = 0; i < o.nodes; i++) {
      const vmDir = join(dir, `vm-${i}`);
      mkdirSync(vmDir, { recursive: true });
      const vm: VmState = {
        index: i, name: `${o.name}-${i}`, dir: vmDir, netns: `anvlab${id}-${i}`, hostIf: `anv${id}v${i}`, nic: 'eth0',
        mac: macFor(id, i), bootMode: o.bootMode,
      };
      state.vms.push(vm);
      saveState(state);
      await createVmNetwork({ ...vm, bridge: state.network.bridge });
      const file = join(vmDir, 'disk.img');
      vm.disk = { file, sizeBytes: o.diskSizeBytes };
      saveState(state);
      await createDisk(file, o.diskSizeBytes);
      vm.disk.device = await attachLoop(file);
      const port = ports[i]!;
      vm.bmc = bmcType === 'redfish'
        ? {
          address: '127.0.0.1', port, username: 'admin', password, dir: bmcDir(state.bmcDir, port), type: 'redfish',
          url: `https://127.0.0.1:${port}`, systemPath: systemPathFor(vm.name), certFile: join(bmcDir(state.bmcDir, port), 'cert.pem'),
          ...(o.redfish?.(i) ? { redfish: o.redfish(i) } : {}),
        }
        : { address: '127.0.0.1', port, username: 'admin', password, dir: bmcDir(state.bmcDir, port), type: 'ipmi' };
      saveState(state);
    }
    say(`machines: ${o.nodes} (namespaces, NICs, ${o.diskSizeBytes} byte disks)`);
    // The firmware reads the state file to find its machine by BMC port.
    if (bmcType === 'redfish') {
      await startRedfishBmcs(state);
      say(`BMCs: Redfish on https://127.0.0.1 ports ${ports.join(', ')} (self-signed certificates in ${state.bmcDir}/bmc-<port>/cert.pem)`);
    } else {
      await startBmcs({ dir: state.bmcDir, ports, username: 'admin', password, machineCmd: firmwareCommand(dir) });
      say(`BMCs: ipmi_sim on 127.0.0.1 ports ${ports.join(', ')}`);
    }
    let api = o.api;
    if (o.serve) {
      state.service = await startLabService(state, o.serve.port, o.serve.extraFlags);
      state.endpoint = state.service.url;
      saveState(state);
      api = o.serve.api(state.service.url);
      say(`service: anvil serve at ${state.service.url} (log ${state.service.log})`);
    }
    if (api) await enrolAll(state, api, say);
    return state;
  } catch (err) {
    await labDown(dir, o.api ?? (state.service ? o.serve?.api(state.service.url) : undefined)).catch(() => undefined);
    throw err;
  }
}

async function enrolAll(state: LabState, api: LabApi, say: (line: string) => void): Promise<void> {
  for (const vm of state.vms) {
    if (vm.nodeUuid) continue;
    vm.nodeUuid = await enrolVm(api, state, vm);
    saveState(state);
    say(`enrolled ${vm.name} ${vm.nodeUuid} (port ${vm.mac})`);
  }
}

/** Enrols the machines of a lab built without enrolment (`up --no-enroll`) into `endpoint`. */
export async function labEnrol(dirArg: string, api: LabApi, endpoint: string, say: (line: string) => void = () => {}): Promise<LabState> {
  const state = loadState(resolve(dirArg));
  if (!state) throw new LabError(`no lab in ${resolve(dirArg)}: run \`anvil lab up\` first`);
  state.endpoint = endpoint;
  saveState(state);
  await enrolAll(state, api, say);
  return state;
}

export interface DownResult {
  readonly found: boolean;
  readonly warnings: string[];
}

/** Removes everything the lab in `dir` created; safe to repeat. */
export async function labDown(dirArg: string, api?: LabApi): Promise<DownResult> {
  const dir = resolve(dirArg);
  const state = loadState(dir);
  if (!state) return { found: false, warnings: [] };
  const warnings: string[] = [];
  const attempt = async (what: string, fn: () => Promise<unknown>) => {
    try {
      await fn();
    } catch (err) {
      warnings.push(`${what}: ${(err as Error).message}`);
    }
  };
  if (api) {
    for (const vm of state.vms) {
      if (!vm.nodeUuid) continue;
      const w = await unenrolVm(api, vm.nodeUuid);
      if (w) warnings.push(w);
    }
  }
  // The Redfish BMCs first: they must not power a machine on again while the machines are stopped.
  if (state.redfish) await attempt('stopping the Redfish BMCs', () => stopRedfishBmcs(state));
  if (existsSync(state.bmcDir)) await attempt('stopping the BMCs', () => stopBmcs(state.bmcDir));
  for (const vm of state.vms) {
    // Whatever still runs inside a machine's namespace was started by its firmware.
    await attempt(`stopping processes of ${vm.netns}`, async () => {
      for (const pid of await netnsPids(vm.netns)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    });
    await attempt(`deleting namespace ${vm.netns}`, () => deleteNetns(vm.netns));
    await attempt(`deleting link ${vm.hostIf}`, () => deleteLink(vm.hostIf));
    if (vm.disk?.device) {
      const disk = vm.disk;
      await attempt(`detaching ${disk.device}`, () => detachLoop(disk.device!, disk.file));
    }
  }
  const procs: Array<ProcessRecord & { what: string }> = [...state.processes];
  if (state.service) procs.push({ ...state.service, what: 'anvil serve' });
  for (const p of procs) await attempt(`stopping ${p.what}`, () => stopProcess(p, { graceMs: 8000 }));
  if (state.network.created) await attempt(`deleting bridge ${state.network.bridge}`, () => deleteLink(state.network.bridge));
  if (state.deployImages) {
    rmSync(state.deployImages.dir, { recursive: true, force: true });
    const root = dirname(state.deployImages.dir);
    if (state.deployImagesRootCreated && existsSync(root) && readdirSync(root).length === 0) rmSync(root, { recursive: true });
  }
  rmSync(dir, { recursive: true, force: true });
  return { found: true, warnings };
}

export interface LabVmView {
  readonly index: number;
  readonly name: string;
  readonly node_uuid: string | null;
  readonly mac: string;
  readonly bmc_type: BmcType;
  readonly bmc_address: string;
  readonly bmc_port: number | null;
  /** Redfish BMCs: the service URL, the System's path and the BMC's certificate (PEM file). */
  readonly bmc_url: string | null;
  readonly bmc_system: string | null;
  readonly bmc_cert: string | null;
  readonly bmc_username: string;
  readonly bmc_password: string;
  readonly disk: string;
  readonly disk_device: string | null;
  readonly power_state: 'power on' | 'power off';
  /** What the firmware is doing: netboot, agent, agent exited, disk, stopped. */
  readonly boot: string | null;
  /** What the disk held when it was last booted: `blank`, or partition table and first-MiB hash. */
  readonly disk_holds: string | null;
  readonly netns: string;
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return '';
  }
}

/** Power as the BMC reports it: the machine process it started is alive. */
export function machineOn(vm: VmState): boolean {
  if (!vm.bmc) return false;
  const pid = Number(readText(join(vm.bmc.dir, 'machine.pid')));
  return pid > 0 && isAlive({ pid, start: readText(join(vm.bmc.dir, 'machine.pid.start')) });
}

export function describeDisk(report: DiskReport | null): string | null {
  if (!report) return null;
  if (report.blank) return 'blank';
  const parts = report.partitions.length ? `${report.partitions.length} partition(s)` : 'no partitions';
  return `${report.partitionTable ?? 'no partition table'}, ${parts}, first MiB sha256 ${report.sha256FirstMiB.slice(0, 16)}…`;
}

export function labList(dirArg: string): { state: LabState; vms: LabVmView[] } {
  const state = loadState(resolve(dirArg));
  if (!state) throw new LabError(`no lab in ${resolve(dirArg)}: run \`anvil lab up\` first`);
  const vms = state.vms.map((vm): LabVmView => ({
    index: vm.index, name: vm.name, node_uuid: vm.nodeUuid ?? null, mac: vm.mac,
    bmc_type: vm.bmc?.type ?? 'ipmi', bmc_address: vm.bmc?.address ?? '', bmc_port: vm.bmc?.port ?? null,
    bmc_url: vm.bmc?.url ?? null, bmc_system: vm.bmc?.systemPath ?? null, bmc_cert: vm.bmc?.certFile ?? null, bmc_username: vm.bmc?.username ?? '',
    bmc_password: vm.bmc?.password ?? '', disk: vm.disk?.file ?? '', disk_device: vm.disk?.device ?? null,
    power_state: machineOn(vm) ? 'power on' : 'power off',
    boot: readJson<{ phase?: string }>(join(vm.dir, 'boot.json'))?.phase ?? null,
    disk_holds: describeDisk(readJson<DiskReport>(join(vm.dir, 'disk.json'))),
    netns: vm.netns,
  }));
  return { state, vms };
}
