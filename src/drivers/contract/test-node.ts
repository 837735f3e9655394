// A complete NodeRecord for driver tests, without a database: drivers only read the record they are given.
import { randomUUID } from 'node:crypto';
import { loadConfig, type Config } from '../../common/config.js';
import type { NodeRecord } from '../../db/records.js';

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
