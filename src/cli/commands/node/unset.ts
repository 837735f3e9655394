// `baremetal node unset`: remove node fields or dict keys with JSON Patch `remove` ops.

import type { Command } from 'commander';
import { argsToPatch, collect, dictPatch, optionKey, type PatchOp } from '../../args.js';
import { INTERFACE_KINDS } from '../../resource-fields.js';
import type { Runtime } from '../../runtime.js';
import { sendPatch } from '../common.js';
import { nodePath } from './shared.js';

// Flags in the order the stock client emits their `remove` ops.
const REMOVABLE_FIELDS = [
  'instance_uuid', 'name', 'chassis_uuid', 'resource_class', 'conductor_group', 'automated_clean',
  ...INTERFACE_KINDS.map((k) => `${k}_interface`),
  'protected', 'protected_reason', 'retired', 'retired_reason', 'owner', 'lessee', 'description',
];

export function registerNodeUnset(node: Command, rt: Runtime): void {
  const cmd = node
    .command('unset')
    .description('Unset baremetal properties')
    .argument('<node>', 'Name or UUID of the node.')
    .option('--target-raid-config', 'Unset the target RAID configuration of the node')
    .option('--property <key>', 'Property to unset on this baremetal node (repeatable)', collect)
    .option('--extra <key>', 'Extra to unset on this baremetal node (repeatable)', collect)
    .option('--driver-info <key>', 'Driver information to unset on this baremetal node (repeatable)', collect)
    .option('--instance-info <key>', 'Instance information to unset on this baremetal node (repeatable)', collect)
    .option('--network-data', 'Unset network data on this baremetal node.');
  for (const field of REMOVABLE_FIELDS) {
    cmd.option(`--${field.replace(/_/g, '-')}`, `Unset ${field.replace(/_/g, ' ')} on this baremetal node`);
  }
  cmd.action(async (ident: string, _opts: unknown, self: Command) => {
    const o = self.opts() as Record<string, unknown>;
    // Before the PATCH, which may remove the name the ident refers to.
    if (o.targetRaidConfig) await rt.client(self).request('PUT', nodePath(ident, '/states/raid'), {});
    const ops: PatchOp[] = [];
    for (const field of REMOVABLE_FIELDS) {
      if (o[optionKey(field)]) ops.push(...argsToPatch('remove', [field]));
    }
    ops.push(...dictPatch('remove', 'properties', o.property as string[] | undefined));
    ops.push(...dictPatch('remove', 'extra', o.extra as string[] | undefined));
    ops.push(...dictPatch('remove', 'driver_info', o.driverInfo as string[] | undefined));
    ops.push(...dictPatch('remove', 'instance_info', o.instanceInfo as string[] | undefined));
    if (o.networkData) ops.push(...argsToPatch('remove', ['network_data']));
    if (ops.length === 0 && o.targetRaidConfig) return;
    await sendPatch(rt, self, nodePath(ident), ops, 'unset');
  });
}
