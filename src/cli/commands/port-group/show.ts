// `baremetal port group show`: one port group by UUID/name (or by MAC with --address).

import type { Command } from 'commander';
import { parseFields } from '../../args.js';
import { buildQuery, fetchObject, fetchOneByFilter } from '../../listing.js';
import { addShowOutputOptions } from '../../output/options.js';
import { PORTGROUP_FIELD_CHOICES } from '../../resource-fields.js';
import type { Runtime } from '../../runtime.js';
import { printObject } from '../common.js';
import { PORTGROUP_SHOW_DROP, portgroupPath } from './shared.js';

export function registerPortGroupShow(group: Command, rt: Runtime): void {
  const cmd = group
    .command('show')
    .description('Show baremetal port group details.')
    .argument('<id>', 'UUID or name of the port group (or MAC address if --address is specified).')
    .option('--address', '<id> is the MAC address (instead of UUID or name) of the port group.')
    .option('--fields <field...>', 'One or more port group fields. Only these fields will be fetched from the server.');
  addShowOutputOptions(cmd, rt).action(async (ident: string, opts: { address?: boolean; fields?: string[] }, self: Command) => {
    const fields = parseFields(opts.fields, PORTGROUP_FIELD_CHOICES)?.join(',');
    const client = rt.client(self);
    const pg = opts.address
      ? await fetchOneByFilter(
          client,
          `/v1/portgroups${fields ? '' : '/detail'}${buildQuery([['address', ident], ['fields', fields]])}`,
          'portgroups',
        )
      : await fetchObject(client, portgroupPath(ident, buildQuery([['fields', fields]])));
    printObject(rt, self, pg, PORTGROUP_SHOW_DROP);
  });
}
