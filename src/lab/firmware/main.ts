// The lab's firmware: what a virtual machine runs while its BMC says power on (`BMC_MACHINE_CMD`).
//   node dist/lab/firmware/main.js LAB_DIR BMC_PORT
// Boot device pxe: network boot (netboot.ts) and start the deploy agent, sandboxed, with the kernel command
// line the boot config gave. Anything else, or a network boot that ends in "boot locally" or fails (a BIOS
// then tries the next device): boot the disk, i.e. record what it holds in disk.json. SIGTERM (power off) stops
// the agent and ends the machine; SIGHUP (the agent's reboot command) restarts the boot. Progress goes to
// boot.json in the VM's directory, which `anvil lab list` reads.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inspectDisk } from '../disk.js';
import { processRecord } from '../host.js';
import { BOOT_MODE_FILE } from '../redfish/settings.js';
import { findVmByBmcPort, loadState, readJson, writeJsonAtomic, type LabState, type VmState } from '../state.js';
import { cdBoot, type CdBootResult } from './cd-boot.js';
import type { BootTarget } from './boot-target.js';
import { dhcp } from './dhcp.js';
import { kernelProblem, ramdiskProblem } from './images.js';
import { netboot, type NetbootResult } from './netboot.js';
import { LAB_SCRIPTS, REPO_ROOT } from './paths.js';
import { netnsFetcher } from './transfer.js';

const log = (line: string) => process.stdout.write(`${new Date().toISOString()} ${line}\n`);

interface BootReport {
  powerOnCount: number;
  bootDevice: string;
  startedAt: string;
  phase: 'netboot' | 'cd' | 'agent' | 'agent exited' | 'disk' | 'stopped';
  /** The firmware's boot mode: the machine's, or what its Redfish BMC set (BMC_DIR/boot-mode). */
  bootMode: 'bios' | 'uefi';
  netboot?: Omit<NetbootResult, 'heads'>;
  netbootFailure?: string;
  /** Boot from the virtual CD (boot device cdrom): the image, the files read from it, or why it failed. */
  cd?: Omit<CdBootResult, 'heads'>;
  cdFailure?: string;
  cmdline?: string;
  agent?: { pid: number; start: string; exitCode?: number | null; signal?: string | null };
  updatedAt?: string;
}

let agent: ChildProcess | undefined;
let wake: ((why: 'off' | 'reboot') => void) | undefined;
let pending: 'off' | 'reboot' | undefined;

function signalled(why: 'off' | 'reboot'): void {
  pending = why;
  if (agent && agent.exitCode === null && agent.signalCode === null) agent.kill('SIGTERM');
  wake?.(why);
}

function waitForSignal(): Promise<'off' | 'reboot'> {
  if (pending) return Promise.resolve(pending);
  // Signal handlers alone do not keep node running: a timer does, until power off or reboot.
  const keepAlive = setInterval(() => {}, 1 << 30);
  return new Promise((ok) => {
    wake = (why) => {
      clearInterval(keepAlive);
      ok(why);
    };
  });
}

function bootDevice(vm: VmState, first: boolean): string {
  if (first && process.env.BMC_BOOTDEV) return process.env.BMC_BOOTDEV;
  try {
    return readFileSync(join(vm.bmc!.dir, 'boot'), 'utf8').trim() || 'default';
  } catch {
    return 'default';
  }
}

function bootMode(vm: VmState): 'bios' | 'uefi' {
  // A Redfish BMC keeps the boot mode a client set; an ipmi_sim BMC has none, so the machine's own applies.
  const set = readJson<string>(join(vm.bmc!.dir, BOOT_MODE_FILE));
  return set === 'uefi' || set === 'bios' ? set : vm.bootMode;
}

/** The command line to start the agent with, or why the kernel or initrd the boot found cannot boot. */
function kernelCheck(t: BootTarget, heads: ReadonlyMap<string, Buffer>): { cmdline: string } | { failure: string } | null {
  if (t.kind !== 'kernel') return t.kind === 'failed' ? { failure: t.reason } : null;
  const problem = kernelProblem(heads.get(t.kernel.url) ?? Buffer.alloc(0))
    ?? (t.initrds.length === 0 ? 'no initrd was loaded' : ramdiskProblem(heads.get(t.initrds[0]!.url) ?? Buffer.alloc(0)));
  return problem ? { failure: `${t.kernel.url}: ${problem}` } : { cmdline: t.cmdline };
}

function agentArgv(state: LabState, vm: VmState, cmdline: string): string[] {
  const agentCmd = state.agentCommand ?? [process.execPath, join(REPO_ROOT, 'bin', 'anvil-agent.js')];
  // Power off and reboot inside the agent become signals to this machine (same pid namespace).
  return ['netns', 'exec', vm.netns, 'unshare', '-m', '--propagation', 'private', 'sh', join(LAB_SCRIPTS, 'sandbox.sh'), vm.disk!.device!,
    // The machine has exactly one disk, whatever its size: IPA's 4 GiB floor for picking a disk is for real fleets.
    ...agentCmd, '--cmdline', cmdline, '--block-device', vm.disk!.device!, '--min-disk-size', String(vm.disk!.sizeBytes),
    '--power-off-command', `kill -TERM ${process.pid}`, '--reboot-command', `kill -HUP ${process.pid}`];
}

async function bootOnce(state: LabState, vm: VmState, first: boolean): Promise<'off' | 'reboot'> {
  const report: BootReport = {
    powerOnCount: Number(process.env.BMC_POWER_ON_COUNT ?? 0), bootDevice: bootDevice(vm, first),
    startedAt: new Date().toISOString(), phase: 'netboot', bootMode: bootMode(vm),
  };
  const platform = report.bootMode === 'uefi' ? 'efi' : 'pcbios';
  const save = () => writeJsonAtomic(join(vm.dir, 'boot.json'), { ...report, updatedAt: new Date().toISOString() });
  log(`power on: boot device ${report.bootDevice}`);
  if (report.bootDevice === 'pxe') {
    save();
    try {
      const result = await netboot({
        mac: vm.mac, platform, ipxeRom: false,
        dhcp: (ipxe) => dhcp({ netns: vm.netns, nic: vm.nic, platform, ipxe, workDir: vm.dir }),
        fetch: netnsFetcher(vm.netns, vm.dir), log,
      });
      const { heads, ...rest } = result;
      report.netboot = rest;
      const checked = kernelCheck(result.target, heads);
      if (checked && 'failure' in checked) report.netbootFailure = checked.failure;
      else if (checked) report.cmdline = checked.cmdline;
      if (result.target.kind === 'local') log(`netboot hands over to the disk: ${result.target.reason}`);
    } catch (err) {
      report.netbootFailure = (err as Error).message;
    }
    if (report.netbootFailure) log(`netboot failed: ${report.netbootFailure}`);
  } else if (report.bootDevice === 'cdrom') {
    report.phase = 'cd';
    save();
    try {
      const result = await cdBoot({ bmcDir: vm.bmc!.dir, workDir: vm.dir, mac: vm.mac, bootMode: report.bootMode, log });
      const { heads, ...rest } = result;
      report.cd = rest;
      const checked = kernelCheck(result.target, heads);
      if (checked && 'failure' in checked) report.cdFailure = checked.failure;
      else if (checked) report.cmdline = checked.cmdline;
    } catch (err) {
      report.cdFailure = (err as Error).message;
    }
    if (report.cdFailure) log(`cd boot failed: ${report.cdFailure}`);
  }
  if (report.bootDevice === 'pxe' || report.bootDevice === 'cdrom') {
    if (pending) return pending;
    if (report.cmdline !== undefined && !pending) {
      log(`starting the agent: ${report.cmdline}`);
      const out = openSync(join(vm.dir, 'agent.log'), 'a');
      // Same process group as this firmware: the BMC's hard power off reaches the agent too.
      // The sandbox mounts the agent's private scratch tmpfs here (not over /tmp, which may hold the agent).
      const scratch = join(vm.dir, 'sandbox-tmp');
      mkdirSync(scratch, { recursive: true });
      agent = spawn('ip', agentArgv(state, vm, report.cmdline), { stdio: ['ignore', out, out], env: { ...process.env, SANDBOX_TMP: scratch } });
      const rec = agent.pid ? processRecord(agent.pid) : null;
      report.phase = 'agent';
      report.agent = { pid: agent.pid ?? 0, start: rec?.start ?? '' };
      save();
      const child = agent;
      const exited = new Promise<void>((ok) => child.once('close', (code, sig) => {
        report.agent = { ...report.agent!, exitCode: code, signal: sig };
        ok();
      }));
      const why = await Promise.race([exited.then(() => null), waitForSignal()]);
      if (why) {
        const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
        await exited;
        clearTimeout(timer);
        agent = undefined;
        report.phase = 'stopped';
        save();
        return why;
      }
      agent = undefined;
      log(`the agent exited (code ${report.agent.exitCode}, signal ${report.agent.signal}); the machine stays on`);
      report.phase = 'agent exited';
      save();
      return waitForSignal();
    }
  }
  report.phase = 'disk';
  save();
  try {
    const disk = await inspectDisk(vm.disk!.device!);
    writeJsonAtomic(join(vm.dir, 'disk.json'), { ...disk, powerOnCount: report.powerOnCount });
    log(`booted the disk: ${disk.blank ? 'blank' : `${disk.partitionTable ?? 'no partition table'}, first MiB sha256 ${disk.sha256FirstMiB}`}`);
  } catch (err) {
    log(`cannot read the disk: ${(err as Error).message}`);
  }
  return waitForSignal();
}

async function main(): Promise<void> {
  const [labDir, portText] = process.argv.slice(2);
  const state = labDir ? loadState(labDir) : null;
  const vm = state ? findVmByBmcPort(state, Number(portText)) : undefined;
  if (!state || !vm || !vm.disk?.device || !vm.bmc) {
    log(`firmware: no virtual machine with BMC port ${portText} in ${labDir}`);
    process.exit(2);
  }
  process.on('SIGTERM', () => signalled('off'));
  process.on('SIGINT', () => signalled('off'));
  process.on('SIGHUP', () => signalled('reboot'));
  let first = true;
  for (;;) {
    const why = await bootOnce(state, vm, first);
    first = false;
    pending = undefined;
    wake = undefined;
    if (why === 'off') break;
    log('reboot');
  }
  log('power off');
  process.exit(0);
}

void main();
