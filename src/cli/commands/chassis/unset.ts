// `baremetal chassis unset`: JSON Patch `remove` ops on description and extra keys.

import type { Command } from 'commander';
import { argsToPatch, collect, dictPatch, type PatchOp } from '../../args.js';
import type { Runtime } from '../../runtime.js';
import { sendPatch } from '../common.js';
import { chassisPath } from './shared.js';

export function registerChassisUnset(chassis: Command, rt: Runtime): void {
  chassis
    .command('unset')
    .description('Unset chassis properties.')
    .argument('<chassis>', 'UUID of the chassis')
    .option('--description', 'Clear the chassis description')
    .option('--extra <key>', 'Extra to unset on this chassis (repeatable)', collect)
    .action(async (ident: string, opts: { description?: boolean; extra?: string[] }, self: Command) => {
      const ops: PatchOp[] = [];
      if (opts.description) ops.push(...argsToPatch('remove', ['description']));
      ops.push(...dictPatch('remove', 'extra', opts.extra));
      await sendPatch(rt, self, chassisPath(ident), ops, 'unset');
    });
}
