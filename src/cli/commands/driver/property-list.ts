// `baremetal driver property list`: the driver_info keys a driver understands, with help text.

import type { Command } from 'commander';
import { fetchObject, seg } from '../../listing.js';
import { addListOutputOptions } from '../../output/options.js';
import type { Runtime } from '../../runtime.js';
import { printRows } from '../common.js';

export function registerDriverPropertyList(driver: Command, rt: Runtime): void {
  const property = driver.command('property').description('Driver properties');
  const cmd = property
    .command('list')
    .description('List the driver properties.')
    .argument('<driver>', 'Name of the driver.');
  addListOutputOptions(cmd, rt).action(async (name: string, _opts: unknown, self: Command) => {
    const props = await fetchObject(rt.client(self), `/v1/drivers/${seg(name)}/properties`);
    const rows = Object.keys(props)
      .sort()
      .map((k) => [k, props[k]]);
    printRows(rt, self, ['Property', 'Description'], rows);
  });
}
