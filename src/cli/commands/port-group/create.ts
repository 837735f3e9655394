// `baremetal port group create`: POST /v1/portgroups.

import { Option, type Command } from 'commander';
import { collect, keyValuePairsToDict } from '../../args.js';
import type { JsonValue } from '../../output/python-repr.js';
import { addShowOutputOptions } from '../../output/options.js';
import { PORTGROUP_DETAILED } from '../../resource-fields.js';
import type { Runtime } from '../../runtime.js';
import { printObject, withFields } from '../common.js';

interface PortGroupCreateOptions {
  node: string;
  address?: string;
  name?: string;
  uuid?: string;
  extra?: string[];
  mode?: string;
  property?: string[];
  supportStandalonePorts?: boolean;
  unsupportStandalonePorts?: boolean;
}

export function registerPortGroupCreate(group: Command, rt: Runtime): void {
  const cmd = group
    .command('create')
    .description('Create a new baremetal port group.')
    .requiredOption('--node <uuid>', 'UUID of the node that this port group belongs to.')
    .option('--address <mac-address>', 'MAC address for this port group.')
    .option('--name <name>', 'Name of the port group.')
    .option('--uuid <uuid>', 'UUID of the port group.')
    .option('--extra <key=value>', 'Record arbitrary key/value metadata (repeatable).', collect)
    .option('--mode <mode>', 'Mode of the port group (bonding mode).')
    .option('--property <key=value>', 'Key/value property related to the port group configuration (repeatable).', collect)
    .addOption(
      new Option('--support-standalone-ports', 'Ports of this port group can be used as stand-alone ports (default)')
        .conflicts('unsupportStandalonePorts'),
    )
    .option('--unsupport-standalone-ports', 'Ports of this port group cannot be used as stand-alone ports.');
  addShowOutputOptions(cmd, rt).action(async (opts: PortGroupCreateOptions, self: Command) => {
    const body: Record<string, JsonValue> = { node_uuid: opts.node };
    if (opts.address !== undefined) body.address = opts.address;
    if (opts.name !== undefined) body.name = opts.name;
    if (opts.uuid !== undefined) body.uuid = opts.uuid;
    if (opts.extra && opts.extra.length > 0) body.extra = keyValuePairsToDict(opts.extra);
    if (opts.mode !== undefined) body.mode = opts.mode;
    if (opts.property && opts.property.length > 0) body.properties = keyValuePairsToDict(opts.property);
    if (opts.supportStandalonePorts) body.standalone_ports_supported = true;
    if (opts.unsupportStandalonePorts) body.standalone_ports_supported = false;
    const { body: created } = await rt.client(self).post('/v1/portgroups', body);
    printObject(rt, self, withFields(created, PORTGROUP_DETAILED.fields));
  });
}
