// `baremetal node boot device set|show` and `baremetal node inject nmi`: the node's management
// interface, reached through /v1/nodes/{node}/management/*.

import type { Command } from 'commander';
import { UsageError } from '../../errors.js';
import { fetchObject } from '../../listing.js';
import { addShowOutputOptions } from '../../output/options.js';
import { pyStr, pyStrRepr } from '../../output/python-repr.js';
import type { Runtime } from '../../runtime.js';
import { printObject } from '../common.js';
import { nodePath } from './shared.js';

/** The devices ironicclient accepts; it checks locally, before asking the server. */
export const BOOT_DEVICES = ['pxe', 'disk', 'cdrom', 'bios', 'safe', 'wanboot'] as const;

export function registerManagementCommands(node: Command, rt: Runtime): void {
  const device = node.command('boot').description('Boot settings of a node').command('device').description('Boot device of a node');
  device
    .command('set')
    .description('Set the boot device for a node')
    .argument('<node>', 'Name or UUID of the node')
    .argument('<device>', `One of ${BOOT_DEVICES.join(', ')}`)
    .option('--persistent', 'Make changes persistent for all future boots')
    .action(async (ident: string, dev: string, o: { persistent?: boolean }, self: Command) => {
      if (!(BOOT_DEVICES as readonly string[]).includes(dev)) {
        throw new UsageError(
          `argument <device>: invalid choice: ${pyStrRepr(dev)} (choose from ${BOOT_DEVICES.map(pyStrRepr).join(', ')})`,
        );
      }
      const body = { boot_device: dev, persistent: Boolean(o.persistent) };
      await rt.client(self).request('PUT', nodePath(ident, '/management/boot_device'), body);
    });
  const show = device
    .command('show')
    .description('Show the boot device information for a node')
    .argument('<node>', 'Name or UUID of the node')
    .option('--supported', 'Show the supported boot devices');
  addShowOutputOptions(show, rt).action(async (ident: string, o: { supported?: boolean }, self: Command) => {
    const client = rt.client(self);
    if (o.supported) {
      const info = await fetchObject(client, nodePath(ident, '/management/boot_device/supported'));
      const list = Array.isArray(info.supported_boot_devices) ? info.supported_boot_devices : [];
      printObject(rt, self, { ...info, supported_boot_devices: list.map((d) => pyStr(d)).join(', ') });
      return;
    }
    printObject(rt, self, await fetchObject(client, nodePath(ident, '/management/boot_device')));
  });

  node
    .command('inject')
    .description('Inject events into a node')
    .command('nmi')
    .description('Inject NMI to baremetal node')
    .argument('<node>', 'Name or UUID of the node.')
    .action(async (ident: string, _o: unknown, self: Command) => {
      await rt.client(self).request('PUT', nodePath(ident, '/management/inject_nmi'), {});
    });
}
