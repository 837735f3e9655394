// The `baremetal conductor` topic.

import type { Command } from 'commander';
import type { Runtime } from '../../runtime.js';
import { registerConductorList } from './list.js';
import { registerConductorShow } from './show.js';

export function registerConductorCommands(program: Command, rt: Runtime): void {
  const conductor = program.command('conductor').description('Bare metal conductors');
  registerConductorList(conductor, rt);
  registerConductorShow(conductor, rt);
}
