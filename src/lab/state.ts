// The lab's state file: everything `anvil lab up` created (bridge, namespaces, loop devices, files,
// processes, enrolled nodes), written after each step so that `anvil lab down` can remove a half-built lab
// too. It holds the BMC passwords, so it is readable by root only.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { LabError, type ProcessRecord } from './host.js';

export type BootMode = 'bios' | 'uefi';
export type BmcType = 'ipmi' | 'redfish';

/** What a lab Redfish BMC may be told at `up` (JSON: the BMC process reads it from the state file). */
export interface LabRedfishOptions {
  readonly resetTypes?: readonly string[];
  readonly bootTargets?: readonly string[];
  readonly requireIfMatch?: boolean;
  readonly sessionTimeoutS?: number;
  readonly secureBoot?: boolean;
}

export interface VmState {
  readonly index: number;
  /** Node name in the service. */
  readonly name: string;
  /** This VM's directory: disk image, firmware and agent logs, boot and disk reports. */
  readonly dir: string;
  readonly netns: string;
  /** Host side of the VM's veth pair, a port of the lab bridge. */
  readonly hostIf: string;
  /** The VM's NIC inside its namespace. */
  readonly nic: string;
  readonly mac: string;
  readonly bootMode: BootMode;
  disk?: { readonly file: string; readonly sizeBytes: number; device?: string };
  bmc?: {
    readonly address: string; readonly port: number; readonly username: string; readonly password: string; readonly dir: string;
    /** Absent in labs made before Redfish BMCs: ipmi. */
    readonly type?: BmcType;
    /** Redfish BMCs: service URL (https://127.0.0.1:port), System path, the BMC's self-signed certificate. */
    readonly url?: string;
    readonly systemPath?: string;
    readonly certFile?: string;
    /** Redfish BMCs: per-BMC behaviour for tests (advertised ResetTypes, If-Match required, session timeout). */
    readonly redfish?: LabRedfishOptions;
  };
  nodeUuid?: string;
}

export interface LabState {
  readonly version: 1;
  readonly id: string;
  readonly name: string;
  readonly dir: string;
  readonly createdAt: string;
  readonly network: { readonly bridge: string; readonly cidr: string; readonly serverIp: string; created?: boolean };
  /** BMC state directory (scripts/ipmi-sim layout). */
  readonly bmcDir: string;
  readonly vms: VmState[];
  /** Deploy kernel and ramdisk the nodes are enrolled with. */
  deployImages?: { readonly dir: string; readonly kernel: string; readonly ramdisk: string; readonly kernelUrl: string; readonly ramdiskUrl: string };
  /** `up` created the images directory itself (removed by `down` when empty). */
  deployImagesRootCreated?: boolean;
  /** The service the nodes are enrolled into. */
  endpoint?: string;
  /** An `anvil serve` started for the lab (`--serve`). */
  service?: ProcessRecord & { readonly url: string; readonly stateDir: string; readonly log: string };
  /** How the firmware starts the deploy agent (argv before the agent's options); default anvil-agent. */
  agentCommand?: string[];
  /** The process serving the lab's Redfish BMCs (`up --bmc redfish`), stopped by `down` before the machines. */
  redfish?: ProcessRecord & { readonly log: string };
  /** Anything else `up` started (e.g. a dnsmasq for tests), stopped by `down`. */
  processes: Array<ProcessRecord & { readonly what: string }>;
}

export const STATE_FILE = 'lab.json';

/** Default lab directory, next to the service's default state directory (`var/`). */
export function defaultLabDir(): string {
  return resolve(process.env.ANVIL_LAB_DIR || 'var/lab');
}

/** Writes JSON through a temporary file, so a reader never sees half of it. */
export function writeJsonAtomic(file: string, value: unknown, mode = 0o644): void {
  writeFileSync(`${file}.tmp`, JSON.stringify(value, null, 2) + '\n', { mode });
  renameSync(`${file}.tmp`, file);
}

export function readJson<T>(file: string): T | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return null;
  }
}

export function saveState(state: LabState): void {
  mkdirSync(state.dir, { recursive: true, mode: 0o700 });
  writeJsonAtomic(join(state.dir, STATE_FILE), state, 0o600);
}

export function loadState(dir: string): LabState | null {
  const file = join(dir, STATE_FILE);
  if (!existsSync(file)) return null;
  try {
    const s = JSON.parse(readFileSync(file, 'utf8')) as LabState;
    if (s.version !== 1 || !Array.isArray(s.vms)) throw new Error('unknown format');
    return s;
  } catch (err) {
    throw new LabError(`${file} is not a lab state file: ${(err as Error).message}`, { cause: err });
  }
}

export function findVmByBmcPort(state: LabState, port: number): VmState | undefined {
  return state.vms.find((v) => v.bmc?.port === port);
}
