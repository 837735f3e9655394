// `baremetal node bios setting list|show`: the BIOS settings cached for a node (API 1.40; the
// detailed attributes from 1.74).

import { Option, type Command } from 'commander';
import { parseFields } from '../../args.js';
import { buildQuery, fetchObject, rowOf, seg, type ApiObject } from '../../listing.js';
import { addListOutputOptions, addShowOutputOptions } from '../../output/options.js';
import { columnsOf } from '../../resource-fields.js';
import type { Runtime } from '../../runtime.js';
import { printObject, printRows } from '../common.js';
import { nodePath } from './shared.js';

// The stock client's FIELDS labels for BIOS attributes; `name`/`value` get longer headers only in the
// default two-column listing.
const BIOS_LABELS = {
  name: 'Name', value: 'Value', attribute_type: 'Attribute Type', allowable_values: 'Allowable Values',
  lower_bound: 'Lower Bound', min_length: 'Minimum Length', max_length: 'Maximum Length', read_only: 'Read Only',
  reset_required: 'Reset Required', unique: 'Unique', upper_bound: 'Upper Bound',
};
export const BIOS_LIST = columnsOf(['name', 'value'], { name: 'BIOS setting name', value: 'BIOS setting value' });
export const BIOS_DETAILED = columnsOf(Object.keys(BIOS_LABELS), BIOS_LABELS);

export function registerBiosCommands(node: Command, rt: Runtime): void {
  const setting = node.command('bios').description('BIOS settings of a node').command('setting').description('BIOS settings of a node');
  const list = setting
    .command('list')
    .description("List a node's BIOS settings.")
    .argument('<node>', 'Name or UUID of the node')
    .addOption(new Option('--long', 'Show detailed information about the BIOS settings.').conflicts('fields'))
    .option('--fields <field...>', "One or more node fields. Only these fields will be fetched from the server. Can not be used when '--long' is specified.");
  addListOutputOptions(list, rt).action(async (ident: string, o: { long?: boolean; fields?: string[] }, self: Command) => {
    const fields = parseFields(o.fields, BIOS_DETAILED.fields);
    const columns = o.long ? BIOS_DETAILED : fields ? columnsOf(fields, BIOS_LABELS) : BIOS_LIST;
    const query = buildQuery([['fields', fields?.join(',')], ['detail', o.long ? true : undefined]]);
    const { body } = await rt.client(self).get(nodePath(ident, `/bios${query}`));
    const settings = (body as { bios?: unknown } | undefined)?.bios;
    printRows(rt, self, columns.labels, (Array.isArray(settings) ? settings : []).map((s) => rowOf(s as ApiObject, columns.fields)));
  });

  const show = setting
    .command('show')
    .description('Show a specific BIOS setting for a node.')
    .argument('<node>', 'Name or UUID of the node')
    .argument('<setting name>', 'Setting name to show');
  addShowOutputOptions(show, rt).action(async (ident: string, name: string, _o: unknown, self: Command) => {
    // The API wraps the setting in an object keyed by its name.
    const wrapped = await fetchObject(rt.client(self), nodePath(ident, `/bios/${seg(name)}`));
    const inner = wrapped[name];
    printObject(rt, self, (typeof inner === 'object' && inner !== null ? inner : {}) as ApiObject, ['links']);
  });
}
