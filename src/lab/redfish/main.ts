// The process serving a lab's Redfish BMCs (`anvil lab up --bmc redfish` starts it in its own session):
//   node dist/lab/redfish/main.js LAB_DIR
// One HTTPS BMC per machine of the state file whose BMC is of type redfish, on the address and port recorded
// there, with the lab firmware as its machine. Writes BMC_ROOT/redfish.ready once all listen; SIGTERM (lab
// down) powers the machines off and exits.
import { join } from 'node:path';
import { firmwareCommand } from '../bmc.js';
import { loadState, writeJsonAtomic } from '../state.js';
import { ALL_RESET_TYPES, type ResetType } from './resources.js';
import { startRedfishBmc, type RedfishBmc } from './server.js';

const log = (line: string) => process.stdout.write(`${new Date().toISOString()} ${line}\n`);

async function main(): Promise<void> {
  const labDir = process.argv[2];
  const state = labDir ? loadState(labDir) : null;
  if (!state) {
    log(`redfish BMCs: no lab in ${labDir}`);
    process.exit(2);
  }
  const bmcs: RedfishBmc[] = [];
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await Promise.allSettled(bmcs.map((b) => b.close()));
    log('redfish BMCs stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  for (const vm of state.vms) {
    const b = vm.bmc;
    if (b?.type !== 'redfish' || !vm.disk) continue;
    const resetTypes = b.redfish?.resetTypes?.filter((t): t is ResetType => (ALL_RESET_TYPES as readonly string[]).includes(t));
    bmcs.push(await startRedfishBmc({
      dir: b.dir, host: b.address, port: b.port, username: b.username, password: b.password,
      machineCmd: firmwareCommand(state.dir),
      // The firmware stops its agent on SIGTERM within a second or two; past that the BMC kills it.
      killWaitTenths: 50,
      name: vm.name, systemId: vm.name, mac: vm.mac, diskBytes: vm.disk.sizeBytes, bootMode: vm.bootMode === 'uefi' ? 'UEFI' : 'Legacy',
      ...(resetTypes ? { resetTypes } : {}),
      ...(b.redfish?.bootTargets ? { bootTargets: b.redfish.bootTargets } : {}),
      ...(b.redfish?.requireIfMatch !== undefined ? { requireIfMatch: b.redfish.requireIfMatch } : {}),
      ...(b.redfish?.sessionTimeoutS !== undefined ? { sessionTimeoutS: b.redfish.sessionTimeoutS } : {}),
      ...(b.redfish?.secureBoot !== undefined ? { secureBoot: b.redfish.secureBoot } : {}),
    }));
    log(`${vm.name}: Redfish BMC at https://${b.address}:${b.port}`);
  }
  writeJsonAtomic(join(state.bmcDir, 'redfish.ready'), { pid: process.pid, urls: bmcs.map((b) => b.url) });
}

main().catch((err) => {
  log(`redfish BMCs failed: ${(err as Error).stack ?? err}`);
  process.exit(1);
});
