// The service side of a lab: the `anvil serve` settings that make Anvil reachable from the lab network
// (API on loopback and on the bridge address, image server on the bridge address), and — with
// `anvil lab up --serve` — an `anvil serve` started in its own session for the lab, stopped by `lab down`.
import { spawn } from 'node:child_process';
import { mkdirSync, openSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { REPO_ROOT } from './firmware/paths.js';
import { isAlive, LabError, processRecord, sleep, type ProcessRecord } from './host.js';
import type { LabState } from './state.js';

/** `anvil serve` flags for a service the lab's machines can reach, as [flag, value] pairs. */
/** `anvil serve` flags for the lab: each a flag with its value, or a switch alone. */
export function serviceFlags(state: LabState, port: number): Array<readonly [string, string] | readonly [string]> {
  const ip = state.network.serverIp;
  return [
    ['--host', '127.0.0.1'], ['--port', String(port)], ['--extra-hosts', ip],
    ['--image-serve-host', ip],
    // Agents call back on the bridge address; Anvil's own dnsmasq answers the lab's machines there and
    // serves TFTP; the HTTP root (iPXE scripts) is served on the bridge address too.
    ...(port ? [['--agent-api-url', `http://${ip}:${port}`] as [string, string]] : []),
    ['--dnsmasq-interface', state.network.bridge],
    ['--dnsmasq-dhcp-range', `${ip.replace(/\.\d+$/, '')}.100,${ip.replace(/\.\d+$/, '')}.199,255.255.255.0,1h`],
    ['--http-boot-host', ip],
    // dnsmasq pings an address before offering it, leaving a machine's first DISCOVER unanswered for about
    // three seconds; the lab made this network and nothing else is on it, so no address can be taken.
    ['--dnsmasq-extra-args', '--no-ping'],
    // Without authentication on the bridge address: only the lab's own machines are on that network
    // (the service logs a warning). A real provisioning network wants authStrategy http_basic.
    ['--insecure-noauth'],
    // file:// deploy kernel and ramdisk live under the lab's images directory; user images may go there too.
    ['--file-url-allowed-paths', state.deployImages ? dirname(state.deployImages.dir) : ''],
  ];
}

export function serveCommandLine(state: LabState, port: number): string {
  return ['anvil serve', ...serviceFlags(state, port).map((flag) => flag.join(' '))].join(' ');
}

const SERVING_RE = /Anvil is serving the bare metal API on (http:\/\/\S+)/;

/** Starts `anvil serve` for the lab and waits until it serves; resolves to its record. */
export async function startLabService(state: LabState, port: number, extraFlags: readonly string[] = []): Promise<ProcessRecord & { url: string; stateDir: string; log: string }> {
  const stateDir = join(state.dir, 'anvil');
  mkdirSync(stateDir, { recursive: true });
  const logFile = join(state.dir, 'anvil.log');
  const out = openSync(logFile, 'a');
  const args = [join(REPO_ROOT, 'bin', 'anvil.js'), 'serve', ...serviceFlags(state, port).flat(), '--state-dir', stateDir, ...extraFlags];
  // Its own session: the service outlives the `anvil lab up` that started it.
  const child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', out, out], cwd: REPO_ROOT });
  child.unref();
  const rec = child.pid ? processRecord(child.pid) : null;
  if (!rec) throw new LabError('anvil serve did not start');
  for (let i = 0; i < 600; i++) {
    const text = readFileSync(logFile, 'utf8');
    const m = SERVING_RE.exec(text);
    if (m) return { ...rec, url: m[1]!, stateDir, log: logFile };
    if (!isAlive(rec)) throw new LabError(`anvil serve exited before serving; its log (${logFile}):\n${text.split('\n').slice(-15).join('\n')}`);
    await sleep(100);
  }
  throw new LabError(`anvil serve did not report serving within 60 s; see ${logFile}`);
}
