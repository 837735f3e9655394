// IpmitoolSocatConsole (Ironic's `ipmitool-socat`): one `socat` process per node listens on a TCP port and,
// for each connection (one at a time), runs `ipmitool … sol activate` on a pty, so a plain TCP client talks
// to the machine's serial port through the BMC's serial-over-LAN. The processes live in this conductor
// process (keyed by node UUID); a console that dies on its own is reported through env.onExit.
//
// Secrets: the password reaches ipmitool through IPMI_PASSWORD (`-E`) in socat's environment, which the
// forked ipmitool inherits. The ipmitool argument vector (no secrets) travels in ANVIL_SOL_CMD, shell-quoted
// here, so that socat's own address syntax never has to quote user-controlled words.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { ConsoleError, InvalidParameterValueError } from '../../common/errors.js';
import { log } from '../../common/log.js';
import {
  defineInterface, type ConsoleEnvironment, type ConsoleInfo, type ConsoleInterface, type DriverCall, type ValidationContext,
} from '../interfaces.js';
import { buildInvocation, parseIpmiSettings, secretsOf, type IpmiSettings } from './ipmitool-args.js';
import { defaultIpmitoolClient, scrubSecrets, type IpmitoolClient } from './ipmitool-client.js';
import { IPMI_PROPERTIES, validateIpmiInfo } from './ipmitool-properties.js';

interface Running {
  readonly child: ChildProcess;
  readonly address: string;
  readonly port: number;
  stopping: boolean;
}

export interface SocatConsoleOptions {
  readonly client?: IpmitoolClient;
  /** The socat executable (default `socat` from PATH). */
  readonly socat?: string;
  /** How long startConsole waits for socat to listen. */
  readonly listenTimeoutMs?: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const quote = (word: string) => `'${word.replace(/'/g, `'\\''`)}'`;

/** driver_info ipmi_terminal_port, or null when a port is to be picked from the range. */
function terminalPort(info: Readonly<Record<string, unknown>>): number | null {
  const v = info.ipmi_terminal_port;
  if (v === undefined || v === null || v === '') return null;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 65535) {
    throw new InvalidParameterValueError(`ipmi_terminal_port must be an integer between 1 and 65535, got ${JSON.stringify(v)}.`);
  }
  return n;
}

function validateConsole(ctx: ValidationContext): void {
  validateIpmiInfo(ctx);
  if (parseIpmiSettings(ctx.node.driverInfo).protocolVersion !== '2.0') {
    throw new InvalidParameterValueError('Serial over LAN needs IPMI protocol version 2.0; ipmi_protocol_version is "1.5".');
  }
  terminalPort(ctx.node.driverInfo);
}

/** True while some socket listens on `port` (IPv4, any address), from /proc/net/tcp. */
function listening(port: number): boolean {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  try {
    return readFileSync('/proc/net/tcp', 'utf8').split('\n').some((l) => {
      const f = l.trim().split(/\s+/);
      return f[1]?.endsWith(hex) === true && f[3] === '0A';
    });
  } catch {
    return false;
  }
}

function portIsFree(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen({ port, host: address, exclusive: true }, () => s.close(() => resolve(true)));
  });
}

export function createIpmitoolSocatConsole(options: SocatConsoleOptions = {}): ConsoleInterface {
  const client = options.client ?? defaultIpmitoolClient;
  const socat = options.socat ?? 'socat';
  const listenTimeoutMs = options.listenTimeoutMs ?? 5000;
  const running = new Map<string, Running>();

  // Ironic ends any SOL session left on the BMC before and after its console: a BMC has one SOL slot.
  async function deactivate(settings: IpmiSettings): Promise<void> {
    try {
      await client.run({ ...settings, retryTimeoutS: Math.min(settings.retryTimeoutS, 5) }, ['sol', 'deactivate'], { what: 'sol deactivate' });
    } catch {
      // "SOL payload already de-activated" is a failure to ipmitool; nothing to undo either way.
    }
  }

  async function pickPort(nodeUuid: string, info: Readonly<Record<string, unknown>>, env: ConsoleEnvironment): Promise<number> {
    const fixed = terminalPort(info);
    if (fixed !== null) return fixed;
    const taken = new Set([...running.values()].map((r) => r.port));
    const [lo, hi] = env.portRange;
    for (let p = lo; p <= hi; p++) {
      if (!taken.has(p) && await portIsFree(env.address, p)) return p;
    }
    throw new ConsoleError(`No free TCP port in ${lo}-${hi} for the console of node ${nodeUuid}.`);
  }

  async function stop(nodeUuid: string): Promise<void> {
    const r = running.get(nodeUuid);
    if (!r) return;
    r.stopping = true;
    const gone = new Promise<void>((resolve) => (r.child.exitCode !== null || r.child.signalCode !== null ? resolve() : r.child.once('exit', () => resolve())));
    const signal = (sig: NodeJS.Signals) => {
      try {
        process.kill(-r.child.pid!, sig); // socat leads its own group: its forked children and ipmitool go too
      } catch {
        // already gone
      }
    };
    signal('SIGTERM');
    const exited = await Promise.race([gone.then(() => true), sleep(3000).then(() => false)]);
    if (!exited) {
      signal('SIGKILL');
      await gone;
    }
    running.delete(nodeUuid);
  }

  return defineInterface({
    kind: 'console',
    name: 'ipmitool-socat',
    properties: IPMI_PROPERTIES,
    validate: validateConsole,

    async startConsole({ node }: DriverCall, env: ConsoleEnvironment): Promise<void> {
      const live = running.get(node.uuid);
      if (live && !live.stopping && live.child.exitCode === null) return;
      const settings = parseIpmiSettings(node.driverInfo);
      await deactivate(settings);
      const port = await pickPort(node.uuid, node.driverInfo, env);
      const inv = buildInvocation('ipmitool', settings, ['sol', 'activate']);
      // -v would put ipmitool's session chatter on the console stream.
      const argv = [inv.file, ...inv.args.filter((a) => a !== '-v')];
      const childEnv: NodeJS.ProcessEnv = { ...process.env };
      // An inherited IPMITOOL_PASSWORD would win over ours inside ipmitool.
      for (const k of ['IPMI_PASSWORD', 'IPMITOOL_PASSWORD', 'IPMI_KGKEY', 'ANVIL_IPMI_KG']) delete childEnv[k];
      Object.assign(childEnv, inv.env, { ANVIL_SOL_CMD: argv.map(quote).join(' ') });
      const child = spawn(socat, [
        `TCP4-LISTEN:${port},bind=${env.address},reuseaddr,fork,max-children=1`,
        'SYSTEM:eval exec $ANVIL_SOL_CMD,pty,stderr',
      ], { env: childEnv, stdio: ['ignore', 'ignore', 'pipe'], detached: true });
      const entry: Running = { child, address: env.address, port, stopping: false };
      running.set(node.uuid, entry);
      const errText: string[] = [];
      child.stderr!.on('data', (b: Buffer) => errText.push(b.toString('utf8')));
      const secrets = secretsOf(settings);
      const why = (code: number | null, sig: NodeJS.Signals | null) => {
        const last = scrubSecrets(errText.join('').trim().split('\n').slice(-1)[0] ?? '', secrets);
        return `${sig ? `killed by ${sig}` : `exit status ${String(code)}`}${last ? `: ${last}` : ''}`;
      };
      let exitInfo: string | null = null;
      let spawnError: NodeJS.ErrnoException | null = null;
      child.on('error', (e: NodeJS.ErrnoException) => { spawnError = e; });
      child.on('exit', (code, sig) => {
        exitInfo = why(code, sig);
        if (entry.stopping || running.get(node.uuid) !== entry) return;
        running.delete(node.uuid);
        log.warn('console process exited', { node: node.uuid, detail: exitInfo });
        env.onExit(`The console process of node ${node.uuid} exited unexpectedly (${exitInfo}).`);
      });
      const until = Date.now() + listenTimeoutMs;
      while (!listening(port)) {
        if (spawnError || exitInfo !== null || Date.now() > until) {
          entry.stopping = true;
          await stop(node.uuid);
          const e = spawnError as NodeJS.ErrnoException | null;
          const cause = e?.code === 'ENOENT' ? `${socat} is not installed (Debian package socat)`
            : e ? e.message : exitInfo ?? `socat did not listen on ${env.address}:${port} within ${listenTimeoutMs} ms`;
          throw new ConsoleError(`Could not start the console of node ${node.uuid}: ${cause}.`);
        }
        await sleep(25);
      }
      log.info('console started', { node: node.uuid, address: env.address, port, pid: child.pid });
    },

    async stopConsole({ node }: DriverCall): Promise<void> {
      const had = running.has(node.uuid);
      await stop(node.uuid);
      if (had) await deactivate(parseIpmiSettings(node.driverInfo));
    },

    getConsole({ node }: DriverCall): ConsoleInfo | null {
      const r = running.get(node.uuid);
      return r && !r.stopping ? { type: 'socat', url: `tcp://${r.address}:${r.port}` } : null;
    },
  });
}

export const IpmitoolSocatConsole = createIpmitoolSocatConsole();
