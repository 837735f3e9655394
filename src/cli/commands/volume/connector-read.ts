// `baremetal volume connector list|show|delete`.

import { Option, type Command } from 'commander';
import { parseFields, parseLimit } from '../../args.js';
import { buildQuery, fetchCollection, fetchObject, rowOf, sortItems } from '../../listing.js';
import { addListOutputOptions, addShowOutputOptions } from '../../output/options.js';
import { VOLUME_CONNECTOR_DETAILED, VOLUME_CONNECTOR_LIST, columnsOf } from '../../resource-fields.js';
import type { Runtime } from '../../runtime.js';
import { deleteEach, printObject, printRows } from '../common.js';
import { connectorPath } from './path.js';

export function registerVolumeConnectorRead(group: Command, rt: Runtime): void {
  const show = group
    .command('show')
    .description('Show baremetal volume connector details.')
    .argument('<id>', 'UUID of the volume connector.')
    .option('--fields <field...>', 'One or more volume connector fields. Only these fields will be fetched from the server.');
  addShowOutputOptions(show, rt).action(async (ident: string, opts: { fields?: string[] }, self: Command) => {
    const fields = parseFields(opts.fields, VOLUME_CONNECTOR_DETAILED.fields)?.join(',');
    printObject(rt, self, await fetchObject(rt.client(self), connectorPath(ident, buildQuery([['fields', fields]]))), ['links']);
  });

  group
    .command('delete')
    .description('Unregister baremetal volume connector(s).')
    .argument('<volume connector...>', 'UUID(s) of the volume connector(s) to delete.')
    .action(async (idents: string[], _opts: unknown, self: Command) => {
      await deleteEach(rt, self, 'volume connector', idents, (id) => connectorPath(id), ': ');
    });

  const list = group
    .command('list')
    .description('List baremetal volume connectors.')
    .option('--node <node>', 'Only list volume connectors of this node (name or UUID).')
    .option('--limit <limit>', 'Maximum number of volume connectors to return per request, 0 for no limit.')
    .option('--marker <volume connector>', 'Volume connector UUID after which to start the list.')
    .option('--sort <key>[:<direction>]', 'Sort output by volume connector fields and directions, comma separated.')
    .addOption(new Option('--long', 'Show detailed information about volume connectors.').conflicts('fields'))
    .option('--fields <field...>', 'One or more volume connector fields. Only these fields will be fetched from the server.');
  addListOutputOptions(list, rt).action(async (opts: { node?: string; limit?: string; marker?: string; sort?: string; long?: boolean; fields?: string[] }, self: Command) => {
    const limit = parseLimit(opts.limit);
    const fields = parseFields(opts.fields, VOLUME_CONNECTOR_DETAILED.fields);
    const columns = opts.long ? VOLUME_CONNECTOR_DETAILED : fields ? columnsOf(fields) : VOLUME_CONNECTOR_LIST;
    const query = buildQuery([
      ['limit', limit && limit > 0 ? limit : undefined],
      ['marker', opts.marker],
      ['node', opts.node],
      ['detail', opts.long ? true : fields ? false : undefined],
      ['fields', fields?.join(',')],
    ]);
    const items = sortItems(await fetchCollection(rt.client(self), `/v1/volume/connectors${query}`, 'connectors', limit), opts.sort);
    printRows(rt, self, columns.labels, items.map((c) => rowOf(c, columns.fields)));
  });
}
