// `baremetal chassis delete`: delete one or more chassis.

import type { Command } from 'commander';
import type { Runtime } from '../../runtime.js';
import { deleteEach } from '../common.js';
import { chassisPath } from './shared.js';

export function registerChassisDelete(chassis: Command, rt: Runtime): void {
  chassis
    .command('delete')
    .description('Delete a chassis.')
    .argument('<chassis...>', 'UUIDs of chassis to delete')
    .action(async (idents: string[], _opts: unknown, self: Command) => {
      await deleteEach(rt, self, 'chassis', idents, (id) => chassisPath(id));
    });
}
