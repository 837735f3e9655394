// `baremetal port group delete`: delete one or more port groups.

import type { Command } from 'commander';
import type { Runtime } from '../../runtime.js';
import { deleteEach } from '../common.js';
import { portgroupPath } from './shared.js';

export function registerPortGroupDelete(group: Command, rt: Runtime): void {
  group
    .command('delete')
    .description('Unregister baremetal port group(s).')
    .argument('<port group...>', 'Port group(s) to delete (name or UUID).')
    .action(async (idents: string[], _opts: unknown, self: Command) => {
      // The stock client's failure line for port groups has two spaces after the colon.
      await deleteEach(rt, self, 'port group', idents, (id) => portgroupPath(id), ':  ');
    });
}
