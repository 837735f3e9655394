// The repository of each table: which columns are JSON, which are flags, which hold secrets.
import type { Store } from './database.js';
import type { BiosSettingRecord, FirmwareComponentRecord, NodeInventoryRecord } from './records.js';
import { Repository } from './repository.js';
import type {
  AllocationRecord, ChassisRecord, ConductorRecord, DeployTemplateRecord, NodeHistoryRecord, NodeRecord, PortgroupRecord, PortRecord,
  VolumeConnectorRecord, VolumeTargetRecord,
} from './records.js';

export const nodesRepo = (store: Store) => new Repository<NodeRecord>(store, {
  table: 'nodes',
  markerColumn: 'uuid',
  codec: {
    json: ['driverInfo', 'driverInternalInfo', 'instanceInfo', 'properties', 'extra', 'cleanStep', 'deployStep',
      'serviceStep', 'raidConfig', 'targetRaidConfig', 'networkData', 'traits'],
    flags: ['maintenance', 'consoleEnabled', 'automatedClean', 'protected', 'retired', 'secureBoot', 'disablePowerOff'],
    sealed: ['driverInfo', 'driverInternalInfo', 'instanceInfo'],
  },
  numbers: ['maintenance', 'consoleEnabled', 'protected', 'retired', 'disablePowerOff'],
  nullableNumbers: ['automatedClean', 'secureBoot'],
  versioned: true,
});

export const portsRepo = (store: Store) => new Repository<PortRecord>(store, {
  table: 'ports',
  markerColumn: 'uuid',
  codec: { json: ['extra', 'internalInfo', 'localLinkConnection'], flags: ['pxeEnabled', 'isSmartnic'] },
  numbers: ['pxeEnabled', 'isSmartnic'],
  versioned: true,
});

export const portgroupsRepo = (store: Store) => new Repository<PortgroupRecord>(store, {
  table: 'portgroups',
  markerColumn: 'uuid',
  codec: { json: ['properties', 'extra', 'internalInfo'], flags: ['standalonePortsSupported'] },
  numbers: ['standalonePortsSupported'],
  versioned: true,
});

export const chassisRepo = (store: Store) => new Repository<ChassisRecord>(store, {
  table: 'chassis',
  markerColumn: 'uuid',
  codec: { json: ['extra'], flags: [] },
  versioned: true,
});

export const conductorsRepo = (store: Store) => new Repository<ConductorRecord>(store, {
  table: 'conductors',
  markerColumn: 'hostname',
  codec: { json: ['drivers'], flags: ['online'] },
  numbers: ['online'],
});

export const nodeHistoryRepo = (store: Store) => new Repository<NodeHistoryRecord>(store, {
  table: 'nodeHistory',
  markerColumn: 'uuid',
  codec: { json: [], flags: [] },
});

export const allocationsRepo = (store: Store) => new Repository<AllocationRecord>(store, {
  table: 'allocations',
  markerColumn: 'uuid',
  codec: { json: ['traits', 'candidateNodes', 'extra'], flags: [] },
  versioned: true,
});

export const volumeConnectorsRepo = (store: Store) => new Repository<VolumeConnectorRecord>(store, {
  table: 'volumeConnectors',
  markerColumn: 'uuid',
  codec: { json: ['extra'], flags: [] },
  versioned: true,
});

export const volumeTargetsRepo = (store: Store) => new Repository<VolumeTargetRecord>(store, {
  table: 'volumeTargets',
  markerColumn: 'uuid',
  codec: { json: ['properties', 'extra'], flags: [] },
  numbers: ['bootIndex'],
  versioned: true,
});

export const deployTemplatesRepo = (store: Store) => new Repository<DeployTemplateRecord>(store, {
  table: 'deployTemplates',
  markerColumn: 'uuid',
  codec: { json: ['steps', 'extra'], flags: [] },
  versioned: true,
});

export interface Tables {
  readonly nodeHistory: Repository<NodeHistoryRecord>;
  readonly nodes: Repository<NodeRecord>;
  readonly ports: Repository<PortRecord>;
  readonly portgroups: Repository<PortgroupRecord>;
  readonly chassis: Repository<ChassisRecord>;
  readonly conductors: Repository<ConductorRecord>;
  readonly allocations: Repository<AllocationRecord>;
  readonly volumeConnectors: Repository<VolumeConnectorRecord>;
  readonly volumeTargets: Repository<VolumeTargetRecord>;
  readonly deployTemplates: Repository<DeployTemplateRecord>;
}

export function tables(store: Store): Tables {
  return { nodes: nodesRepo(store), ports: portsRepo(store), portgroups: portgroupsRepo(store),
    chassis: chassisRepo(store), conductors: conductorsRepo(store), nodeHistory: nodeHistoryRepo(store),
    allocations: allocationsRepo(store), volumeConnectors: volumeConnectorsRepo(store), volumeTargets: volumeTargetsRepo(store),
    deployTemplates: deployTemplatesRepo(store),
    ...nodeExtrasRepos(store),
  };
}

// Node extras (migration 0004). Rows are keyed by node UUID and removed with the node.
export const biosSettingsRepo = (store: Store) => new Repository<BiosSettingRecord>(store, {
  table: 'biosSettings',
  markerColumn: 'name',
  codec: { json: ['allowableValues'], flags: ['readOnly', 'resetRequired', 'unique'] },
});

export const nodeInventoryRepo = (store: Store) => new Repository<NodeInventoryRecord>(store, {
  table: 'nodeInventory',
  markerColumn: 'nodeUuid',
  codec: { json: ['inventoryData', 'pluginData'], flags: [] },
});

export const firmwareComponentsRepo = (store: Store) => new Repository<FirmwareComponentRecord>(store, {
  table: 'firmwareComponents',
  markerColumn: 'component',
  codec: { json: [], flags: [] },
});

// Declaration merging: the node-extras repositories join `Tables` without editing its body.
export interface Tables {
  readonly biosSettings: Repository<BiosSettingRecord>;
  readonly nodeInventory: Repository<NodeInventoryRecord>;
  readonly firmwareComponents: Repository<FirmwareComponentRecord>;
}

function nodeExtrasRepos(store: Store) {
  return { biosSettings: biosSettingsRepo(store), nodeInventory: nodeInventoryRepo(store), firmwareComponents: firmwareComponentsRepo(store) };
}
