// Lab Redfish BMCs for driver tests: started standalone (no lab, no root) in temporary directories, nodes
// whose driver_info points at them, and the hardware side read from the BMC's own files (chassis power,
// power-on count, settings), never through the driver under test. Free of vitest imports.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testNode } from '../../src/drivers/contract/test-node.js';
import { ChassisControl } from '../../src/lab/redfish/chassis.js';
import { startRedfishBmc, type RedfishBmc, type RedfishBmcOptions } from '../../src/lab/redfish/server.js';
import type { NodeRecord } from '../../src/db/records.js';

export interface RedfishFleet {
  start(name: string, options?: Omit<RedfishBmcOptions, 'dir'>): Promise<RedfishBmc>;
  /** Stops every BMC (powering its machine off) and removes their directories. */
  stop(): Promise<void>;
}

export function redfishFleet(): RedfishFleet {
  const started: { bmc: RedfishBmc; dir: string }[] = [];
  return {
    async start(name, options = {}) {
      const dir = mkdtempSync(join(tmpdir(), `anvil-redfish-${name}-`));
      const bmc = await startRedfishBmc({ ...options, dir });
      started.push({ bmc, dir });
      return bmc;
    },
    async stop() {
      await Promise.all(started.map(({ bmc }) => bmc.close().catch(() => undefined)));
      for (const { dir } of started) rmSync(dir, { recursive: true, force: true });
      started.length = 0;
    },
  };
}

/** driver_info for `bmc`, verifying its self-signed certificate. */
export const redfishInfo = (bmc: RedfishBmc, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  redfish_address: bmc.url, redfish_username: bmc.username, redfish_password: bmc.password, redfish_verify_ca: bmc.certFile, ...extra,
});

export const redfishNode = (bmc: RedfishBmc, extra: Record<string, unknown> = {}, properties: Record<string, unknown> = {}): NodeRecord =>
  testNode({ driver: 'redfish', driverInfo: redfishInfo(bmc, extra), properties });

export const machineIsOn = (bmc: RedfishBmc): Promise<boolean> => new ChassisControl(bmc.dir).isOn();

/** How many times the machine was started (the chassis script counts). */
export function powerOnCount(bmc: RedfishBmc): number {
  try {
    return Number(readFileSync(join(bmc.dir, 'power_on_count'), 'utf8').trim());
  } catch {
    return 0;
  }
}

/** What the BMC holds: boot override, boot mode, indicator, virtual media (its redfish.json). */
export function bmcSettings(bmc: RedfishBmc): Record<string, unknown> {
  return JSON.parse(readFileSync(join(bmc.dir, 'redfish.json'), 'utf8')) as Record<string, unknown>;
}
