// `baremetal port set`: change port fields with JSON Patch `add` ops.

import { Option, type Command } from 'commander';
import { argsToPatch, collect, dictPatch, type PatchOp } from '../../args.js';
import type { Runtime } from '../../runtime.js';
import { sendPatch } from '../common.js';
import { portPath } from './shared.js';

interface PortSetOptions {
  node?: string;
  address?: string;
  name?: string;
  extra?: string[];
  portGroup?: string;
  localLinkConnection?: string[];
  pxeEnabled?: boolean;
  pxeDisabled?: boolean;
  physicalNetwork?: string;
  isSmartnic?: boolean;
}

export function registerPortSet(port: Command, rt: Runtime): void {
  port
    .command('set')
    .description('Set baremetal port properties.')
    .argument('<port>', 'UUID of the port')
    .option('--node <uuid>', 'Set UUID of the node that this port belongs to')
    .option('--address <address>', 'Set MAC address for this port')
    .option('--name <name>', 'Set the name of the port (API 1.88)')
    .option('--extra <key=value>', 'Extra to set on this baremetal port (repeatable)', collect)
    .option('--port-group <uuid>', 'Set UUID of the port group that this port belongs to.')
    .option('--local-link-connection <key=value>', 'Local link connection information (repeatable).', collect)
    .addOption(new Option('--pxe-enabled', 'Indicates that this port should be used when PXE booting').conflicts('pxeDisabled'))
    .option('--pxe-disabled', 'Indicates that this port should not be used when PXE booting')
    .option('--physical-network <physical network>', 'Set the name of the physical network this port is connected to.')
    .option('--is-smartnic', 'Set port to be Smart NIC port')
    .action(async (ident: string, opts: PortSetOptions, self: Command) => {
      const ops: PatchOp[] = [];
      const add = (field: string, value: string | undefined): void => {
        if (value) ops.push(...argsToPatch('add', [`${field}=${value}`]));
      };
      add('node_uuid', opts.node);
      add('address', opts.address);
      ops.push(...dictPatch('add', 'extra', opts.extra));
      add('portgroup_uuid', opts.portGroup);
      ops.push(...dictPatch('add', 'local_link_connection', opts.localLinkConnection));
      // Booleans travel as the text True/False, exactly as the stock client sends them.
      if (opts.pxeEnabled) add('pxe_enabled', 'True');
      if (opts.pxeDisabled) add('pxe_enabled', 'False');
      add('physical_network', opts.physicalNetwork);
      if (opts.isSmartnic) add('is_smartnic', 'True');
      add('name', opts.name);
      await sendPatch(rt, self, portPath(ident), ops, 'set');
    });
}
