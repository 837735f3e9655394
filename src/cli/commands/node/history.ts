// `baremetal node history list|get`: the node's event history (API 1.78).

import type { Command } from 'commander';
import { buildQuery, fetchObject, rowOf, seg, type ApiObject } from '../../listing.js';
import { addListOutputOptions, addShowOutputOptions } from '../../output/options.js';
import { columnsOf } from '../../resource-fields.js';
import type { Runtime } from '../../runtime.js';
import { printObject, printRows } from '../common.js';
import { nodePath } from './shared.js';

// Header overrides are the stock client's FIELDS labels for the history resource.
const HISTORY_LABELS = { event: 'Description of the event', event_type: 'Event Origin Type', user: 'User', severity: 'Severity' };
export const HISTORY_LIST = columnsOf(['uuid', 'created_at', 'severity', 'event'], HISTORY_LABELS);
export const HISTORY_DETAILED = columnsOf(
  ['uuid', 'created_at', 'severity', 'event_type', 'event', 'conductor', 'user'],
  HISTORY_LABELS,
);

export function registerHistoryCommands(node: Command, rt: Runtime): void {
  const history = node.command('history').description('Event history of a node');
  const list = history
    .command('list')
    .description('Get history events for a baremetal node.')
    .argument('<node>', 'Name or UUID of the node.')
    .option('--long', 'Show detailed information about the history events.');
  addListOutputOptions(list, rt).action(async (ident: string, o: { long?: boolean }, self: Command) => {
    const columns = o.long ? HISTORY_DETAILED : HISTORY_LIST;
    // The API takes `detail` as a query parameter; ironicclient 5.0.1 asks for `history/detail`, which the
    // server reads as an event UUID and answers 404, so that spelling is not copied.
    const path = nodePath(ident, `/history${buildQuery([['detail', o.long ? true : undefined]])}`);
    const { body } = await rt.client(self).get(path);
    const events = (body as { history?: unknown } | undefined)?.history;
    const rows = (Array.isArray(events) ? events : []).map((e) => rowOf(e as ApiObject, columns.fields));
    printRows(rt, self, columns.labels, rows);
  });

  const get = history
    .command('get')
    .description('Get history event for a baremetal node.')
    .argument('<node>', 'Name or UUID of the node.')
    .argument('<event>', 'UUID of the event.');
  addShowOutputOptions(get, rt).action(async (ident: string, event: string, _o: unknown, self: Command) => {
    const data = await fetchObject(rt.client(self), nodePath(ident, `/history/${seg(event)}`));
    printObject(rt, self, data, ['links']);
  });
}
