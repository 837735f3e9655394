// Row types of every table, in the camelCase the rest of the code uses (the CamelCasePlugin maps them to
// snake_case columns). Dict/list columns hold JSON text; booleans are 0/1 integers so both dialects agree.
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

type Json = string;
type Flag = number;
type Timestamp = string; // ISO 8601 with +00:00, sorts as text

export interface NodesTable {
  id: Generated<number>;
  uuid: string;
  name: string | null;
  driver: string;
  driverInfo: Json;
  driverInternalInfo: Json;
  instanceInfo: Json;
  instanceUuid: string | null;
  properties: Json;
  extra: Json;
  chassisUuid: string | null;
  powerState: string | null;
  targetPowerState: string | null;
  provisionState: string;
  targetProvisionState: string | null;
  provisionUpdatedAt: Timestamp | null;
  lastError: string | null;
  maintenance: Flag;
  maintenanceReason: string | null;
  fault: string | null;
  reservation: string | null;
  consoleEnabled: Flag;
  inspectionStartedAt: Timestamp | null;
  inspectionFinishedAt: Timestamp | null;
  cleanStep: Json;
  deployStep: Json;
  serviceStep: Json;
  raidConfig: Json;
  targetRaidConfig: Json;
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
  traits: Json;
  conductorGroup: string;
  automatedClean: Flag | null;
  protected: Flag;
  protectedReason: string | null;
  owner: string | null;
  lessee: string | null;
  description: string | null;
  allocationUuid: string | null;
  retired: Flag;
  retiredReason: string | null;
  networkData: Json;
  bootMode: string | null;
  secureBoot: Flag | null;
  shard: string | null;
  parentNode: string | null;
  disablePowerOff: Flag;
  conductorAffinity: string | null;
  /** Bumped by every update (Repository spec `versioned`). */
  version: Generated<number>;
  createdAt: Timestamp;
  updatedAt: Timestamp | null;
}

export interface PortsTable {
  id: Generated<number>;
  uuid: string;
  address: string;
  nodeUuid: string;
  extra: Json;
  internalInfo: Json;
  pxeEnabled: Flag;
  localLinkConnection: Json;
  portgroupUuid: string | null;
  physicalNetwork: string | null;
  isSmartnic: Flag;
  name: string | null;
  createdAt: Timestamp;
  updatedAt: Timestamp | null;
}

export interface PortgroupsTable {
  id: Generated<number>;
  uuid: string;
  name: string | null;
  address: string | null;
  nodeUuid: string;
  mode: string | null;
  properties: Json;
  standalonePortsSupported: Flag;
  extra: Json;
  internalInfo: Json;
  createdAt: Timestamp;
  updatedAt: Timestamp | null;
}

export interface ChassisTable {
  id: Generated<number>;
  uuid: string;
  description: string | null;
  extra: Json;
  createdAt: Timestamp;
  updatedAt: Timestamp | null;
}

export interface ConductorsTable {
  id: Generated<number>;
  hostname: string;
  conductorGroup: string;
  online: Flag;
  drivers: Json;
  createdAt: Timestamp;
  updatedAt: ColumnType<Timestamp, Timestamp, Timestamp>;
}

export interface NodeHistoryTable {
  id: Generated<number>;
  uuid: string;
  nodeUuid: string;
  severity: string;
  event: string;
  eventType: string | null;
  conductor: string | null;
  user: string | null;
  createdAt: Timestamp;
}

export interface AllocationsTable {
  id: Generated<number>;
  uuid: string;
  name: string | null;
  nodeUuid: string | null;
  state: string;
  lastError: string | null;
  resourceClass: string | null;
  traits: Json;
  candidateNodes: Json;
  extra: Json;
  owner: string | null;
  createdAt: Timestamp;
  updatedAt: Timestamp | null;
}

export interface VolumeConnectorsTable {
  id: Generated<number>;
  uuid: string;
  nodeUuid: string;
  type: string;
  connectorId: string;
  extra: Json;
  createdAt: Timestamp;
  updatedAt: Timestamp | null;
}

export interface VolumeTargetsTable {
  id: Generated<number>;
  uuid: string;
  nodeUuid: string;
  volumeType: string;
  properties: Json;
  bootIndex: number;
  volumeId: string;
  extra: Json;
  createdAt: Timestamp;
  updatedAt: Timestamp | null;
}

export interface DeployTemplatesTable {
  id: Generated<number>;
  uuid: string;
  name: string;
  steps: Json;
  extra: Json;
  description: string | null;
  createdAt: Timestamp;
  updatedAt: Timestamp | null;
}

export interface Database {
  nodeHistory: NodeHistoryTable;
  nodes: NodesTable;
  ports: PortsTable;
  portgroups: PortgroupsTable;
  chassis: ChassisTable;
  conductors: ConductorsTable;
  allocations: AllocationsTable;
  volumeConnectors: VolumeConnectorsTable;
  volumeTargets: VolumeTargetsTable;
  deployTemplates: DeployTemplatesTable;
}

export type NodeRow = Selectable<NodesTable>;
export type NewNodeRow = Insertable<NodesTable>;
export type NodeRowUpdate = Updateable<NodesTable>;
export type PortRow = Selectable<PortsTable>;
export type PortgroupRow = Selectable<PortgroupsTable>;
export type ChassisRow = Selectable<ChassisTable>;
export type ConductorRow = Selectable<ConductorsTable>;

/** Timestamps the way Ironic prints them: microseconds and an explicit +00:00 offset. */
export function nowTimestamp(): Timestamp {
  return new Date().toISOString().replace(/\.(\d{3})Z$/, '.$1000+00:00');
}

// Node extras (migration 0004): cached BIOS settings, the stored inspection inventory, firmware components.
export interface BiosSettingsTable {
  id: Generated<number>;
  nodeUuid: string;
  name: string;
  value: string | null;
  attributeType: string | null;
  allowableValues: Json | null;
  lowerBound: number | null;
  maxLength: number | null;
  minLength: number | null;
  readOnly: Flag | null;
  resetRequired: Flag | null;
  unique: Flag | null;
  upperBound: number | null;
  createdAt: Timestamp;
  updatedAt: Timestamp | null;
}

export interface NodeInventoryTable {
  id: Generated<number>;
  nodeUuid: string;
  inventoryData: Json;
  pluginData: Json;
  createdAt: Timestamp;
  updatedAt: Timestamp | null;
}

export interface FirmwareComponentsTable {
  id: Generated<number>;
  nodeUuid: string;
  component: string;
  initialVersion: string;
  currentVersion: string;
  lastVersionFlashed: string | null;
  createdAt: Timestamp;
  updatedAt: Timestamp | null;
}

// Declaration merging adds the tables to `Database` without editing its body (other migrations append too).
export interface Database {
  biosSettings: BiosSettingsTable;
  nodeInventory: NodeInventoryTable;
  firmwareComponents: FirmwareComponentsTable;
}
