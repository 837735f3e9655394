// startRedfishBmc(): one lab Redfish BMC, HTTPS on loopback with a self-signed certificate, driving a
// machine through the chassis back end the ipmi_sim BMCs use. The lab starts one per virtual machine
// (main.ts); tests start one standalone, whose machine is then the idle machine of scripts/ipmi-sim:
//
//   const bmc = await startRedfishBmc({ dir: mkdtempSync(...), resetTypes: ['On', 'ForceOff'] });
//   // bmc.url, bmc.username, bmc.password, bmc.certFile (PEM, for verify), bmc.systemPath
//   bmc.setFaults({ delayMs: 2000 }); bmc.setFaults({ dropRequests: 1 }); bmc.events()  // events.log
//   await bmc.close();   // stops the server and powers the machine off
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { serve, type ServerType } from '@hono/node-server';
import { generateCertificate } from '../../agent/tls.js';
import { createApp } from './app.js';
import { Authenticator } from './auth.js';
import { ChassisControl, prepareChassisDir } from './chassis.js';
import { MachineControl } from './machine-control.js';
import { ALL_RESET_TYPES, BOOT_TARGETS, paths, type MachineFacts, type ResetType } from './resources.js';
import { SettingsStore, type BmcFaults, type BootModeName } from './settings.js';

export interface RedfishBmcOptions {
  /** The BMC's directory: certificate, settings, chassis files (machine.pid, boot, events.log, machine.log). */
  readonly dir: string;
  /** Listening address (default 127.0.0.1) and port (default: a free one). */
  readonly host?: string;
  readonly port?: number;
  readonly username?: string;
  /** Default: random. */
  readonly password?: string;
  /** Shell code run as the machine at power on (sees BMC_PORT, BMC_DIR, BMC_BOOTDEV); default an idle loop. */
  readonly machineCmd?: string;
  /** Grace between SIGTERM and SIGKILL at hard power off, 0.1 s units (default 30). */
  readonly killWaitTenths?: number;
  /** How long GracefulShutdown/GracefulRestart wait for the machine before forcing it off (default 10 s). */
  readonly gracefulShutdownMs?: number;
  readonly name?: string;
  /** The System's Id (default `1`): the system is /redfish/v1/Systems/<systemId>. */
  readonly systemId?: string;
  readonly mac?: string;
  readonly diskBytes?: number;
  readonly memoryBytes?: number;
  readonly cpuCount?: number;
  /** The ResetTypes the system advertises and accepts (default all nine). */
  readonly resetTypes?: readonly ResetType[];
  /** BootSourceOverrideTarget values the system advertises (default None, Pxe, Hdd, Cd, BiosSetup). */
  readonly bootTargets?: readonly string[];
  /** Boot mode until a client sets one (default UEFI). */
  readonly bootMode?: BootModeName;
  /** Refuse PATCH of the System without If-Match (428). */
  readonly requireIfMatch?: boolean;
  /** Offer UEFI secure boot (a SecureBoot resource; default none, as on many BMCs). */
  readonly secureBoot?: boolean;
  /** Seconds a session lives unused (default 1800). */
  readonly sessionTimeoutS?: number;
  readonly faults?: BmcFaults;
}

export interface RedfishBmc {
  /** https://host:port */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly password: string;
  /** The self-signed certificate (PEM file), for clients that verify. */
  readonly certFile: string;
  readonly dir: string;
  /** /redfish/v1/Systems/<id> */
  readonly systemPath: string;
  readonly managerPath: string;
  setFaults(f: BmcFaults): void;
  /** The chassis' events.log: power on/off and boot device changes, one line each. */
  events(): string;
  /** Stops answering and powers the machine off. */
  close(): Promise<void>;
}

async function certificate(dir: string, host: string): Promise<{ cert: string; key: string; certFile: string }> {
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  // A BMC keeps its certificate across restarts, as clients may have pinned it.
  if (!existsSync(certFile) || !existsSync(keyFile)) {
    const made = await generateCertificate(host, 3650, { selfTrusted: true });
    writeFileSync(keyFile, made.keyPem, { mode: 0o600 });
    writeFileSync(certFile, made.certPem);
  }
  return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8'), certFile };
}

function uuidFrom(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export async function startRedfishBmc(o: RedfishBmcOptions): Promise<RedfishBmc> {
  const host = o.host ?? '127.0.0.1';
  const username = o.username ?? 'admin';
  const password = o.password ?? randomBytes(12).toString('base64url');
  mkdirSync(o.dir, { recursive: true });
  const { cert, key, certFile } = await certificate(o.dir, host);
  const mac = o.mac ?? `52:54:00:${randomBytes(3).toString('hex').match(/../g)!.join(':')}`;
  const cpu = cpus();
  const facts: MachineFacts = {
    systemId: o.systemId ?? '1', managerId: 'BMC', chassisId: '1', uuid: uuidFrom(mac), name: o.name ?? 'anvil-lab-machine', mac,
    cpu: { count: o.cpuCount ?? cpu.length, model: cpu[0]?.model.trim() || 'virtual CPU', mhz: cpu[0]?.speed || 2000 },
    memoryBytes: o.memoryBytes ?? totalmem(), diskBytes: o.diskBytes ?? 4 * 1024 ** 3,
    resetTypes: o.resetTypes ?? ALL_RESET_TYPES, bootTargets: o.bootTargets ?? BOOT_TARGETS, secureBoot: o.secureBoot ?? false,
  };
  const settings = new SettingsStore(o.dir, {
    bootTarget: 'None', bootEnabled: 'Disabled', bootMode: o.bootMode ?? 'UEFI', indicatorLed: 'Off', assetTag: '', virtualMedia: null, secureBoot: false,
  });
  if (o.faults) settings.setFaults(o.faults);
  const machine = new MachineControl(o.dir, settings, o.gracefulShutdownMs ?? 10_000);
  const auth = new Authenticator(username, password, o.sessionTimeoutS ?? 1800);
  const app = createApp({ facts, settings, machine, auth, requireIfMatch: o.requireIfMatch ?? false });

  const server = await new Promise<ServerType>((ok, fail) => {
    const s = serve({ fetch: app.fetch, hostname: host, port: o.port ?? 0, createServer, serverOptions: { cert, key } }, () => ok(s));
    s.once('error', fail);
  });
  const port = (server.address() as AddressInfo).port;
  // The chassis files name the port the BMC answers on: the lab firmware finds its machine by it.
  prepareChassisDir({ dir: o.dir, port, machineCmd: o.machineCmd, killWaitTenths: o.killWaitTenths });
  await machine.sync();
  const p = paths(facts);
  return {
    url: `https://${host}:${port}`, host, port, username, password, certFile, dir: o.dir, systemPath: p.system, managerPath: p.manager,
    setFaults: (f) => settings.setFaults(f),
    events: () => {
      try {
        return readFileSync(join(o.dir, 'events.log'), 'utf8');
      } catch {
        return '';
      }
    },
    close: async () => {
      await new Promise<void>((ok) => {
        server.close(() => ok());
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
      await new ChassisControl(o.dir).powerOff();
    },
  };
}
