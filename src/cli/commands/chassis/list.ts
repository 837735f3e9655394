// `baremetal chassis list`.

import { Option, type Command } from 'commander';
import { parseFields, parseLimit } from '../../args.js';
import { buildQuery, fetchCollection, rowOf, sortItems } from '../../listing.js';
import { addListOutputOptions } from '../../output/options.js';
import { CHASSIS_DETAILED, CHASSIS_LIST, columnsOf } from '../../resource-fields.js';
import type { Runtime } from '../../runtime.js';
import { printRows } from '../common.js';

interface ChassisListOptions {
  fields?: string[];
  limit?: string;
  long?: boolean;
  marker?: string;
  sort?: string;
}

export function registerChassisList(chassis: Command, rt: Runtime): void {
  const cmd = chassis
    .command('list')
    .description('List the chassis.')
    .option('--fields <field...>', 'One or more chassis fields. Only these fields will be fetched from the server.')
    .option('--limit <limit>', 'Maximum number of chassis to return, 0 for no limit.')
    .addOption(new Option('--long', 'Show detailed information about the chassis').conflicts('fields'))
    .option('--marker <chassis>', 'Chassis UUID after which to start the list.')
    .option('--sort <key>[:<direction>]', 'Sort output by chassis fields and directions, comma separated.');
  addListOutputOptions(cmd, rt).action(async (opts: ChassisListOptions, self: Command) => {
    const limit = parseLimit(opts.limit);
    const fields = parseFields(opts.fields, CHASSIS_DETAILED.fields);
    const columns = opts.long ? CHASSIS_DETAILED : fields ? columnsOf(fields) : CHASSIS_LIST;
    const query = buildQuery([
      ['limit', limit && limit > 0 ? limit : undefined],
      ['marker', opts.marker],
      ['fields', fields?.join(',')],
    ]);
    const path = `/v1/chassis${opts.long ? '/detail' : ''}${query}`;
    const items = sortItems(await fetchCollection(rt.client(self), path, 'chassis', limit), opts.sort);
    printRows(rt, self, columns.labels, items.map((c) => rowOf(c, columns.fields)));
  });
}
