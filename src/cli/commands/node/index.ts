// The `baremetal node` topic.

import type { Command } from 'commander';
import type { Runtime } from '../../runtime.js';
import { registerBiosCommands } from './bios.js';
import { registerConsoleCommands } from './console.js';
import { registerNodeCreate } from './create.js';
import { registerNodeDelete } from './delete.js';
import { registerHistoryCommands } from './history.js';
import { registerNodeList } from './list.js';
import { registerMaintenanceCommands } from './maintenance.js';
import { registerManagementCommands } from './management.js';
import { registerPowerCommands } from './power.js';
import { registerProvisionVerbs } from './provision.js';
import { registerNodeSet } from './set.js';
import { registerNodeShow } from './show.js';
import { registerTraitCommands } from './traits.js';
import { registerNodeUnset } from './unset.js';
import { registerNodeValidate } from './validate.js';
import { registerVifCommands } from './vif.js';

export function registerNodeCommands(program: Command, rt: Runtime): void {
  const node = program.command('node').description('Bare metal nodes');
  registerNodeCreate(node, rt);
  registerNodeDelete(node, rt);
  registerNodeList(node, rt);
  registerNodeSet(node, rt);
  registerNodeShow(node, rt);
  registerNodeUnset(node, rt);
  registerNodeValidate(node, rt);
  registerProvisionVerbs(node, rt);
  registerPowerCommands(node, rt);
  registerMaintenanceCommands(node, rt);
  registerManagementCommands(node, rt);
  registerHistoryCommands(node, rt);
  registerTraitCommands(node, rt);
  registerVifCommands(node, rt);
  registerBiosCommands(node, rt);
  registerConsoleCommands(node, rt);
}
