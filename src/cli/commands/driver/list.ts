// `baremetal driver list`: enabled drivers (hardware types) and the conductors serving them.

import { Option, type Command } from 'commander';
import { parseFields } from '../../args.js';
import { buildQuery, commaLists, fetchCollection, rowOf } from '../../listing.js';
import { addListOutputOptions } from '../../output/options.js';
import { DRIVER_DETAILED, DRIVER_LIST, columnsOf } from '../../resource-fields.js';
import type { Runtime } from '../../runtime.js';
import { printRows } from '../common.js';

export function registerDriverList(driver: Command, rt: Runtime): void {
  const cmd = driver
    .command('list')
    .description('List the enabled drivers.')
    .addOption(new Option('--type <type>', 'Type of driver ("classic" or "dynamic").').choices(['classic', 'dynamic']))
    .addOption(new Option('--long', 'Show detailed information about the drivers.').conflicts('fields'))
    .option('--fields <field...>', 'One or more driver fields. Only these fields will be fetched from the server.');
  addListOutputOptions(cmd, rt).action(async (opts: { type?: string; long?: boolean; fields?: string[] }, self: Command) => {
    const fields = parseFields(opts.fields, DRIVER_DETAILED.fields);
    // `--fields name` gets the generic "Name" header, unlike the default listing.
    const columns = opts.long ? DRIVER_DETAILED : fields ? columnsOf(fields) : DRIVER_LIST;
    const query = buildQuery([
      ['type', opts.type],
      ['detail', opts.long ? true : undefined],
      ['fields', fields?.join(',')],
    ]);
    const drivers = await fetchCollection(rt.client(self), `/v1/drivers${query}`, 'drivers', undefined);
    const name = (d: Record<string, unknown>): string => String(d.name ?? '');
    const sorted = [...drivers].sort((a, b) => (name(a) < name(b) ? -1 : name(a) > name(b) ? 1 : 0));
    printRows(rt, self, columns.labels, sorted.map((d) => rowOf(commaLists(d), columns.fields)));
  });
}
