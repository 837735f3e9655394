// `baremetal allocation list|show|delete`.

import { Option, type Command } from 'commander';
import { parseFields, parseLimit } from '../../args.js';
import { buildQuery, fetchCollection, fetchObject, rowOf, sortItems } from '../../listing.js';
import { addListOutputOptions, addShowOutputOptions } from '../../output/options.js';
import { ALLOCATION_DETAILED, ALLOCATION_LIST, columnsOf } from '../../resource-fields.js';
import type { Runtime } from '../../runtime.js';
import { deleteEach, printObject, printRows } from '../common.js';
import { allocationPath } from './shared.js';

interface AllocationListOptions {
  limit?: string;
  marker?: string;
  sort?: string;
  node?: string;
  resourceClass?: string;
  state?: string;
  owner?: string;
  long?: boolean;
  fields?: string[];
}

export function registerAllocationRead(group: Command, rt: Runtime): void {
  const list = group
    .command('list')
    .description('List baremetal allocations.')
    .option('--limit <limit>', 'Maximum number of allocations to return per request, 0 for no limit.')
    .option('--marker <allocation>', 'Allocation UUID after which to start the list.')
    .option('--sort <key>[:<direction>]', 'Sort output by allocation fields and directions, comma separated.')
    .option('--node <node>', 'Only list allocations of this node (name or UUID).')
    .option('--resource-class <resource_class>', 'Only list allocations with this resource class.')
    .option('--state <state>', 'Only list allocations in this state.')
    .option('--owner <owner>', 'Only list allocations with this owner.')
    .addOption(new Option('--long', 'Show detailed information about the allocations.').conflicts('fields'))
    .option('--fields <field...>', 'One or more allocation fields. Only these fields will be fetched from the server.');
  addListOutputOptions(list, rt).action(async (opts: AllocationListOptions, self: Command) => {
    const limit = parseLimit(opts.limit);
    const fields = parseFields(opts.fields, ALLOCATION_DETAILED.fields);
    const columns = opts.long ? ALLOCATION_DETAILED : fields ? columnsOf(fields) : ALLOCATION_LIST;
    const query = buildQuery([
      ['limit', limit && limit > 0 ? limit : undefined],
      ['marker', opts.marker],
      ['node', opts.node],
      ['resource_class', opts.resourceClass],
      ['state', opts.state],
      ['owner', opts.owner],
      ['fields', fields?.join(',')],
    ]);
    const items = sortItems(await fetchCollection(rt.client(self), `/v1/allocations${query}`, 'allocations', limit), opts.sort);
    printRows(rt, self, columns.labels, items.map((a) => rowOf(a, columns.fields)));
  });

  const show = group
    .command('show')
    .description('Show baremetal allocation details.')
    .argument('<id>', 'UUID or name of the allocation')
    .option('--fields <field...>', 'One or more allocation fields. Only these fields will be fetched from the server.');
  addShowOutputOptions(show, rt).action(async (ident: string, opts: { fields?: string[] }, self: Command) => {
    const fields = parseFields(opts.fields, ALLOCATION_DETAILED.fields)?.join(',');
    printObject(rt, self, await fetchObject(rt.client(self), allocationPath(ident, buildQuery([['fields', fields]]))), ['links']);
  });

  group
    .command('delete')
    .description('Unregister baremetal allocation(s).')
    .argument('<allocation...>', 'Allocations(s) to delete (name or UUID).')
    .action(async (idents: string[], _opts: unknown, self: Command) => {
      // The stock client's failure line for allocations has two spaces after the colon.
      await deleteEach(rt, self, 'allocation', idents, (id) => allocationPath(id), ':  ');
    });
}
