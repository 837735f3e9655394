// The lab's Redfish BMCs (`anvil lab up --bmc redfish`): one process (src/lab/redfish/main.ts) in its own
// session serves a Redfish BMC per machine on 127.0.0.1, each with its own self-signed certificate made at
// start; `down` stops it before the machines (its SIGTERM powers them off). The BMC directories follow the
// scripts/ipmi-sim layout, so stop-bmcs.sh and `lab list` find the machines there as for ipmi_sim.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './firmware/paths.js';
import { isAlive, LabError, processRecord, sleep, stopProcess } from './host.js';
import { readJson, saveState, type LabState } from './state.js';

export const REDFISH_MAIN = join(REPO_ROOT, 'dist', 'lab', 'redfish', 'main.js');

/** TCP ports the kernel just handed out on 127.0.0.1 (free again once closed). */
export async function freeTcpPorts(count: number): Promise<number[]> {
  const servers = await Promise.all(Array.from({ length: count }, () => new Promise<ReturnType<typeof createServer>>((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => ok(s));
  })));
  const ports = servers.map((s) => (s.address() as { port: number }).port);
  await Promise.all(servers.map((s) => new Promise<void>((ok) => s.close(() => ok()))));
  return ports;
}

/** Starts the BMC process for the redfish BMCs recorded in `state` and waits until every one listens. */
export async function startRedfishBmcs(state: LabState, timeoutMs = 60_000): Promise<void> {
  mkdirSync(state.bmcDir, { recursive: true });
  const ready = join(state.bmcDir, 'redfish.ready');
  rmSync(ready, { force: true });
  const logFile = join(state.bmcDir, 'redfish.log');
  const out = openSync(logFile, 'a');
  const child = spawn(process.execPath, [REDFISH_MAIN, state.dir], { detached: true, stdio: ['ignore', out, out] });
  child.unref();
  const rec = child.pid ? processRecord(child.pid) : null;
  if (!rec) throw new LabError(`could not start the Redfish BMCs (${REDFISH_MAIN}); see ${logFile}`);
  state.redfish = { ...rec, log: logFile };
  saveState(state);
  const deadline = Date.now() + timeoutMs;
  while (!readJson(ready)) {
    if (!isAlive(rec) || Date.now() > deadline) {
      const tail = (() => {
        try {
          return readFileSync(logFile, 'utf8').trim().split('\n').slice(-5).join('\n');
        } catch {
          return '';
        }
      })();
      throw new LabError(`the Redfish BMCs did not come up${isAlive(rec) ? ` within ${timeoutMs / 1000} s` : ''}: ${tail}`);
    }
    await sleep(100);
  }
}

/** Stops the BMC process (it powers the machines off first); safe when it is gone. */
export async function stopRedfishBmcs(state: LabState): Promise<void> {
  if (state.redfish) await stopProcess(state.redfish, { graceMs: 20_000 });
}
