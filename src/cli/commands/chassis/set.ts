// `baremetal chassis set`: JSON Patch `add` ops on description and extra.

import type { Command } from 'commander';
import { argsToPatch, collect, dictPatch, type PatchOp } from '../../args.js';
import type { Runtime } from '../../runtime.js';
import { sendPatch } from '../common.js';
import { chassisPath } from './shared.js';

export function registerChassisSet(chassis: Command, rt: Runtime): void {
  chassis
    .command('set')
    .description('Set chassis properties.')
    .argument('<chassis>', 'UUID of the chassis')
    .option('--description <description>', 'Set the description of the chassis')
    .option('--extra <key=value>', 'Extra to set on this chassis (repeatable)', collect)
    .action(async (ident: string, opts: { description?: string; extra?: string[] }, self: Command) => {
      const ops: PatchOp[] = [];
      if (opts.description) ops.push(...argsToPatch('add', [`description=${opts.description}`]));
      ops.push(...dictPatch('add', 'extra', opts.extra));
      await sendPatch(rt, self, chassisPath(ident), ops, 'set');
    });
}
