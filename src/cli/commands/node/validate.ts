// `baremetal node validate`: which driver interfaces of a node pass validation, and why not.

import type { Command } from 'commander';
import { fetchObject } from '../../listing.js';
import { addListOutputOptions } from '../../output/options.js';
import type { Runtime } from '../../runtime.js';
import { printRows } from '../common.js';
import { nodePath } from './shared.js';

export function registerNodeValidate(node: Command, rt: Runtime): void {
  const cmd = node
    .command('validate')
    .description("Validate a node's driver interfaces")
    .argument('<node>', 'Name or UUID of the node');
  addListOutputOptions(cmd, rt).action(async (ident: string, _opts: unknown, self: Command) => {
    const result = await fetchObject(rt.client(self), nodePath(ident, '/validate'));
    const rows = Object.keys(result)
      .sort()
      .map((iface) => {
        const entry = (result[iface] ?? {}) as Record<string, unknown>;
        // A missing reason (interface passed) is an empty cell, not None.
        return [iface, 'result' in entry ? entry.result : '', 'reason' in entry ? entry.reason : ''];
      });
    printRows(rt, self, ['Interface', 'Result', 'Reason'], rows);
  });
}
