// `baremetal port unset`: remove port fields or `extra` keys.

import type { Command } from 'commander';
import { argsToPatch, collect, dictPatch, type PatchOp } from '../../args.js';
import type { Runtime } from '../../runtime.js';
import { sendPatch } from '../common.js';
import { portPath } from './shared.js';

interface PortUnsetOptions {
  extra?: string[];
  portGroup?: boolean;
  physicalNetwork?: boolean;
  isSmartnic?: boolean;
  name?: boolean;
}

export function registerPortUnset(port: Command, rt: Runtime): void {
  port
    .command('unset')
    .description('Unset baremetal port properties.')
    .argument('<port>', 'UUID of the port.')
    .option('--extra <key>', 'Extra to unset on this baremetal port (repeatable)', collect)
    .option('--port-group', 'Remove port from the port group')
    .option('--physical-network', 'Unset the physical network on this baremetal port.')
    .option('--is-smartnic', 'Set Port as not Smart NIC port')
    .option('--name', 'Unset the name of the port (API 1.88)')
    .action(async (ident: string, opts: PortUnsetOptions, self: Command) => {
      const ops: PatchOp[] = [...dictPatch('remove', 'extra', opts.extra)];
      if (opts.portGroup) ops.push(...argsToPatch('remove', ['portgroup_uuid']));
      if (opts.physicalNetwork) ops.push(...argsToPatch('remove', ['physical_network']));
      // "Unsetting" the flag means setting it back to False, as the stock client does.
      if (opts.isSmartnic) ops.push(...argsToPatch('add', ['is_smartnic=False']));
      if (opts.name) ops.push(...argsToPatch('remove', ['name']));
      await sendPatch(rt, self, portPath(ident), ops, 'unset');
    });
}
