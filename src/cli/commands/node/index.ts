// The `baremetal node` topic.

import type { Command } from 'commander';
import type { Runtime } from '../../runtime.js';
import { registerNodeCreate } from './create.js';
import { registerNodeDelete } from './delete.js';
import { registerNodeList } from './list.js';
import { registerNodeSet } from './set.js';
import { registerNodeShow } from './show.js';
import { registerNodeUnset } from './unset.js';
import { registerNodeValidate } from './validate.js';

export function registerNodeCommands(program: Command, rt: Runtime): void {
  const node = program.command('node').description('Bare metal nodes');
  registerNodeCreate(node, rt);
  registerNodeDelete(node, rt);
  registerNodeList(node, rt);
  registerNodeSet(node, rt);
  registerNodeShow(node, rt);
  registerNodeUnset(node, rt);
  registerNodeValidate(node, rt);
}
