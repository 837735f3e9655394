// `baremetal port group set`: change port group fields with JSON Patch `add` ops.

import { Option, type Command } from 'commander';
import { argsToPatch, collect, dictPatch, type PatchOp } from '../../args.js';
import type { Runtime } from '../../runtime.js';
import { sendPatch } from '../common.js';
import { portgroupPath } from './shared.js';

interface PortGroupSetOptions {
  node?: string;
  address?: string;
  name?: string;
  extra?: string[];
  mode?: string;
  property?: string[];
  supportStandalonePorts?: boolean;
  unsupportStandalonePorts?: boolean;
}

export function registerPortGroupSet(group: Command, rt: Runtime): void {
  group
    .command('set')
    .description('Set baremetal port group properties.')
    .argument('<port group>', 'Name or UUID of the port group.')
    .option('--node <uuid>', 'Update UUID of the node that this port group belongs to.')
    .option('--address <mac-address>', 'MAC address for this port group.')
    .option('--name <name>', 'Name of the port group.')
    .option('--extra <key=value>', 'Extra to set on this baremetal port group (repeatable).', collect)
    .option('--mode <mode>', 'Mode of the port group (bonding mode).')
    .option('--property <key=value>', 'Key/value property related to the port group configuration (repeatable).', collect)
    .addOption(
      new Option('--support-standalone-ports', 'Ports of this port group can be used as stand-alone ports.')
        .conflicts('unsupportStandalonePorts'),
    )
    .option('--unsupport-standalone-ports', 'Ports of this port group cannot be used as stand-alone ports.')
    .action(async (ident: string, opts: PortGroupSetOptions, self: Command) => {
      const ops: PatchOp[] = [];
      const add = (field: string, value: string | undefined): void => {
        if (value) ops.push(...argsToPatch('add', [`${field}=${value}`]));
      };
      add('node_uuid', opts.node);
      add('address', opts.address);
      add('name', opts.name);
      if (opts.supportStandalonePorts) add('standalone_ports_supported', 'True');
      if (opts.unsupportStandalonePorts) add('standalone_ports_supported', 'False');
      // Quoted so a numeric-looking mode (e.g. "4") stays a string after JSON decoding.
      if (opts.mode) add('mode', JSON.stringify(opts.mode));
      ops.push(...dictPatch('add', 'extra', opts.extra));
      ops.push(...dictPatch('add', 'properties', opts.property));
      await sendPatch(rt, self, portgroupPath(ident), ops, 'set');
    });
}
