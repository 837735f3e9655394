// Simulated IPMI BMCs (OpenIPMI ipmi_sim, via scripts/ipmi-sim/) for tests: each BMC listens on a free UDP
// port of 127.0.0.1 with its own state dir, and its "machine" is a real process, so a test can see power
// and boot device changes from the hardware side. Missing tools make tests fail loudly, never skip.
// With `sol`, each BMC's serial-over-LAN is wired to a serial port the test holds (SimSerial).
// Free of vitest imports so benchmarks and scripts can start BMCs too: tests call startBmcs in beforeAll
// and fleet.stop() in afterAll.
import { execFile, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { accessSync, constants, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const SCRIPTS = resolve(fileURLToPath(new URL('../../scripts/ipmi-sim', import.meta.url)));

export interface SimOptions {
  readonly count?: number;
  readonly user?: string;
  readonly password?: string;
  /** Shell code run as the machine at power on (default: an idle loop that exits on SIGTERM). */
  readonly machineCmd?: string;
  /** Grace between SIGTERM and SIGKILL at hard power off, 0.1 s units (default 30). */
  readonly killWaitTenths?: number;
  /** Log every received IPMI message (wire.log); requests decode with IPMI 1.5 or cipher suites 0-2. */
  readonly wire?: boolean;
  /** Give every BMC serial-over-LAN, wired to a serial port the test reads and writes (SimBmc.serial). */
  readonly sol?: boolean;
}

/** The machine's serial port behind a BMC's serial-over-LAN: a TCP server ipmi_sim connects to. */
export interface SimSerial {
  readonly port: number;
  /** Resolves once ipmi_sim is connected (it connects at start, then retries every 10 s). */
  readonly connected: Promise<void>;
  /** Sends text as the machine's serial output; the BMC drops it while no SOL session is active. */
  write(text: string): void;
  /** Everything received from SOL sessions (what a console user typed), as text. */
  received(): string;
  close(): Promise<void>;
}

/** One request as the BMC received it. */
export interface IpmiRequest {
  readonly netFn: number;
  readonly cmd: number;
  readonly data: readonly number[];
}

export interface SimBmc {
  readonly address: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  /** This BMC's directory (lan.conf, events.log, machine.log, ...). */
  readonly dir: string;
  readonly stateDir: string;
  /** Power as the hardware sees it: the machine process is alive. */
  powerIsOn(): boolean;
  /** The device the machine would boot from ('disk' for ipmi_sim's "default"), null if never set. */
  bootDevice(): string | null;
  /** events.log lines without their timestamps: "power on pid=… bootdev=pxe count=2", "boot device pxe", … */
  events(): string[];
  powerOnCount(): number;
  machinePid(): number | null;
  /** Every request the BMC received, oldest first (needs `wire`). */
  requests(): IpmiRequest[];
  /** The Set System Boot Options / boot flags requests received: [data1, data2] pairs (needs `wire`). */
  bootFlagsReceived(): Array<readonly [number, number]>;
  /** The serial port behind this BMC's SOL (with SimOptions.sol), else null. */
  readonly serial: SimSerial | null;
  /** driver_info for this BMC (cipher suite 3: ipmi_sim 2.0.33 cannot negotiate one). */
  driverInfo(extra?: Record<string, unknown>): Record<string, unknown>;
  /** Stops this BMC's ipmi_sim only, as when a real BMC hangs: the machine keeps its power. */
  stop(): Promise<void>;
  /** Starts this BMC again on the same port with the same credentials (it sees the machine as it is). */
  start(): Promise<void>;
}

export interface SimFleet {
  readonly bmcs: readonly SimBmc[];
  readonly stateDir: string;
  /** Stops BMCs and machines; removes the state dir unless KEEP_IPMI_SIM=1. Safe to call twice. */
  stop(): Promise<void>;
}

const TOOLS = { ipmi_sim: 'openipmi', ipmitool: 'ipmitool', setsid: 'util-linux' } as const;

/** @throws Error naming the missing Debian packages when ipmi_sim, ipmitool or setsid is not on `path`. */
export function requireIpmiTools(path = process.env.PATH ?? ''): void {
  const onPath = (tool: string) => path.split(':').some((dir) => {
    try {
      accessSync(join(dir || '.', tool), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
  const missing = Object.entries(TOOLS).filter(([tool]) => !onPath(tool));
  if (missing.length) {
    throw new Error(`IPMI simulator tests need ${missing.map(([t]) => t).join(', ')} (Debian packages `
      + `${missing.map(([, p]) => p).join(', ')}): run scripts/install-deps.sh --test`);
  }
}

/** Ports the kernel just handed out for UDP on 127.0.0.1; free again when returned (a race we retry). */
export async function freeUdpPorts(count: number): Promise<number[]> {
  const sockets = await Promise.all(Array.from({ length: count }, () => new Promise<ReturnType<typeof createSocket>>((ok, fail) => {
    const s = createSocket('udp4');
    s.once('error', fail);
    s.bind(0, '127.0.0.1', () => ok(s));
  })));
  const ports = sockets.map((s) => s.address().port);
  await Promise.all(sockets.map((s) => new Promise<void>((ok) => s.close(() => ok()))));
  return ports;
}

function read(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function aliveSince(pidFile: string): number | null {
  const pid = Number(read(pidFile).trim());
  if (!pid) return null;
  const stat = read(`/proc/${pid}/stat`);
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Zombies count as dead: this VM's init does not reap orphaned machines.
  if (!stat || fields[0] === 'Z' || fields[0] === 'X' || fields[19] !== read(`${pidFile}.start`).trim()) return null;
  return pid;
}

/** Decodes the hex dumps ipmi_sim -d writes after "Receive message" into IPMI requests. */
export function decodeWireLog(text: string): IpmiRequest[] {
  const out: IpmiRequest[] = [];
  // The console interleaves carriage returns with the dumps; a dump is the one line after its header.
  const lines = text.split(/\r?\n/).map((l) => l.replace(/\r/g, '').trim());
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i]!.startsWith('Receive message')) continue;
    const hex = lines[i + 1] ?? '';
    if (!/^[0-9a-f]{2}(\s[0-9a-f]{2})*$/.test(hex)) continue;
    const b = hex.trim().split(/\s+/).map((h) => parseInt(h, 16));
    const msg = ipmiMessage(b);
    if (msg && msg.length >= 7) out.push({ netFn: msg[1]! >> 2, cmd: msg[5]!, data: msg.slice(6, -1) });
  }
  return out;
}

// RMCP packet -> IPMI message bytes, or null when encrypted or not an IPMI payload.
function ipmiMessage(b: number[]): number[] | null {
  if (b[0] !== 0x06 || b[3] !== 0x07) return null;
  if (b[4] === 0x06) {
    // RMCP+ session: payload type byte, session id, sequence, 16-bit length. Bit 7 = encrypted.
    const type = b[5]!;
    if ((type & 0x80) !== 0 || (type & 0x3f) !== 0) return null;
    const len = b[14]! | (b[15]! << 8);
    return b.slice(16, 16 + len);
  }
  // IPMI 1.5 session: auth type, sequence, session id, 16-byte auth code unless auth type none, length.
  const at = b[4] === 0x00 ? 13 : 29;
  return b.slice(at + 1, at + 1 + b[at]!);
}

const sleep = (ms: number) => new Promise<void>((ok) => setTimeout(ok, ms));

/** A serial port on a free TCP port of 127.0.0.1; one peer (ipmi_sim) at a time. */
export async function openSerial(): Promise<SimSerial> {
  const chunks: Buffer[] = [];
  let peer: Socket | null = null;
  let connected!: () => void;
  const connectedP = new Promise<void>((resolve) => (connected = resolve));
  const server = createServer((sock) => {
    peer?.destroy();
    peer = sock;
    sock.on('data', (b: Buffer) => chunks.push(b));
    sock.on('error', () => undefined);
    connected();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    connected: connectedP,
    write: (text) => void peer?.write(text),
    received: () => Buffer.concat(chunks).toString('utf8'),
    close: () => new Promise<void>((resolve) => {
      peer?.destroy();
      server.close(() => resolve());
    }),
  };
}

function bmcHandle(stateDir: string, port: number, user: string, password: string, env: NodeJS.ProcessEnv, serial: SimSerial | null): SimBmc {
  const dir = join(stateDir, `bmc-${port}`);
  const simPidFile = join(dir, 'ipmi_sim.pid');
  const self: SimBmc = {
    address: '127.0.0.1', port, user, password, dir, stateDir, serial,
    powerIsOn: () => aliveSince(join(dir, 'machine.pid')) !== null,
    bootDevice() {
      const v = read(join(dir, 'boot')).trim();
      return v === '' ? null : v === 'default' ? 'disk' : v;
    },
    events: () => read(join(dir, 'events.log')).split('\n').filter(Boolean).map((l) => l.replace(/^\S+\s/, '')),
    powerOnCount: () => Number(read(join(dir, 'power_on_count')).trim() || 0),
    machinePid: () => aliveSince(join(dir, 'machine.pid')),
    requests: () => decodeWireLog(read(join(dir, 'wire.log'))),
    bootFlagsReceived: () => self.requests()
      .filter((r) => r.netFn === 0x00 && r.cmd === 0x08 && r.data[0] === 0x05)
      .map((r) => [r.data[1]!, r.data[2]!] as const),
    driverInfo: (extra = {}) => ({
      ipmi_address: '127.0.0.1', ipmi_port: port, ipmi_username: user, ipmi_password: password, ipmi_cipher_suite: 3, ...extra,
    }),
    async stop() {
      const pid = aliveSince(simPidFile);
      if (pid === null) return;
      // ipmi_sim leads its own session; the machine has another one (setsid in chassis-control.sh), so
      // signalling this group leaves the machine running.
      const signal = (sig: NodeJS.Signals) => {
        try {
          process.kill(-pid, sig);
        } catch {
          // already gone
        }
      };
      signal('SIGTERM');
      for (let i = 0; i < 30 && aliveSince(simPidFile) !== null; i++) await sleep(100);
      if (aliveSince(simPidFile) !== null) signal('SIGKILL');
    },
    async start() {
      const res = await runScript('start-bmcs.sh', [stateDir, String(port)], env);
      if (res.code !== 0) throw new Error(`Could not restart the BMC on port ${port}: start-bmcs.sh exited ${res.code}: ${res.stderr.trim()}`);
    },
  };
  return self;
}

function runScript(name: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((ok) => {
    execFile('bash', [join(SCRIPTS, name), ...args], { env: { ...process.env, ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      ok({ code, stdout, stderr });
    });
  });
}

const live = new Set<string>();
process.once('exit', () => {
  // Last resort if a test run dies before afterAll: never leave BMCs behind.
  for (const dir of live) spawnSync('bash', [join(SCRIPTS, 'stop-bmcs.sh'), dir], { stdio: 'ignore' });
});

/** Starts `count` BMCs on fresh ports; retries with other ports if one was taken in the meantime. */
export async function startBmcs(opts: SimOptions = {}): Promise<SimFleet> {
  requireIpmiTools();
  const count = opts.count ?? 1;
  const user = opts.user ?? 'admin';
  const password = opts.password ?? 'sim-pass-1';
  const env: NodeJS.ProcessEnv = {
    BMC_USER: user, BMC_PASS: password, BMC_ADDR: '127.0.0.1', BMC_WIRE_LOG: opts.wire ? '1' : '0',
    BMC_MACHINE_CMD: opts.machineCmd ?? '', BMC_KILL_WAIT_TENTHS: String(opts.killWaitTenths ?? 30),
  };
  let lastError = '';
  for (let round = 0; round < 3; round++) {
    const stateDir = mkdtempSync(join(tmpdir(), 'anvil-bmc-'));
    const ports = await freeUdpPorts(count);
    live.add(stateDir);
    // Serial ports listen before the BMCs start, so ipmi_sim connects at once instead of 10 s later.
    const serials = opts.sol ? await Promise.all(ports.map(() => openSerial())) : ports.map(() => null);
    const solEnv = opts.sol ? { BMC_SOL_PORTS: ports.map((p, i) => `${p}:${serials[i]!.port}`).join(' ') } : {};
    const res = await runScript('start-bmcs.sh', [stateDir, ...ports.map(String)], { ...env, ...solEnv });
    const fleet: SimFleet = {
      stateDir,
      bmcs: ports.map((p, i) => bmcHandle(stateDir, p, user, password, { ...env, ...solEnv }, serials[i]!)),
      async stop() {
        if (!live.delete(stateDir)) return;
        await runScript('stop-bmcs.sh', [stateDir], {});
        await Promise.all(serials.map((s) => s?.close()));
        if (process.env.KEEP_IPMI_SIM !== '1' && existsSync(stateDir)) rmSync(stateDir, { recursive: true, force: true });
      },
    };
    if (res.code === 0) return fleet;
    lastError = `start-bmcs.sh exited ${res.code}: ${res.stderr.trim()}`;
    await fleet.stop();
    if (res.code !== 1) break; // 1 = a port was taken: worth another round; anything else will not heal
  }
  throw new Error(`Could not start simulated BMCs. ${lastError}`);
}
