// `baremetal port list`: ports, optionally of one node, port group or MAC address.

import { Option, type Command } from 'commander';
import { parseFields, parseLimit } from '../../args.js';
import { buildQuery, fetchCollection, formatDict, rowOf, sortItems } from '../../listing.js';
import { addListOutputOptions } from '../../output/options.js';
import { PORT_DETAILED, PORT_FIELD_CHOICES, PORT_LIST, columnsOf } from '../../resource-fields.js';
import type { Runtime } from '../../runtime.js';
import { printRows } from '../common.js';

interface PortListOptions {
  address?: string;
  node?: string;
  portGroup?: string;
  limit?: string;
  marker?: string;
  sort?: string;
  long?: boolean;
  fields?: string[];
}

export function registerPortList(port: Command, rt: Runtime): void {
  const cmd = port
    .command('list')
    .description('List baremetal ports.')
    .option('--address <mac-address>', 'Only show information for the port with this MAC address.')
    .option('--node <node>', 'Only list ports of this node (name or UUID).')
    .option('--port-group <port group>', 'Only list ports of this port group (name or UUID).')
    .option('--limit <limit>', 'Maximum number of ports to return, 0 for no limit.')
    .option('--marker <port>', 'Port UUID after which to start the list.')
    .option('--sort <key>[:<direction>]', 'Sort output by port fields and directions (asc or desc), comma separated.')
    .addOption(new Option('--long', 'Show detailed information about ports.').conflicts('fields'))
    .option('--fields <field...>', 'One or more port fields. Only these fields will be fetched from the server.');
  addListOutputOptions(cmd, rt).action(async (opts: PortListOptions, self: Command) => {
    const limit = parseLimit(opts.limit);
    const fields = parseFields(opts.fields, PORT_FIELD_CHOICES);
    const columns = opts.long ? PORT_DETAILED : fields ? columnsOf(fields) : PORT_LIST;
    const query = buildQuery([
      ['limit', limit && limit > 0 ? limit : undefined],
      ['marker', opts.marker],
      ['fields', fields?.join(',')],
      ['address', opts.address],
      ['node', opts.node],
      ['portgroup', opts.portGroup],
    ]);
    const path = `/v1/ports${opts.long ? '/detail' : ''}${query}`;
    const items = sortItems(await fetchCollection(rt.client(self), path, 'ports', limit), opts.sort);
    // The stock client flattens `extra` to k='v' text in port listings.
    printRows(rt, self, columns.labels, items.map((p) => rowOf(p, columns.fields, { extra: formatDict })));
  });
}
