// The decoded shapes the conductor and API work with (camelCase, real booleans and objects).
export type Dict = Record<string, unknown>;

export interface NodeRecord {
  id: number;
  uuid: string;
  name: string | null;
  driver: string;
  driverInfo: Dict;
  driverInternalInfo: Dict;
  instanceInfo: Dict;
  instanceUuid: string | null;
  properties: Dict;
  extra: Dict;
  chassisUuid: string | null;
  powerState: string | null;
  targetPowerState: string | null;
  provisionState: string;
  targetProvisionState: string | null;
  provisionUpdatedAt: string | null;
  lastError: string | null;
  maintenance: boolean;
  maintenanceReason: string | null;
  fault: string | null;
  reservation: string | null;
  consoleEnabled: boolean;
  inspectionStartedAt: string | null;
  inspectionFinishedAt: string | null;
  cleanStep: Dict;
  deployStep: Dict;
  serviceStep: Dict;
  raidConfig: Dict;
  targetRaidConfig: Dict;
  bootInterface: string | null;
  biosInterface: string | null;
  consoleInterface: string | null;
  deployInterface: string | null;
  firmwareInterface: string | null;
  inspectInterface: string | null;
  managementInterface: string | null;
  networkInterface: string | null;
  powerInterface: string | null;
  raidInterface: string | null;
  rescueInterface: string | null;
  storageInterface: string | null;
  vendorInterface: string | null;
  resourceClass: string | null;
  traits: string[];
  conductorGroup: string;
  automatedClean: boolean | null;
  protected: boolean;
  protectedReason: string | null;
  owner: string | null;
  lessee: string | null;
  description: string | null;
  allocationUuid: string | null;
  retired: boolean;
  retiredReason: string | null;
  networkData: Dict;
  bootMode: string | null;
  secureBoot: boolean | null;
  shard: string | null;
  parentNode: string | null;
  disablePowerOff: boolean;
  conductorAffinity: string | null;
  createdAt: string;
  updatedAt: string | null;
}

export interface PortRecord {
  id: number;
  uuid: string;
  address: string;
  nodeUuid: string;
  extra: Dict;
  internalInfo: Dict;
  pxeEnabled: boolean;
  localLinkConnection: Dict;
  portgroupUuid: string | null;
  physicalNetwork: string | null;
  isSmartnic: boolean;
  name: string | null;
  createdAt: string;
  updatedAt: string | null;
}

export interface PortgroupRecord {
  id: number;
  uuid: string;
  name: string | null;
  address: string | null;
  nodeUuid: string;
  mode: string | null;
  properties: Dict;
  standalonePortsSupported: boolean;
  extra: Dict;
  internalInfo: Dict;
  createdAt: string;
  updatedAt: string | null;
}

export interface ChassisRecord {
  id: number;
  uuid: string;
  description: string | null;
  extra: Dict;
  createdAt: string;
  updatedAt: string | null;
}

export interface ConductorRecord {
  id: number;
  hostname: string;
  conductorGroup: string;
  online: boolean;
  drivers: string[];
  createdAt: string;
  updatedAt: string;
}

export interface NodeHistoryRecord {
  id: number;
  uuid: string;
  nodeUuid: string;
  severity: string;
  event: string;
  eventType: string | null;
  conductor: string | null;
  user: string | null;
  createdAt: string;
}
