// `baremetal chassis create`: POST /v1/chassis.

import type { Command } from 'commander';
import { collect, keyValuePairsToDict } from '../../args.js';
import type { JsonValue } from '../../output/python-repr.js';
import { addShowOutputOptions } from '../../output/options.js';
import type { Runtime } from '../../runtime.js';
import { printObject } from '../common.js';
import { CHASSIS_SHOW_DROP } from './shared.js';

export function registerChassisCreate(chassis: Command, rt: Runtime): void {
  const cmd = chassis
    .command('create')
    .description('Create a new chassis.')
    .option('--description <description>', 'Description for the chassis')
    .option('--extra <key=value>', 'Record arbitrary key/value metadata (repeatable).', collect)
    .option('--uuid <uuid>', 'Unique UUID of the chassis');
  addShowOutputOptions(cmd, rt).action(
    async (opts: { description?: string; extra?: string[]; uuid?: string }, self: Command) => {
      const body: Record<string, JsonValue> = {};
      if (opts.description !== undefined) body.description = opts.description;
      if (opts.extra && opts.extra.length > 0) body.extra = keyValuePairsToDict(opts.extra);
      if (opts.uuid !== undefined) body.uuid = opts.uuid;
      const { body: created } = await rt.client(self).post('/v1/chassis', body);
      printObject(rt, self, (created ?? {}) as Record<string, unknown>, CHASSIS_SHOW_DROP);
    },
  );
}
