// `baremetal conductor list`.

import { Option, type Command } from 'commander';
import { parseFields, parseLimit } from '../../args.js';
import { buildQuery, fetchCollection, rowOf, sortItems } from '../../listing.js';
import { addListOutputOptions } from '../../output/options.js';
import { CONDUCTOR_DETAILED, CONDUCTOR_LIST, columnsOf } from '../../resource-fields.js';
import type { Runtime } from '../../runtime.js';
import { printRows } from '../common.js';

interface ConductorListOptions {
  limit?: string;
  marker?: string;
  sort?: string;
  long?: boolean;
  fields?: string[];
}

export function registerConductorList(conductor: Command, rt: Runtime): void {
  const cmd = conductor
    .command('list')
    .description('List baremetal conductors')
    .option('--limit <limit>', 'Maximum number of conductors to return, 0 for no limit.')
    .option('--marker <conductor>', 'Hostname of the conductor after which to start the list.')
    .option('--sort <key>[:<direction>]', 'Sort output by conductor fields and directions, comma separated.')
    .addOption(new Option('--long', 'Show detailed information about the conductors.').conflicts('fields'))
    .option('--fields <field...>', 'One or more conductor fields. Only these fields will be fetched from the server.');
  addListOutputOptions(cmd, rt).action(async (opts: ConductorListOptions, self: Command) => {
    const limit = parseLimit(opts.limit);
    const fields = parseFields(opts.fields, CONDUCTOR_DETAILED.fields);
    const columns = opts.long ? CONDUCTOR_DETAILED : fields ? columnsOf(fields) : CONDUCTOR_LIST;
    // Conductors take `detail` as a query parameter, not a /detail path.
    const query = buildQuery([
      ['limit', limit && limit > 0 ? limit : undefined],
      ['marker', opts.marker],
      ['fields', fields?.join(',')],
      ['detail', opts.long ? true : undefined],
    ]);
    const items = sortItems(await fetchCollection(rt.client(self), `/v1/conductors${query}`, 'conductors', limit), opts.sort);
    printRows(rt, self, columns.labels, items.map((c) => rowOf(c, columns.fields)));
  });
}
