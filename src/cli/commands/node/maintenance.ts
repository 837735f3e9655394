// `baremetal node maintenance set|unset`: PUT (with the reason, null when not given, as the stock
// client sends it) or DELETE /v1/nodes/{node}/maintenance.

import type { Command } from 'commander';
import type { Runtime } from '../../runtime.js';
import { nodePath } from './shared.js';

export function registerMaintenanceCommands(node: Command, rt: Runtime): void {
  const maintenance = node.command('maintenance').description('Put nodes into or take them out of maintenance mode');
  maintenance
    .command('set')
    .description('Set baremetal node to maintenance mode')
    .argument('<node>', 'Name or UUID of the node.')
    .option('--reason <reason>', 'Reason for setting maintenance mode.')
    .action(async (ident: string, o: { reason?: string }, self: Command) => {
      await rt.client(self).request('PUT', nodePath(ident, '/maintenance'), { reason: o.reason ?? null });
    });
  maintenance
    .command('unset')
    .description('Unset baremetal node from maintenance mode')
    .argument('<node>', 'Name or UUID of the node.')
    .action(async (ident: string, _o: unknown, self: Command) => {
      await rt.client(self).delete(nodePath(ident, '/maintenance'));
    });
}
