// The `baremetal port` topic, including `port group`.

import type { Command } from 'commander';
import type { Runtime } from '../../runtime.js';
import { registerPortGroupCommands } from '../port-group/index.js';
import { registerPortCreate } from './create.js';
import { registerPortDelete } from './delete.js';
import { registerPortList } from './list.js';
import { registerPortSet } from './set.js';
import { registerPortShow } from './show.js';
import { registerPortUnset } from './unset.js';

export function registerPortCommands(program: Command, rt: Runtime): void {
  const port = program.command('port').description('Bare metal ports');
  registerPortCreate(port, rt);
  registerPortDelete(port, rt);
  registerPortGroupCommands(port, rt);
  registerPortList(port, rt);
  registerPortSet(port, rt);
  registerPortShow(port, rt);
  registerPortUnset(port, rt);
}
