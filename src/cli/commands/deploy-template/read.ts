// `baremetal deploy template list|show|delete`.

import { Option, type Command } from 'commander';
import { parseFields, parseLimit } from '../../args.js';
import { buildQuery, fetchCollection, fetchObject, rowOf, sortItems } from '../../listing.js';
import { addListOutputOptions, addShowOutputOptions } from '../../output/options.js';
import { DEPLOY_TEMPLATE_DETAILED, DEPLOY_TEMPLATE_LIST, columnsOf } from '../../resource-fields.js';
import type { Runtime } from '../../runtime.js';
import { deleteEach, printObject, printRows } from '../common.js';
import { deployTemplatePath } from './path.js';

export function registerDeployTemplateRead(group: Command, rt: Runtime): void {
  const show = group
    .command('show')
    .description('Show baremetal deploy template details.')
    .argument('<template>', 'Name or UUID of the deploy template.')
    .option('--fields <field...>', 'One or more deploy template fields. Only these fields will be fetched from the server.');
  addShowOutputOptions(show, rt).action(async (ident: string, opts: { fields?: string[] }, self: Command) => {
    const fields = parseFields(opts.fields, DEPLOY_TEMPLATE_DETAILED.fields)?.join(',');
    printObject(rt, self, await fetchObject(rt.client(self), deployTemplatePath(ident, buildQuery([['fields', fields]]))), ['links']);
  });

  group
    .command('delete')
    .description('Delete deploy template(s).')
    .argument('<template...>', 'Name(s) or UUID(s) of the deploy template(s) to delete.')
    .action(async (idents: string[], _opts: unknown, self: Command) => {
      await deleteEach(rt, self, 'deploy template', idents, (id) => deployTemplatePath(id), ': ');
    });

  const list = group
    .command('list')
    .description('List baremetal deploy templates.')
    .option('--limit <limit>', 'Maximum number of deploy templates to return per request, 0 for no limit.')
    .option('--marker <template>', 'DeployTemplate UUID after which to start the list.')
    .option('--sort <key>[:<direction>]', 'Sort output by deploy template fields and directions, comma separated.')
    .addOption(new Option('--long', 'Show detailed information about deploy templates.').conflicts('fields'))
    .option('--fields <field...>', 'One or more deploy template fields. Only these fields will be fetched from the server.');
  addListOutputOptions(list, rt).action(async (opts: { limit?: string; marker?: string; sort?: string; long?: boolean; fields?: string[] }, self: Command) => {
    const limit = parseLimit(opts.limit);
    const fields = parseFields(opts.fields, DEPLOY_TEMPLATE_DETAILED.fields);
    const columns = opts.long ? DEPLOY_TEMPLATE_DETAILED : fields ? columnsOf(fields) : DEPLOY_TEMPLATE_LIST;
    const query = buildQuery([
      ['limit', limit && limit > 0 ? limit : undefined],
      ['marker', opts.marker],
      ['detail', opts.long ? true : undefined],
      ['fields', fields?.join(',')],
    ]);
    const items = sortItems(await fetchCollection(rt.client(self), `/v1/deploy_templates${query}`, 'deploy_templates', limit), opts.sort);
    printRows(rt, self, columns.labels, items.map((t) => rowOf(t, columns.fields)));
  });
}
