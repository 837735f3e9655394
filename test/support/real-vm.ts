// A real machine for tests: a qemu-system-x86_64 VM (TCG) with a virtio NIC on a VmNetwork and a virtio
// disk backed by a file, whose BMC is an ipmi_sim (scripts/ipmi-sim) that runs scripts/vm/qemu-machine.sh as
// its machine: IPMI power on starts qemu with the BMC's boot device, power off stops it. The serial console
// goes to one file across power cycles, so a test reads the whole life of the machine, and timestamps each
// new line (console lines have no clock of their own) to split a run into phases.
import { execFile } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBmcs, type SimBmc, type SimFleet } from './ipmi-sim.js';
import { randomVmMac, type VmNetwork } from './vm-network.js';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const MACHINE = join(ROOT, 'scripts', 'vm', 'qemu-machine.sh');
const DISK_IMAGE = join(ROOT, 'scripts', 'vm', 'build-disk-image.sh');

export type Firmware = 'bios' | 'uefi';

export interface RealVmOptions {
  readonly firmware: Firmware;
  readonly network: VmNetwork;
  /** Holds the disk, console log, OVMF variables and the BMC state. */
  readonly dir: string;
  readonly diskMiB?: number;
  readonly memMiB?: number;
  readonly mac?: string;
}

export interface RealVm {
  readonly mac: string;
  readonly firmware: Firmware;
  readonly disk: string;
  readonly consoleFile: string;
  readonly bmc: SimBmc;
  /** Everything the serial console printed so far (all power cycles). */
  console(): string;
  /**
   * Waits until a console line after byte `from` matches; resolves with the match and the time (ms epoch)
   * the line was first seen. Fails early if `abort` returns a reason.
   */
  waitConsole(re: RegExp, timeoutMs: number, opts?: { from?: number; abort?: () => string | null }): Promise<{ match: RegExpMatchArray; at: number }>;
  /** Current console length: pass it as `from` to wait for output of the next boot only. */
  consoleOffset(): number;
  /** Stops the BMC and the VM (process groups); safe to call twice. */
  stop(): Promise<void>;
}

export async function startRealVm(o: RealVmOptions): Promise<RealVm> {
  const mac = o.mac ?? randomVmMac();
  const disk = join(o.dir, 'disk.raw');
  const consoleFile = join(o.dir, 'console.log');
  if (!existsSync(disk)) {
    writeFileSync(disk, '');
    // sparse: a blank disk of the given size, as a new server's
    await run('truncate', ['-s', `${o.diskMiB ?? 256}M`, disk]);
  }
  writeFileSync(consoleFile, '');
  const env = {
    VM_NETNS: o.network.netns, VM_TAP: `tap${mac.slice(-5).replace(':', '')}`, VM_MAC: mac, VM_DISK: disk,
    VM_FIRMWARE: o.firmware, VM_CONSOLE: consoleFile, VM_VARS: join(o.dir, 'ovmf-vars.fd'), VM_MEM_MB: String(o.memMiB ?? 1024),
  };
  const exports = Object.entries(env).map(([k, v]) => `${k}='${v}'`).join(' ');
  const fleet: SimFleet = await startBmcs({ machineCmd: `export ${exports}; exec bash '${MACHINE}'`, killWaitTenths: 20 });
  const bmc = fleet.bmcs[0]!;

  // line arrival times, by console offset: polled, so "seen at" is at most one poll late
  const seen: { offset: number; at: number }[] = [];
  let size = 0;
  const poll = setInterval(() => {
    try {
      const s = statSync(consoleFile).size;
      if (s > size) { seen.push({ offset: size, at: Date.now() }); size = s; }
    } catch { /* not yet */ }
  }, 100);
  const timeOf = (offset: number) => {
    let at = Date.now();
    for (let i = seen.length - 1; i >= 0; i--) { if (seen[i]!.offset <= offset) { at = seen[i]!.at; break; } }
    return at;
  };
  const text = () => { try { return readFileSync(consoleFile, 'latin1'); } catch { return ''; } };
  let stopped = false;
  return {
    mac, firmware: o.firmware, disk, consoleFile, bmc,
    console: text,
    consoleOffset: () => { try { return statSync(consoleFile).size; } catch { return 0; } },
    async waitConsole(re, timeoutMs, opts = {}) {
      const end = Date.now() + timeoutMs;
      const from = opts.from ?? 0;
      for (;;) {
        const all = text();
        const m = all.slice(from).match(re);
        if (m) return { match: m, at: timeOf(from + (m.index ?? 0)) };
        const why = opts.abort?.();
        if (why) throw new Error(`${why} (waiting for ${re}); console tail:\n${tail(all)}`);
        if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${re} on the ${o.firmware} VM's console; tail:\n${tail(all)}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(poll);
      await fleet.stop();
    },
  };
}

function tail(s: string, n = 25): string {
  // drop terminal escapes GRUB and OVMF print
  return s.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').split('\n').slice(-n).join('\n');
}

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((ok, fail) => execFile(cmd, args, { maxBuffer: 16 << 20 }, (err, stdout, stderr) =>
    err ? fail(new Error(`${cmd} ${args.join(' ')}: ${err.message}\n${stderr}`)) : ok(stdout)));
}

/**
 * The test's "user image": a whole-disk image (GPT, GRUB for BIOS and UEFI) printing
 * "ANVIL-DISK-BOOT <marker>" when it boots. `linux` adds a kernel + busybox initrd that print
 * "ANVIL-DISK-LINUX <marker>" (about a minute more under emulation).
 */
export async function buildMarkerImage(out: string, marker: string, linux?: { kernel: string; busybox: string }): Promise<void> {
  await run('bash', [DISK_IMAGE, out, marker, ...(linux ? [linux.kernel, linux.busybox] : [])]);
}

/** The first `bytes` of a file, for comparing a VM disk with the image written onto it. */
export function readHead(file: string, bytes: number): Buffer {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const n = readSync(fd, buf, 0, bytes, 0);
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}
