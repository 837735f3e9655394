// Which fields each `list`/`show` command displays and the column headers the stock client gives
// them (python-ironicclient 5.x), so tables and `-f json` keys match it.

const LABELS: Readonly<Record<string, string>> = {
  boot_index: 'Boot Index', volume_id: 'Volume ID', volume_type: 'Driver Volume Type', connector_id: 'Connector ID', candidate_nodes: 'Candidate Nodes', state: 'State', steps: 'Steps',
  address: 'Address', alive: 'Alive', allocation_uuid: 'Allocation UUID', automated_clean: 'Automated Clean',
  boot_mode: 'Boot Mode', chassis_uuid: 'Chassis UUID', clean_step: 'Clean Step', conductor: 'Conductor',
  conductor_group: 'Conductor Group', console_enabled: 'Console Enabled', created_at: 'Created At',
  deploy_step: 'Deploy Step', description: 'Description', driver: 'Driver', driver_info: 'Driver Info',
  driver_internal_info: 'Driver Internal Info', drivers: 'Drivers', extra: 'Extra', fault: 'Fault',
  hostname: 'Hostname', hosts: 'Active host(s)', inspection_finished_at: 'Inspection Finished At',
  inspection_started_at: 'Inspection Started At', instance_info: 'Instance Info', instance_uuid: 'Instance UUID',
  internal_info: 'Internal Info', is_smartnic: 'Is Smart NIC port', last_error: 'Last Error', lessee: 'Lessee',
  local_link_connection: 'Local Link Connection', maintenance: 'Maintenance',
  maintenance_reason: 'Maintenance Reason', mode: 'Mode', name: 'Name', network_data: 'Network Configuration',
  node_uuid: 'Node UUID', owner: 'Owner', physical_network: 'Physical Network', portgroup_uuid: 'Portgroup UUID',
  power_state: 'Power State', properties: 'Properties', protected: 'Protected', protected_reason: 'Protected Reason',
  provision_state: 'Provisioning State', provision_updated_at: 'Provision Updated At',
  pxe_enabled: 'PXE boot enabled', raid_config: 'Current RAID configuration', reservation: 'Reservation',
  resource_class: 'Resource Class', retired: 'Retired', retired_reason: 'Retired Reason', secure_boot: 'Secure Boot',
  standalone_ports_supported: 'Standalone Ports Supported', target_power_state: 'Target Power State',
  target_provision_state: 'Target Provision State', target_raid_config: 'Target RAID configuration',
  traits: 'Traits', type: 'Type', updated_at: 'Updated At', uuid: 'UUID',
  // Fields newer than python-ironicclient 5.0 (API 1.78); labels follow the same pattern.
  shard: 'Shard', parent_node: 'Parent Node', firmware_interface: 'Firmware Interface',
  service_step: 'Service Step', disable_power_off: 'Disable Power Off', instance_name: 'Instance Name',
  health: 'Health', category: 'Category', vendor: 'Vendor',
};

const KIND_LABELS: Readonly<Record<string, string>> = {
  bios: 'BIOS', boot: 'Boot', console: 'Console', deploy: 'Deploy', inspect: 'Inspect', management: 'Management',
  network: 'Network', power: 'Power', raid: 'RAID', rescue: 'Rescue', storage: 'Storage', vendor: 'Vendor',
};

/** Driver interface kinds a node can override, in the order ironicclient lists them. */
export const INTERFACE_KINDS = Object.keys(KIND_LABELS);

/** Column header for a field name. */
export function labelFor(field: string): string {
  const direct = LABELS[field];
  if (direct !== undefined) return direct;
  const iface = /^(default_|enabled_)?([a-z]+)_interfaces?$/.exec(field);
  const kind = iface?.[2] !== undefined ? KIND_LABELS[iface[2]] : undefined;
  if (iface && kind !== undefined) {
    if (iface[1] === 'default_') return `Default ${kind} Interface`;
    if (iface[1] === 'enabled_') return `Enabled ${kind} Interfaces`;
    return `${kind} Interface`;
  }
  return field;
}

export interface ResourceColumns {
  readonly fields: readonly string[];
  readonly labels: readonly string[];
}

export function columnsOf(fields: readonly string[], overrides: Readonly<Record<string, string>> = {}): ResourceColumns {
  return { fields, labels: fields.map((f) => overrides[f] ?? labelFor(f)) };
}

export const NODE_LIST = columnsOf(['uuid', 'name', 'instance_uuid', 'power_state', 'provision_state', 'maintenance']);

export const NODE_DETAILED = columnsOf([
  'allocation_uuid', 'automated_clean', 'bios_interface', 'boot_interface', 'boot_mode', 'chassis_uuid',
  'clean_step', 'conductor', 'conductor_group', 'console_enabled', 'console_interface', 'created_at',
  'raid_config', 'deploy_interface', 'deploy_step', 'description', 'driver', 'driver_info',
  'driver_internal_info', 'extra', 'fault', 'inspect_interface', 'inspection_finished_at',
  'inspection_started_at', 'instance_info', 'instance_uuid', 'last_error', 'lessee', 'maintenance',
  'maintenance_reason', 'management_interface', 'name', 'network_data', 'network_interface', 'owner',
  'power_interface', 'power_state', 'properties', 'protected', 'protected_reason', 'provision_updated_at',
  'provision_state', 'raid_interface', 'rescue_interface', 'reservation', 'resource_class', 'retired',
  'retired_reason', 'secure_boot', 'storage_interface', 'target_power_state', 'target_provision_state',
  'target_raid_config', 'traits', 'uuid', 'updated_at', 'vendor_interface',
]);

/** Names `--fields` accepts for nodes: the detailed set plus fields of newer API versions. */
export const NODE_FIELD_CHOICES = [
  ...NODE_DETAILED.fields,
  'shard', 'parent_node', 'firmware_interface', 'service_step', 'disable_power_off', 'instance_name', 'health',
];

export const PORT_LIST = columnsOf(['uuid', 'address']);

export const PORT_DETAILED = columnsOf([
  'uuid', 'address', 'created_at', 'extra', 'node_uuid', 'local_link_connection', 'portgroup_uuid',
  'pxe_enabled', 'physical_network', 'updated_at', 'internal_info', 'is_smartnic',
]);

export const PORT_FIELD_CHOICES = [...PORT_DETAILED.fields, 'name', 'description', 'vendor', 'category'];

export const PORTGROUP_LIST = columnsOf(['uuid', 'address', 'name']);

export const PORTGROUP_DETAILED = columnsOf([
  'uuid', 'address', 'created_at', 'extra', 'standalone_ports_supported', 'node_uuid', 'name', 'updated_at',
  'internal_info', 'mode', 'properties',
]);

export const PORTGROUP_FIELD_CHOICES = [...PORTGROUP_DETAILED.fields, 'physical_network', 'category'];

export const ALLOCATION_LIST = columnsOf(['uuid', 'name', 'resource_class', 'state', 'node_uuid']);

export const ALLOCATION_DETAILED = columnsOf([
  'uuid', 'name', 'state', 'owner', 'node_uuid', 'last_error', 'resource_class', 'traits', 'candidate_nodes', 'extra',
  'created_at', 'updated_at',
]);

export const DEPLOY_TEMPLATE_LIST = columnsOf(['uuid', 'name']);

export const DEPLOY_TEMPLATE_DETAILED = columnsOf(['uuid', 'name', 'steps', 'extra', 'created_at', 'updated_at']);

export const VOLUME_CONNECTOR_LIST = columnsOf(['uuid', 'node_uuid', 'type', 'connector_id']);

export const VOLUME_CONNECTOR_DETAILED = columnsOf(['uuid', 'node_uuid', 'type', 'connector_id', 'extra', 'created_at', 'updated_at']);

export const VOLUME_TARGET_LIST = columnsOf(['uuid', 'node_uuid', 'volume_type', 'boot_index', 'volume_id']);

export const VOLUME_TARGET_DETAILED = columnsOf([
  'uuid', 'node_uuid', 'volume_type', 'properties', 'boot_index', 'extra', 'volume_id', 'created_at', 'updated_at',
]);

export const CHASSIS_LIST = columnsOf(['uuid', 'description']);

export const CHASSIS_DETAILED = columnsOf(['uuid', 'description', 'created_at', 'updated_at', 'extra']);

const DRIVER_NAME_LABEL = { name: 'Supported driver(s)' };

export const DRIVER_LIST = columnsOf(['name', 'hosts'], DRIVER_NAME_LABEL);

export const DRIVER_DETAILED = columnsOf(
  [
    'name', 'type', 'hosts',
    ...INTERFACE_KINDS.map((k) => `default_${k}_interface`),
    ...INTERFACE_KINDS.map((k) => `enabled_${k}_interfaces`),
  ],
  DRIVER_NAME_LABEL,
);

export const CONDUCTOR_LIST = columnsOf(['hostname', 'conductor_group', 'alive']);

export const CONDUCTOR_DETAILED = columnsOf(['hostname', 'conductor_group', 'alive', 'drivers', 'created_at', 'updated_at']);
