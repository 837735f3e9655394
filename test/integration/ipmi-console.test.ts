// The ipmitool-socat serial console end to end, per store: our `baremetal` and Debian's `baremetal` (real
// processes) -> Anvil (a real process) -> socat -> `ipmitool sol activate` -> ipmi_sim serial-over-LAN ->
// the simulated machine's serial port, which this test holds. Text goes both ways; disabling, a killed console
// process and node deletion each leave no socat behind; the password is on no command line and in no log.
// Needs `npm run build`, socat, ipmitool, ipmi_sim and python3-ironicclient (scripts/install-deps.sh --test).
// About 20 s per store, most of it ipmitool SOL session set-up and ipmi_sim's pace.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAnvilProcess, type AnvilProcess } from '../support/anvil-process.js';
import { DIALECTS } from '../support/databases.js';
import { startBmcs, type SimBmc, type SimFleet } from '../support/ipmi-sim.js';

const OURS = new URL('../../bin/baremetal.js', import.meta.url).pathname;
const DEBIAN = '/usr/bin/baremetal';
const PASSWORD = 'sol-pass-9876';

interface Run { readonly code: number; readonly stdout: string; readonly stderr: string }

function run(file: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve) => {
    execFile(file, args, { env, timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }));
  });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** PIDs of live processes whose command line contains `needle`. */
function processesWith(needle: string): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      if (readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0').join(' ').includes(needle)) out.push(Number(d));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** A console user: a TCP client that collects what the console prints. */
async function attach(url: string): Promise<{ sock: Socket; seen: () => string }> {
  const m = /^tcp:\/\/([^:]+):(\d+)$/.exec(url);
  if (!m) throw new Error(`unexpected console URL ${url}`);
  const chunks: Buffer[] = [];
  const sock = connect(Number(m[2]), m[1]);
  sock.on('data', (b: Buffer) => chunks.push(b));
  sock.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => { sock.once('connect', resolve); sock.once('error', reject); });
  return { sock, seen: () => Buffer.concat(chunks).toString('utf8') };
}

describe.each(DIALECTS)('ipmitool-socat console against ipmi_sim SOL on %s', { timeout: 90_000 }, (dialect) => {
  let fleet: SimFleet;
  let anvil: AnvilProcess;
  let home: string;
  let bmc: SimBmc;
  let range: [number, number];

  beforeAll(async () => {
    if (!existsSync(DEBIAN)) throw new Error(`${DEBIAN} is missing: install python3-ironicclient (scripts/install-deps.sh --test)`);
    home = mkdtempSync(join(tmpdir(), 'anvil-console-home-'));
    // A range of its own per store and run, so parallel runs rarely meet (the driver skips ports in use anyway).
    const lo = 20000 + (process.pid % 400) * 20 + (dialect === 'sqlite' ? 0 : 10);
    range = [lo, lo + 9];
    [fleet, anvil] = await Promise.all([
      startBmcs({ count: 1, password: PASSWORD, sol: true }),
      startAnvilProcess(dialect, { args: ['--power-state-sync-interval', '0', '--console-port-range', `${range[0]}:${range[1]}`] }),
    ]);
    bmc = fleet.bmcs[0]!;
    await bmc.serial!.connected;
  });
  afterAll(async () => {
    await Promise.all([fleet?.stop(), anvil?.stop()]);
    if (home) rmSync(home, { recursive: true, force: true });
  });

  const env = (): NodeJS.ProcessEnv => {
    const e: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!/^(OS_|ANVIL_|XDG_)/.test(k)) e[k] = v;
    return { ...e, HOME: home, LC_ALL: 'C.UTF-8' };
  };
  async function cli(which: 'ours' | 'debian', ...args: string[]): Promise<string> {
    const [file, pre] = which === 'ours' ? [process.execPath, [OURS]] : [DEBIAN, []];
    const r = await run(file, [...pre, '--os-endpoint', anvil.url, '--os-auth-type', 'none', ...args], env());
    if (r.code !== 0) throw new Error(`${which} baremetal ${args.join(' ')} exited ${r.code}\n${r.stderr}\nanvil log:\n${anvil.logLines().slice(-10).join('\n')}`);
    return r.stdout;
  }
  // Polling goes straight to the API: a CLI process per poll would cost a second each on this machine.
  async function call(method: string, path: string, body?: unknown): Promise<any> {
    const res = await fetch(`${anvil.url}/v1/${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body),
      headers: { 'X-OpenStack-Ironic-API-Version': 'latest', 'Content-Type': 'application/json' } });
    const text = await res.text();
    if (res.status >= 400) throw new Error(`${method} ${path} answered ${res.status}: ${text}`);
    return text ? JSON.parse(text) : null;
  }
  const api = (path: string) => call('GET', path);
  const createNode = async (name: string): Promise<string> =>
    (await call('POST', 'nodes', { name, driver: 'ipmi', console_interface: 'ipmitool-socat', driver_info: bmc.driverInfo() })).uuid;
  const consoleJson = async (node: string) => await api(`nodes/${node}/states/console`) as
    { console_enabled: boolean; console_info: { type: string; url: string } | null };
  const nodeJson = async (node: string) => await api(`nodes/${node}`) as Record<string, any>;
  const enabledUrl = (node: string) => until('the console to be enabled', async () => {
    const c = await consoleJson(node);
    return c.console_enabled && c.console_info ? c.console_info.url : undefined;
  });

  it('carries serial text both ways through our CLI and Debian\'s, and stops socat on disable', async () => {
    const name = `console-${dialect}`;
    const uuid = await createNode(name);
    expect(JSON.parse(await cli('ours', 'node', 'console', 'show', name, '-f', 'json'))).toEqual({ console_enabled: false, console_info: null });

    expect(await cli('ours', 'node', 'console', 'enable', name)).toBe('');
    const url = await enabledUrl(name);
    expect(JSON.parse(await cli('ours', 'node', 'console', 'show', name, '-f', 'json'))).toEqual({ console_enabled: true, console_info: { type: 'socat', url } });
    const port = Number(url.split(':').at(-1));
    expect(url).toBe(`tcp://127.0.0.1:${port}`);
    expect(port).toBeGreaterThanOrEqual(range[0]);
    expect(port).toBeLessThanOrEqual(range[1]);
    expect((await nodeJson(uuid)).console_enabled).toBe(true);

    const user = await attach(url);
    await until('the SOL banner', () => (user.seen().includes('SOL Session operational') ? true : undefined));
    // The BMC drops serial output until its SOL session is fully up: repeat until a line arrives.
    await until('serial output on the console', () => {
      bmc.serial!.write('hello from the serial port\n');
      return user.seen().includes('hello from the serial port') ? true : undefined;
    });
    user.sock.write('typed-by-the-user\r');
    await until('console input on the serial port', () => (bmc.serial!.received().includes('typed-by-the-user') ? true : undefined));
    user.sock.destroy();

    // The password reached ipmitool through the environment only.
    expect(processesWith(`TCP4-LISTEN:${port}`).length).toBeGreaterThan(0);
    expect(processesWith(PASSWORD)).toEqual([]);

    const shown = await cli('debian', 'node', 'console', 'show', uuid);
    expect(shown).toMatch(/console_enabled\s*\|\s*True/);
    expect(shown).toContain(`'url': '${url}'`);
    expect(shown).toContain(`'type': 'socat'`);

    expect(await cli('debian', 'node', 'console', 'disable', uuid)).toBe('');
    await until('the console to be disabled', async () => ((await consoleJson(uuid)).console_enabled ? undefined : true));
    expect(await consoleJson(uuid)).toEqual({ console_enabled: false, console_info: null });
    await until('socat to exit', () => (processesWith(`TCP4-LISTEN:${port}`).length === 0 ? true : undefined), 5000);
    expect(anvil.logLines().join('\n')).not.toContain(PASSWORD);
  });

  it('notices a console process that dies, and stops the console when the node is deleted', async () => {
    // Through the API: the CLIs are covered above, and each CLI process costs seconds on a busy machine.
    const name = `console-dies-${dialect}`;
    await createNode(name);
    await call('PUT', `nodes/${name}/states/console`, { enabled: true });
    const port = Number((await enabledUrl(name)).split(':').at(-1));
    for (const pid of processesWith(`TCP4-LISTEN:${port}`)) process.kill(pid, 'SIGKILL');
    const node = await until('the dead console to be noticed', async () => {
      const n = await nodeJson(name);
      return n.console_enabled ? undefined : n;
    });
    expect(node.last_error).toMatch(/^The console process of node \S+ exited unexpectedly \(killed by SIGKILL\)\.$/);
    expect(await consoleJson(name)).toEqual({ console_enabled: false, console_info: null });

    await call('PUT', `nodes/${name}/states/console`, { enabled: 'true' });
    const again = Number((await enabledUrl(name)).split(':').at(-1));
    expect(processesWith(`TCP4-LISTEN:${again}`).length).toBeGreaterThan(0);
    expect((await nodeJson(name)).last_error).toBeNull();
    await call('DELETE', `nodes/${name}`);
    await until('socat to exit after node delete', () => (processesWith(`TCP4-LISTEN:${again}`).length === 0 ? true : undefined), 5000);
  });
});
