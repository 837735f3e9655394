// `baremetal chassis show`: one chassis by UUID.

import type { Command } from 'commander';
import { parseFields } from '../../args.js';
import { buildQuery, fetchObject } from '../../listing.js';
import { addShowOutputOptions } from '../../output/options.js';
import { CHASSIS_DETAILED } from '../../resource-fields.js';
import type { Runtime } from '../../runtime.js';
import { printObject } from '../common.js';
import { CHASSIS_SHOW_DROP, chassisPath } from './shared.js';

export function registerChassisShow(chassis: Command, rt: Runtime): void {
  const cmd = chassis
    .command('show')
    .description('Show chassis details.')
    .argument('<chassis>', 'UUID of the chassis')
    .option('--fields <field...>', 'One or more chassis fields. Only these fields will be fetched from the server.');
  addShowOutputOptions(cmd, rt).action(async (ident: string, opts: { fields?: string[] }, self: Command) => {
    const fields = parseFields(opts.fields, CHASSIS_DETAILED.fields)?.join(',');
    const obj = await fetchObject(rt.client(self), chassisPath(ident, buildQuery([['fields', fields]])));
    printObject(rt, self, obj, CHASSIS_SHOW_DROP);
  });
}
