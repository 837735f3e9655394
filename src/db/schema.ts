// Row types of every table, derived from the record types (records.ts) so a column is declared once: in the
// database, dict/list fields are JSON text and booleans 0/1 integers, so both dialects agree. Names are the
// camelCase the code uses; the CamelCasePlugin maps them to snake_case columns.
import type { Generated } from 'kysely';
import type {
  AllocationRecord, BiosSettingRecord, ChassisRecord, ConductorRecord, DeployTemplateRecord, FirmwareComponentRecord,
  NodeHistoryRecord, NodeInventoryRecord, NodeRecord, PortgroupRecord, PortRecord, VolumeConnectorRecord, VolumeTargetRecord,
} from './records.js';

type Timestamp = string; // ISO 8601 with +00:00, sorts as text

/** Stored form of a record value: objects and arrays as JSON text, booleans as 0/1 (distributes over null). */
type Column<V> = V extends boolean ? number : V extends object ? string : V;

/** Table row of a record: `id` and `version` are filled in by the database. */
export type TableOf<R> = {
  [K in keyof R]-?: K extends 'id' | 'version' ? Generated<number> : Column<R[K]>;
};

export interface Database {
  nodes: TableOf<NodeRecord>;
  nodeHistory: TableOf<NodeHistoryRecord>;
  ports: TableOf<PortRecord>;
  portgroups: TableOf<PortgroupRecord>;
  chassis: TableOf<ChassisRecord>;
  conductors: TableOf<ConductorRecord>;
  allocations: TableOf<AllocationRecord>;
  volumeConnectors: TableOf<VolumeConnectorRecord>;
  volumeTargets: TableOf<VolumeTargetRecord>;
  deployTemplates: TableOf<DeployTemplateRecord>;
  biosSettings: TableOf<BiosSettingRecord>;
  nodeInventory: TableOf<NodeInventoryRecord>;
  firmwareComponents: TableOf<FirmwareComponentRecord>;
}

/** Timestamps the way Ironic prints them: microseconds and an explicit +00:00 offset. */
export function nowTimestamp(): Timestamp {
  return new Date().toISOString().replace(/\.(\d{3})Z$/, '.$1000+00:00');
}
