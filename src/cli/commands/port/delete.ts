// `baremetal port delete`: delete one or more ports.

import type { Command } from 'commander';
import type { Runtime } from '../../runtime.js';
import { deleteEach } from '../common.js';
import { portPath } from './shared.js';

export function registerPortDelete(port: Command, rt: Runtime): void {
  port
    .command('delete')
    .description('Delete port(s).')
    .argument('<port...>', 'UUID(s) of the port(s) to delete.')
    .action(async (idents: string[], _opts: unknown, self: Command) => {
      await deleteEach(rt, self, 'port', idents, (id) => portPath(id));
    });
}
