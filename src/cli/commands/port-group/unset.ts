// `baremetal port group unset`: remove port group fields or dict keys.

import type { Command } from 'commander';
import { argsToPatch, collect, dictPatch, type PatchOp } from '../../args.js';
import type { Runtime } from '../../runtime.js';
import { sendPatch } from '../common.js';
import { portgroupPath } from './shared.js';

interface PortGroupUnsetOptions {
  name?: boolean;
  address?: boolean;
  extra?: string[];
  property?: string[];
}

export function registerPortGroupUnset(group: Command, rt: Runtime): void {
  group
    .command('unset')
    .description('Unset baremetal port group properties.')
    .argument('<port group>', 'Name or UUID of the port group.')
    .option('--name', 'Unset the name of the port group.')
    .option('--address', 'Unset the address of the port group.')
    .option('--extra <key>', 'Extra to unset on this baremetal port group (repeatable).', collect)
    .option('--property <key>', 'Property to unset on this baremetal port group (repeatable).', collect)
    .action(async (ident: string, opts: PortGroupUnsetOptions, self: Command) => {
      const ops: PatchOp[] = [];
      if (opts.name) ops.push(...argsToPatch('remove', ['name']));
      if (opts.address) ops.push(...argsToPatch('remove', ['address']));
      ops.push(...dictPatch('remove', 'extra', opts.extra));
      ops.push(...dictPatch('remove', 'properties', opts.property));
      await sendPatch(rt, self, portgroupPath(ident), ops, 'unset');
    });
}
