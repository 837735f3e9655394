// Records and tasks for driver tests, without a database: drivers only read the records they are given.
import { randomUUID } from 'node:crypto';
import { loadConfig, type Config } from '../../common/config.js';
import type { NodeRecord, PortRecord } from '../../db/records.js';
import { FakeManagement, FakePower } from '../fake/fake-interfaces.js';
import type { BootInterface, DriverEnvironment, DriverTask } from '../interfaces.js';

/** The built-in defaults, for validation contexts of driver tests. */
export function testConfig(): Config {
  return loadConfig({ env: {} });
}

export function testNode(overrides: Partial<NodeRecord> = {}): NodeRecord {
  return {
    id: 1, uuid: randomUUID(), name: null, driver: 'fake-hardware', driverInfo: {}, driverInternalInfo: {}, instanceInfo: {},
    instanceUuid: null, properties: {}, extra: {}, chassisUuid: null, powerState: null, targetPowerState: null,
    provisionState: 'manageable', targetProvisionState: null, provisionUpdatedAt: null, lastError: null, maintenance: false,
    maintenanceReason: null, fault: null, reservation: null, consoleEnabled: false, inspectionStartedAt: null,
    inspectionFinishedAt: null, cleanStep: {}, deployStep: {}, serviceStep: {}, raidConfig: {}, targetRaidConfig: {},
    bootInterface: null, biosInterface: null, consoleInterface: null, deployInterface: null, firmwareInterface: null,
    inspectInterface: null, managementInterface: null, networkInterface: null, powerInterface: null, raidInterface: null,
    rescueInterface: null, storageInterface: null, vendorInterface: null, resourceClass: null, traits: [], conductorGroup: '',
    automatedClean: null, protected: false, protectedReason: null, owner: null, lessee: null, description: null,
    allocationUuid: null, retired: false, retiredReason: null, networkData: {}, bootMode: null, secureBoot: null, shard: null,
    parentNode: null, disablePowerOff: false, conductorAffinity: null, createdAt: new Date().toISOString(), updatedAt: null,
    ...overrides,
  };
}

export function testPort(nodeUuid: string, address: string, overrides: Partial<PortRecord> = {}): PortRecord {
  return {
    id: 1, uuid: randomUUID(), address, nodeUuid, extra: {}, internalInfo: {}, pxeEnabled: true, localLinkConnection: {},
    portgroupUuid: null, physicalNetwork: null, isSmartnic: false, name: null, createdAt: new Date().toISOString(), updatedAt: null,
    ...overrides,
  };
}

/** A DriverTask over fake power and management, with `boot` as the node's boot interface. */
export function testTask(opts: { node: NodeRecord; ports: readonly PortRecord[]; boot: BootInterface; env: DriverEnvironment; requestId?: string }): DriverTask {
  let node = opts.node;
  return {
    get node() {
      return node;
    },
    ports: opts.ports,
    env: opts.env,
    ...(opts.requestId ? { requestId: opts.requestId } : {}),
    driver: {
      power: () => FakePower,
      management: () => FakeManagement,
      boot: () => opts.boot,
      deploy: () => {
        throw new Error('boot tests use no deploy interface');
      },
    },
    async save(changes) {
      node = { ...node, ...changes };
      return node;
    },
  };
}
