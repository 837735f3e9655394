// `baremetal port group list`: port groups, optionally of one node or MAC address.

import { Option, type Command } from 'commander';
import { parseFields, parseLimit } from '../../args.js';
import { buildQuery, fetchCollection, rowOf, sortItems } from '../../listing.js';
import { addListOutputOptions } from '../../output/options.js';
import { PORTGROUP_DETAILED, PORTGROUP_FIELD_CHOICES, PORTGROUP_LIST, columnsOf } from '../../resource-fields.js';
import type { Runtime } from '../../runtime.js';
import { printRows } from '../common.js';

interface PortGroupListOptions {
  limit?: string;
  marker?: string;
  sort?: string;
  address?: string;
  node?: string;
  long?: boolean;
  fields?: string[];
}

export function registerPortGroupList(group: Command, rt: Runtime): void {
  const cmd = group
    .command('list')
    .description('List baremetal port groups.')
    .option('--limit <limit>', 'Maximum number of port groups to return, 0 for no limit.')
    .option('--marker <port group>', 'Port group UUID after which to start the list.')
    .option('--sort <key>[:<direction>]', 'Sort output by port group fields and directions, comma separated.')
    .option('--address <mac-address>', 'Only show information for the port group with this MAC address.')
    .option('--node <node>', 'Only list port groups of this node (name or UUID).')
    .addOption(new Option('--long', 'Show detailed information about the port groups.').conflicts('fields'))
    .option('--fields <field...>', 'One or more port group fields. Only these fields will be fetched from the server.');
  addListOutputOptions(cmd, rt).action(async (opts: PortGroupListOptions, self: Command) => {
    const limit = parseLimit(opts.limit);
    const fields = parseFields(opts.fields, PORTGROUP_FIELD_CHOICES);
    const columns = opts.long ? PORTGROUP_DETAILED : fields ? columnsOf(fields) : PORTGROUP_LIST;
    const query = buildQuery([
      ['limit', limit && limit > 0 ? limit : undefined],
      ['marker', opts.marker],
      ['fields', fields?.join(',')],
      ['address', opts.address],
      ['node', opts.node],
    ]);
    const path = `/v1/portgroups${opts.long ? '/detail' : ''}${query}`;
    const items = sortItems(await fetchCollection(rt.client(self), path, 'portgroups', limit), opts.sort);
    printRows(rt, self, columns.labels, items.map((p) => rowOf(p, columns.fields)));
  });
}
