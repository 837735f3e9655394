// `baremetal driver show`: one driver's hosts and default/enabled interfaces.

import type { Command } from 'commander';
import { parseFields } from '../../args.js';
import { buildQuery, commaLists, fetchObject, seg } from '../../listing.js';
import { addShowOutputOptions } from '../../output/options.js';
import { DRIVER_DETAILED } from '../../resource-fields.js';
import type { Runtime } from '../../runtime.js';
import { printObject } from '../common.js';

export function registerDriverShow(driver: Command, rt: Runtime): void {
  const cmd = driver
    .command('show')
    .description('Show information about a driver.')
    .argument('<driver>', 'Name of the driver.')
    .option('--fields <field...>', 'One or more driver fields. Only these fields will be fetched from the server.');
  addShowOutputOptions(cmd, rt).action(async (name: string, opts: { fields?: string[] }, self: Command) => {
    const fields = parseFields(opts.fields, DRIVER_DETAILED.fields)?.join(',');
    const obj = await fetchObject(rt.client(self), `/v1/drivers/${seg(name)}${buildQuery([['fields', fields]])}`);
    printObject(rt, self, commaLists(obj), ['links', 'properties']);
  });
}
