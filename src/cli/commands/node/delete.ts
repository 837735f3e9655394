// `baremetal node delete`: unregister one or more nodes.

import type { Command } from 'commander';
import type { Runtime } from '../../runtime.js';
import { deleteEach } from '../common.js';
import { nodePath } from './shared.js';

export function registerNodeDelete(node: Command, rt: Runtime): void {
  node
    .command('delete')
    .description('Unregister baremetal node(s)')
    .argument('<node...>', 'Node(s) to delete (name or UUID)')
    .action(async (idents: string[], _opts: unknown, self: Command) => {
      await deleteEach(rt, self, 'node', idents, (id) => nodePath(id));
    });
}
