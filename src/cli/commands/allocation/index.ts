// The `baremetal allocation` topic, with the stock client's options and output.

import type { Command } from 'commander';
import type { Runtime } from '../../runtime.js';
import { registerAllocationCreate } from './create.js';
import { registerAllocationChange } from './change.js';
import { registerAllocationRead } from './read.js';

export function registerAllocationCommands(program: Command, rt: Runtime): void {
  const group = program.command('allocation').description('Bare metal allocations');
  registerAllocationCreate(group, rt);
  registerAllocationRead(group, rt);
  registerAllocationChange(group, rt);
}
