// `baremetal conductor show`: one conductor by hostname.

import type { Command } from 'commander';
import { parseFields } from '../../args.js';
import { buildQuery, fetchObject, seg } from '../../listing.js';
import { addShowOutputOptions } from '../../output/options.js';
import { CONDUCTOR_DETAILED } from '../../resource-fields.js';
import type { Runtime } from '../../runtime.js';
import { printObject } from '../common.js';

export function registerConductorShow(conductor: Command, rt: Runtime): void {
  const cmd = conductor
    .command('show')
    .description('Show baremetal conductor details')
    .argument('<conductor>', 'Hostname of the conductor')
    .option('--fields <field...>', 'One or more conductor fields. Only these fields will be fetched from the server.');
  addShowOutputOptions(cmd, rt).action(async (host: string, opts: { fields?: string[] }, self: Command) => {
    const fields = parseFields(opts.fields, CONDUCTOR_DETAILED.fields)?.join(',');
    const obj = await fetchObject(rt.client(self), `/v1/conductors/${seg(host)}${buildQuery([['fields', fields]])}`);
    printObject(rt, self, obj, ['links']);
  });
}
