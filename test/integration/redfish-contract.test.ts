// RedfishPower and RedfishManagement run the shared driver contracts against the lab's Redfish BMCs (real
// HTTPS services whose machines are processes): power is checked on the machine (its chassis state and
// power-on count), the boot override in the BMC's own settings file, not through the driver.
import { afterAll, beforeAll } from 'vitest';
import { managementContract } from '../../src/drivers/contract/management.contract.js';
import { powerContract } from '../../src/drivers/contract/power.contract.js';
import { closeRedfishConnections } from '../../src/drivers/redfish/redfish-client.js';
import { RedfishManagement, RedfishPower } from '../../src/drivers/redfish/redfish-interfaces.js';
import { setRedfishTuning } from '../../src/drivers/redfish/redfish-system.js';
import type { RedfishBmc } from '../../src/lab/redfish/server.js';
import { bmcSettings, machineIsOn, powerOnCount, redfishFleet, redfishNode } from '../support/redfish-nodes.js';

const WRONG_PASSWORD = 'not-the-pass-7';
const fleet = redfishFleet();
let powerBmc: RedfishBmc;
let bootBmc: RedfishBmc;
let stubborn: RedfishBmc;

beforeAll(async () => {
  setRedfishTuning({ requestTimeoutS: 5, attempts: 2, initialBackoffMs: 100, maxBackoffMs: 200 });
  [powerBmc, bootBmc, stubborn] = await Promise.all([
    fleet.start('power', { gracefulShutdownMs: 5000 }),
    // If-Match required: every PATCH of the System must carry the ETag.
    fleet.start('boot', { requireIfMatch: true }),
    // A machine that ignores SIGTERM: soft off does not complete within the case's 2 s (the BMC forces it off after 4 s).
    fleet.start('stubborn', { machineCmd: "trap '' TERM; while :; do sleep 1; done", killWaitTenths: 5, gracefulShutdownMs: 4000 }),
  ]);
});
afterAll(async () => {
  // A hard off ends the stubborn machine, and with it the BMC's wait for a graceful shutdown.
  if (stubborn) await RedfishPower.setPowerState({ node: redfishNode(stubborn) }, 'power off').catch(() => undefined);
  await closeRedfishConnections();
  await fleet.stop();
  setRedfishTuning(undefined);
});

const DEVICES: Record<string, string> = { Pxe: 'pxe', Hdd: 'disk', Cd: 'cdrom', BiosSetup: 'bios' };

powerContract('RedfishPower against the lab Redfish BMC', RedfishPower, {
  node: () => redfishNode(powerBmc),
  observedPower: async () => ((await machineIsOn(powerBmc)) ? 'power on' : 'power off'),
  powerOnCount: () => powerOnCount(powerBmc),
  brokenNode: () => redfishNode(powerBmc, { redfish_password: WRONG_PASSWORD }),
  get secrets() {
    return [WRONG_PASSWORD, powerBmc.password];
  },
  stuck: {
    async node() {
      const node = redfishNode(stubborn);
      await RedfishPower.setPowerState({ node }, 'power on');
      return node;
    },
  },
  actionTimeoutS: 20,
});

managementContract('RedfishManagement against the lab Redfish BMC (If-Match required)', RedfishManagement, {
  node: (opts) => redfishNode(bootBmc, {}, opts?.bootMode ? { capabilities: `boot_mode:${opts.bootMode}` } : {}),
  observedBoot: () => {
    const s = bmcSettings(bootBmc) as Record<string, string>;
    return {
      device: (DEVICES[s.bootTarget!] ?? null) as never,
      persistent: s.bootEnabled === 'Disabled' ? null : s.bootEnabled === 'Continuous',
      efi: s.bootMode === 'UEFI',
    };
  },
  brokenNode: () => redfishNode(bootBmc, { redfish_password: WRONG_PASSWORD, redfish_auth_type: 'basic' }),
  get secrets() {
    return [WRONG_PASSWORD, bootBmc.password];
  },
  nmi: 'accepted',
});
