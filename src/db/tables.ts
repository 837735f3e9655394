// The repository of each table: which columns are JSON, which are flags, which hold secrets.
import type { Store } from './database.js';
import { Repository } from './repository.js';
import type { ChassisRecord, ConductorRecord, NodeHistoryRecord, NodeRecord, PortgroupRecord, PortRecord } from './records.js';

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
});

export const portsRepo = (store: Store) => new Repository<PortRecord>(store, {
  table: 'ports',
  markerColumn: 'uuid',
  codec: { json: ['extra', 'internalInfo', 'localLinkConnection'], flags: ['pxeEnabled', 'isSmartnic'] },
  numbers: ['pxeEnabled', 'isSmartnic'],
});

export const portgroupsRepo = (store: Store) => new Repository<PortgroupRecord>(store, {
  table: 'portgroups',
  markerColumn: 'uuid',
  codec: { json: ['properties', 'extra', 'internalInfo'], flags: ['standalonePortsSupported'] },
  numbers: ['standalonePortsSupported'],
});

export const chassisRepo = (store: Store) => new Repository<ChassisRecord>(store, {
  table: 'chassis',
  markerColumn: 'uuid',
  codec: { json: ['extra'], flags: [] },
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

export interface Tables {
  readonly nodeHistory: Repository<NodeHistoryRecord>;
  readonly nodes: Repository<NodeRecord>;
  readonly ports: Repository<PortRecord>;
  readonly portgroups: Repository<PortgroupRecord>;
  readonly chassis: Repository<ChassisRecord>;
  readonly conductors: Repository<ConductorRecord>;
}

export function tables(store: Store): Tables {
  return { nodes: nodesRepo(store), ports: portsRepo(store), portgroups: portgroupsRepo(store),
    chassis: chassisRepo(store), conductors: conductorsRepo(store), nodeHistory: nodeHistoryRepo(store) };
}
