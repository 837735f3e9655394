// `baremetal volume connector|target list|show|delete`: the same commands over two collections.

import { Option, type Command } from 'commander';
import { parseFields, parseLimit } from '../../args.js';
import { buildQuery, fetchCollection, fetchObject, rowOf, sortItems } from '../../listing.js';
import { addListOutputOptions, addShowOutputOptions } from '../../output/options.js';
import { VOLUME_CONNECTOR_DETAILED, VOLUME_CONNECTOR_LIST, VOLUME_TARGET_DETAILED, VOLUME_TARGET_LIST, columnsOf, type ResourceColumns } from '../../resource-fields.js';
import type { Runtime } from '../../runtime.js';
import { deleteEach, printObject, printRows } from '../common.js';
import { connectorPath, targetPath } from './path.js';

interface VolumeKind {
  readonly what: string;
  readonly collection: string;
  readonly path: (ident: string, suffix?: string) => string;
  readonly list: ResourceColumns;
  readonly detailed: ResourceColumns;
}

export const CONNECTORS: VolumeKind = { what: 'volume connector', collection: 'connectors', path: connectorPath, list: VOLUME_CONNECTOR_LIST, detailed: VOLUME_CONNECTOR_DETAILED };
export const TARGETS: VolumeKind = { what: 'volume target', collection: 'targets', path: targetPath, list: VOLUME_TARGET_LIST, detailed: VOLUME_TARGET_DETAILED };

export function registerVolumeRead(group: Command, rt: Runtime, k: VolumeKind): void {
  const show = group
    .command('show')
    .description(`Show baremetal ${k.what} details.`)
    .argument('<id>', `UUID of the ${k.what}.`)
    .option('--fields <field...>', `One or more ${k.what} fields. Only these fields will be fetched from the server.`);
  addShowOutputOptions(show, rt).action(async (ident: string, opts: { fields?: string[] }, self: Command) => {
    const fields = parseFields(opts.fields, k.detailed.fields)?.join(',');
    printObject(rt, self, await fetchObject(rt.client(self), k.path(ident, buildQuery([['fields', fields]]))), ['links']);
  });

  group
    .command('delete')
    .description(`Unregister baremetal ${k.what}(s).`)
    .argument(`<${k.what}...>`, `UUID(s) of the ${k.what}(s) to delete.`)
    .action(async (idents: string[], _opts: unknown, self: Command) => {
      await deleteEach(rt, self, k.what, idents, (id) => k.path(id), ': ');
    });

  const list = group
    .command('list')
    .description(`List baremetal ${k.what}s.`)
    .option('--node <node>', `Only list ${k.what}s of this node (name or UUID).`)
    .option('--limit <limit>', `Maximum number of ${k.what}s to return per request, 0 for no limit.`)
    .option(`--marker <${k.what}>`, `${k.what} UUID after which to start the list.`)
    .option('--sort <key>[:<direction>]', `Sort output by ${k.what} fields and directions, comma separated.`)
    .addOption(new Option('--long', `Show detailed information about ${k.what}s.`).conflicts('fields'))
    .option('--fields <field...>', `One or more ${k.what} fields. Only these fields will be fetched from the server.`);
  addListOutputOptions(list, rt).action(async (opts: { node?: string; limit?: string; marker?: string; sort?: string; long?: boolean; fields?: string[] }, self: Command) => {
    const limit = parseLimit(opts.limit);
    const fields = parseFields(opts.fields, k.detailed.fields);
    const columns = opts.long ? k.detailed : fields ? columnsOf(fields) : k.list;
    const query = buildQuery([
      ['limit', limit && limit > 0 ? limit : undefined],
      ['marker', opts.marker],
      ['node', opts.node],
      ['detail', opts.long ? true : fields ? false : undefined],
      ['fields', fields?.join(',')],
    ]);
    const items = sortItems(await fetchCollection(rt.client(self), `/v1/volume/${k.collection}${query}`, k.collection, limit), opts.sort);
    printRows(rt, self, columns.labels, items.map((c) => rowOf(c, columns.fields)));
  });
}
