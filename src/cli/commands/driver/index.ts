// The `baremetal driver` topic.

import type { Command } from 'commander';
import type { Runtime } from '../../runtime.js';
import { registerDriverList } from './list.js';
import { registerDriverPropertyList } from './property-list.js';
import { registerDriverShow } from './show.js';

export function registerDriverCommands(program: Command, rt: Runtime): void {
  const driver = program.command('driver').description('Bare metal drivers');
  registerDriverList(driver, rt);
  registerDriverPropertyList(driver, rt);
  registerDriverShow(driver, rt);
}
