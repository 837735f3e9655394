// `baremetal node list`: nodes with filters, `--long` (all fields) or `--fields`.

import { Option, type Command } from 'commander';
import { parseFields, parseLimit } from '../../args.js';
import { buildQuery, fetchCollection, rowOf, sortItems, type QueryParam } from '../../listing.js';
import { addListOutputOptions } from '../../output/options.js';
import { NODE_DETAILED, NODE_FIELD_CHOICES, NODE_LIST, columnsOf } from '../../resource-fields.js';
import type { Runtime } from '../../runtime.js';
import { printRows } from '../common.js';

interface NodeListOptions {
  limit?: string;
  marker?: string;
  sort?: string;
  maintenance?: boolean;
  retired?: boolean;
  fault?: string;
  associated?: boolean;
  unassociated?: boolean;
  provisionState?: string;
  driver?: string;
  resourceClass?: string;
  conductorGroup?: string;
  conductor?: string;
  chassis?: string;
  owner?: string;
  lessee?: string;
  descriptionContains?: string;
  long?: boolean;
  fields?: string[];
}

export function registerNodeList(node: Command, rt: Runtime): void {
  const cmd = node
    .command('list')
    .description('List baremetal nodes')
    .option('--limit <limit>', 'Maximum number of nodes to return, 0 for no limit.')
    .option('--marker <node>', 'Node UUID after which to start the list.')
    .option('--sort <key>[:<direction>]', 'Sort output by node fields and directions (asc or desc), comma separated.')
    .option('--maintenance', 'Limit list to nodes in maintenance mode')
    .option('--no-maintenance', 'Limit list to nodes not in maintenance mode')
    .option('--retired', 'Limit list to retired nodes.')
    .option('--no-retired', 'Limit list to not retired nodes.')
    .option('--fault <fault>', 'List nodes in specified fault.')
    .addOption(new Option('--associated', 'List only nodes associated with an instance.').conflicts('unassociated'))
    .option('--unassociated', 'List only nodes not associated with an instance.')
    .option('--provision-state <provision state>', 'List nodes in specified provision state.')
    .option('--driver <driver>', 'Limit list to nodes with driver <driver>')
    .option('--resource-class <resource class>', 'Limit list to nodes with resource class <resource class>')
    .option('--conductor-group <conductor_group>', 'Limit list to nodes with conductor group <conductor group>')
    .option('--conductor <conductor>', 'Limit list to nodes with conductor <conductor>')
    .option('--chassis <chassis UUID>', 'Limit list to nodes of this chassis')
    .option('--owner <owner>', 'Limit list to nodes with owner <owner>')
    .option('--lessee <lessee>', 'Limit list to nodes with lessee <lessee>')
    .option('--description-contains <description_contains>', 'Limit list to nodes whose description contains this')
    .addOption(new Option('--long', 'Show detailed information about the nodes.').conflicts('fields'))
    .option('--fields <field...>', "One or more node fields. Only these fields will be fetched from the server.");
  addListOutputOptions(cmd, rt).action(async (opts: NodeListOptions, self: Command) => {
    const limit = parseLimit(opts.limit);
    const fields = parseFields(opts.fields, NODE_FIELD_CHOICES);
    const columns = opts.long ? NODE_DETAILED : fields ? columnsOf(fields) : NODE_LIST;
    const truthy = (v: string | undefined): string | undefined => (v ? v : undefined);
    // Parameter order follows the stock client's URLs: paging first, then filters.
    const params: QueryParam[] = [
      ['limit', limit && limit > 0 ? limit : undefined],
      ['marker', opts.marker],
      ['fields', fields?.join(',')],
      ['associated', opts.associated ? true : opts.unassociated ? false : undefined],
      ['maintenance', opts.maintenance],
      ['retired', opts.retired],
      ['fault', opts.fault],
      ['provision_state', truthy(opts.provisionState)],
      ['driver', truthy(opts.driver)],
      ['resource_class', truthy(opts.resourceClass)],
      ['chassis_uuid', truthy(opts.chassis)],
      ['conductor_group', opts.conductorGroup],
      ['conductor', truthy(opts.conductor)],
      ['owner', truthy(opts.owner)],
      ['lessee', truthy(opts.lessee)],
      ['description_contains', truthy(opts.descriptionContains)],
    ];
    const path = `/v1/nodes${opts.long ? '/detail' : ''}${buildQuery(params)}`;
    const items = sortItems(await fetchCollection(rt.client(self), path, 'nodes', limit), opts.sort);
    printRows(rt, self, columns.labels, items.map((n) => rowOf(n, columns.fields)));
  });
}
