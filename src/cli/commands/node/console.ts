// `baremetal node console enable|disable|show`: the node's serial console through
// /v1/nodes/{node}/states/console, with the stock client's output (show: console_enabled and console_info).

import type { Command } from 'commander';
import { fetchObject } from '../../listing.js';
import { addShowOutputOptions } from '../../output/options.js';
import type { Runtime } from '../../runtime.js';
import { printObject } from '../common.js';
import { nodePath } from './shared.js';

export function registerConsoleCommands(node: Command, rt: Runtime): void {
  const group = node.command('console').description('Serial console of a node');
  for (const [verb, enabled, help] of [['enable', true, 'Enable console access for a node'], ['disable', false, 'Disable console access for a node']] as const) {
    group
      .command(verb)
      .description(help)
      .argument('<node>', 'Name or UUID of the node')
      .action(async (ident: string, _o: unknown, self: Command) => {
        await rt.client(self).request('PUT', nodePath(ident, '/states/console'), { enabled });
      });
  }
  const show = group.command('show').description('Show console information for a node').argument('<node>', 'Name or UUID of the node');
  addShowOutputOptions(show, rt).action(async (ident: string, _o: unknown, self: Command) => {
    printObject(rt, self, await fetchObject(rt.client(self), nodePath(ident, '/states/console')));
  });
}
