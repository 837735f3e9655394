// `baremetal allocation set|unset`: name and extra, the fields Ironic lets an allocation change (1.57).

import type { Command } from 'commander';
import { argsToPatch, collect, dictPatch, type PatchOp } from '../../args.js';
import type { Runtime } from '../../runtime.js';
import { sendPatch } from '../common.js';
import { allocationPath } from './shared.js';

export function registerAllocationChange(group: Command, rt: Runtime): void {
  group
    .command('set')
    .description('Set baremetal allocation properties.')
    .argument('<allocation>', 'Name or UUID of the allocation')
    .option('--name <name>', 'Set the name of the allocation')
    .option('--extra <key=value>', 'Extra property to set on this allocation (repeat option to set multiple extra properties)', collect)
    .action(async (ident: string, opts: { name?: string; extra?: string[] }, self: Command) => {
      const ops: PatchOp[] = [];
      if (opts.name) ops.push(...argsToPatch('add', [`name=${opts.name}`]));
      ops.push(...dictPatch('add', 'extra', opts.extra));
      await sendPatch(rt, self, allocationPath(ident), ops, 'set');
    });

  group
    .command('unset')
    .description('Unset baremetal allocation properties.')
    .argument('<allocation>', 'Name or UUID of the allocation')
    .option('--name', 'Unset the name of the allocation')
    .option('--extra <key>', 'Extra property to unset on this baremetal allocation (repeat option to unset multiple extra property)', collect)
    .action(async (ident: string, opts: { name?: boolean; extra?: string[] }, self: Command) => {
      const ops: PatchOp[] = [];
      if (opts.name) ops.push(...argsToPatch('remove', ['name']));
      ops.push(...dictPatch('remove', 'extra', opts.extra));
      await sendPatch(rt, self, allocationPath(ident), ops, 'unset');
    });
}
