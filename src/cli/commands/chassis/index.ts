// The `baremetal chassis` topic.

import type { Command } from 'commander';
import type { Runtime } from '../../runtime.js';
import { registerChassisCreate } from './create.js';
import { registerChassisDelete } from './delete.js';
import { registerChassisList } from './list.js';
import { registerChassisSet } from './set.js';
import { registerChassisShow } from './show.js';
import { registerChassisUnset } from './unset.js';

export function registerChassisCommands(program: Command, rt: Runtime): void {
  const chassis = program.command('chassis').description('Bare metal chassis');
  registerChassisCreate(chassis, rt);
  registerChassisDelete(chassis, rt);
  registerChassisList(chassis, rt);
  registerChassisSet(chassis, rt);
  registerChassisShow(chassis, rt);
  registerChassisUnset(chassis, rt);
}
