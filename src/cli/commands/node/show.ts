// `baremetal node show`: one node by name/UUID (or by instance UUID with --instance).

import type { Command } from 'commander';
import { parseFields } from '../../args.js';
import { buildQuery, fetchObject, fetchOneByFilter } from '../../listing.js';
import { addShowOutputOptions } from '../../output/options.js';
import { NODE_FIELD_CHOICES } from '../../resource-fields.js';
import type { Runtime } from '../../runtime.js';
import { printObject } from '../common.js';
import { NODE_SHOW_DROP, nodePath } from './shared.js';

export function registerNodeShow(node: Command, rt: Runtime): void {
  const cmd = node
    .command('show')
    .description('Show baremetal node details')
    .argument('<node>', 'Name or UUID of the node (or instance UUID if --instance is specified)')
    .option('--instance', '<node> is an instance UUID.')
    .option('--fields <field...>', 'One or more node fields. Only these fields will be fetched from the server.');
  addShowOutputOptions(cmd, rt).action(async (ident: string, opts: { instance?: boolean; fields?: string[] }, self: Command) => {
    const fields = parseFields(opts.fields, NODE_FIELD_CHOICES);
    const client = rt.client(self);
    const fieldsParam = fields?.join(',');
    const nodeObj = opts.instance
      ? await fetchOneByFilter(
          client,
          `/v1/nodes${fields ? '' : '/detail'}${buildQuery([['instance_uuid', ident], ['fields', fieldsParam]])}`,
          'nodes',
        )
      : await fetchObject(client, nodePath(ident, buildQuery([['fields', fieldsParam]])));
    const shown = { ...nodeObj };
    if ((!fields || fields.includes('chassis_uuid')) && !('chassis_uuid' in shown)) shown.chassis_uuid = '';
    printObject(rt, self, shown, NODE_SHOW_DROP);
  });
}
