// The `baremetal port group` topic (nested under `port`, as in the stock client).

import type { Command } from 'commander';
import type { Runtime } from '../../runtime.js';
import { registerPortGroupCreate } from './create.js';
import { registerPortGroupDelete } from './delete.js';
import { registerPortGroupList } from './list.js';
import { registerPortGroupSet } from './set.js';
import { registerPortGroupShow } from './show.js';
import { registerPortGroupUnset } from './unset.js';

export function registerPortGroupCommands(port: Command, rt: Runtime): void {
  const group = port.command('group').description('Bare metal port groups');
  registerPortGroupCreate(group, rt);
  registerPortGroupDelete(group, rt);
  registerPortGroupList(group, rt);
  registerPortGroupSet(group, rt);
  registerPortGroupShow(group, rt);
  registerPortGroupUnset(group, rt);
}
