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
  /** Row version, bumped by every update; not part of the API. */
  version?: number;
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
  /** Row version, bumped by every update (conductor/record-writes.ts); not part of the API. */
  version?: number;
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
  /** Row version, bumped by every update (conductor/record-writes.ts); not part of the API. */
  version?: number;
}

export interface ChassisRecord {
  id: number;
  uuid: string;
  description: string | null;
  extra: Dict;
  createdAt: string;
  updatedAt: string | null;
  /** Row version, bumped by every update (conductor/record-writes.ts); not part of the API. */
  version?: number;
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

export interface AllocationRecord {
  id: number;
  uuid: string;
  name: string | null;
  nodeUuid: string | null;
  /** allocating -> active | error */
  state: string;
  lastError: string | null;
  resourceClass: string | null;
  traits: string[];
  /** Node UUIDs (names are resolved when the allocation is created). */
  candidateNodes: string[];
  extra: Dict;
  owner: string | null;
  createdAt: string;
  updatedAt: string | null;
  /** Row version, bumped by every update (conductor/record-writes.ts); not part of the API. */
  version?: number;
}

export interface VolumeConnectorRecord {
  id: number;
  uuid: string;
  nodeUuid: string;
  type: string;
  connectorId: string;
  extra: Dict;
  createdAt: string;
  updatedAt: string | null;
  /** Row version, bumped by every update (conductor/record-writes.ts); not part of the API. */
  version?: number;
}

export interface VolumeTargetRecord {
  id: number;
  uuid: string;
  nodeUuid: string;
  volumeType: string;
  properties: Dict;
  bootIndex: number;
  volumeId: string;
  extra: Dict;
  createdAt: string;
  updatedAt: string | null;
  /** Row version, bumped by every update (conductor/record-writes.ts); not part of the API. */
  version?: number;
}

export interface DeployStep {
  interface: string;
  step: string;
  args: Dict;
  priority: number;
}

export interface DeployTemplateRecord {
  id: number;
  uuid: string;
  name: string;
  steps: DeployStep[];
  extra: Dict;
  description: string | null;
  createdAt: string;
  updatedAt: string | null;
  /** Row version, bumped by every update (conductor/record-writes.ts); not part of the API. */
  version?: number;
}

/** One cached BIOS setting of a node; the registry fields (API 1.74) are null when the BMC does not say. */
export interface BiosSettingRecord {
  id: number;
  nodeUuid: string;
  name: string;
  value: string | null;
  attributeType: string | null;
  allowableValues: string[] | null;
  lowerBound: number | null;
  maxLength: number | null;
  minLength: number | null;
  readOnly: boolean | null;
  resetRequired: boolean | null;
  unique: boolean | null;
  upperBound: number | null;
  createdAt: string;
  updatedAt: string | null;
}

/** What inspection recorded about a node (API 1.81): the agent's inventory and the plugin data. */
export interface NodeInventoryRecord {
  id: number;
  nodeUuid: string;
  inventoryData: Dict;
  pluginData: Dict;
  createdAt: string;
  updatedAt: string | null;
}

/** A firmware component of a node and its versions (API 1.86). */
export interface FirmwareComponentRecord {
  id: number;
  nodeUuid: string;
  component: string;
  initialVersion: string;
  currentVersion: string;
  lastVersionFlashed: string | null;
  createdAt: string;
  updatedAt: string | null;
}
