// IpmitoolPower and IpmitoolManagement run the shared driver contracts against real ipmi_sim BMCs. The
// management BMC logs its wire traffic and the nodes use cipher suite 2 (authenticated, not encrypted), so
// the persistent/EFI bits are checked in the request the BMC received: ipmi_sim itself drops them.
import { afterAll, beforeAll } from 'vitest';
import { managementContract } from '../../src/drivers/contract/management.contract.js';
import { powerContract } from '../../src/drivers/contract/power.contract.js';
import { testNode } from '../../src/drivers/contract/test-node.js';
import { IpmitoolManagement, IpmitoolPower } from '../../src/drivers/ipmitool/ipmitool-interfaces.js';
import { startBmcs, type SimBmc, type SimFleet } from '../support/ipmi-sim.js';

const WRONG_PASSWORD = 'not-the-pass-7';
let fleet: SimFleet;
let stubborn: SimFleet;
const bmc = (i: number): SimBmc => fleet.bmcs[i]!;

beforeAll(async () => {
  [fleet, stubborn] = await Promise.all([
    startBmcs({ count: 2, wire: true }),
    // A machine that ignores SIGTERM: soft power off never completes; hard off kills it after 0.5 s.
    startBmcs({ count: 1, killWaitTenths: 5, machineCmd: "trap '' TERM; while :; do sleep 1; done" }),
  ]);
});
afterAll(async () => {
  // A hard power off kills the stubborn machine in 0.5 s; left running, stopping the BMCs would wait 3 s for it.
  if (stubborn) await IpmitoolPower.setPowerState({ node: ipmiNode(stubborn.bmcs[0]!) }, 'power off').catch(() => undefined);
  await Promise.all([fleet?.stop(), stubborn?.stop()]);
});

const ipmiNode = (b: SimBmc, extra: Record<string, unknown> = {}, properties: Record<string, unknown> = {}) =>
  testNode({ driver: 'ipmi', driverInfo: b.driverInfo(extra), properties });

powerContract('IpmitoolPower against ipmi_sim', IpmitoolPower, {
  node: () => ipmiNode(bmc(0)),
  observedPower: () => (bmc(0).powerIsOn() ? 'power on' : 'power off'),
  powerOnCount: () => bmc(0).powerOnCount(),
  brokenNode: () => ipmiNode(bmc(0), { ipmi_password: WRONG_PASSWORD }),
  get secrets() {
    return [WRONG_PASSWORD, bmc(0).password];
  },
  stuck: {
    async node() {
      const node = ipmiNode(stubborn.bmcs[0]!);
      await IpmitoolPower.setPowerState({ node }, 'power on');
      return node;
    },
  },
  actionTimeoutS: 20,
});

managementContract('IpmitoolManagement against ipmi_sim', IpmitoolManagement, {
  node: (opts) => ipmiNode(bmc(1), { ipmi_cipher_suite: 2 }, opts?.bootMode ? { capabilities: `boot_mode:${opts.bootMode}` } : {}),
  observedBoot: () => {
    const last = bmc(1).bootFlagsReceived().at(-1);
    const device = bmc(1).bootDevice();
    return {
      device: device as never,
      persistent: last ? (last[0] & 0x40) !== 0 : null,
      efi: last ? (last[0] & 0x20) !== 0 : null,
    };
  },
  brokenNode: () => ipmiNode(bmc(1), { ipmi_password: WRONG_PASSWORD }),
  get secrets() {
    return [WRONG_PASSWORD, bmc(1).password];
  },
  unsettable: { safe: 'ipmi_sim 2.0.33 answers "Unspecified error" (0xff) to the safe-mode selector 0x0c' },
  persistenceNotReported: 'ipmi_sim 2.0.33 keeps only the device; `bootparam get 5` always reads "next boot only" '
    + '(the persistent bit is checked on the wire instead)',
  nmi: { refused: 'ipmi_sim 2.0.33 answers "Invalid data field" to chassis power diag' },
});
