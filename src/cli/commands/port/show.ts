// `baremetal port show`: one port by UUID (or by MAC with --address).

import type { Command } from 'commander';
import { parseFields } from '../../args.js';
import { buildQuery, fetchObject, fetchOneByFilter } from '../../listing.js';
import { addShowOutputOptions } from '../../output/options.js';
import { PORT_FIELD_CHOICES } from '../../resource-fields.js';
import type { Runtime } from '../../runtime.js';
import { printObject } from '../common.js';
import { portPath } from './shared.js';

export function registerPortShow(port: Command, rt: Runtime): void {
  const cmd = port
    .command('show')
    .description('Show baremetal port details.')
    .argument('<id>', 'UUID of the port (or MAC address if --address is specified).')
    .option('--address', '<id> is the MAC address (instead of the UUID) of the port.')
    .option('--fields <field...>', 'One or more port fields. Only these fields will be fetched from the server.');
  addShowOutputOptions(cmd, rt).action(async (ident: string, opts: { address?: boolean; fields?: string[] }, self: Command) => {
    const fields = parseFields(opts.fields, PORT_FIELD_CHOICES)?.join(',');
    const client = rt.client(self);
    const portObj = opts.address
      ? await fetchOneByFilter(client, `/v1/ports${fields ? '' : '/detail'}${buildQuery([['address', ident], ['fields', fields]])}`, 'ports')
      : await fetchObject(client, portPath(ident, buildQuery([['fields', fields]])));
    printObject(rt, self, portObj, ['links']);
  });
}
