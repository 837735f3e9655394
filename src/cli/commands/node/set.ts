// `baremetal node set`: change node fields with a JSON Patch (`add` ops, as the stock client sends).

import { Option, type Command } from 'commander';
import { argsToPatch, collect, dictPatch, handleJsonArg, optionKey, type PatchOp } from '../../args.js';
import { CliError } from '../../errors.js';
import { buildQuery } from '../../listing.js';
import { INTERFACE_KINDS } from '../../resource-fields.js';
import type { Runtime } from '../../runtime.js';
import { sendPatch } from '../common.js';
import { nodePath } from './shared.js';

// Scalar fields set with `add /<field>`; an empty value counts as "not given", like the stock client.
const SCALAR_FIELDS = [
  'instance_uuid', 'name', 'chassis_uuid', 'driver', 'resource_class', 'conductor_group', 'protected',
  'protected_reason', 'retired', 'retired_reason', 'owner', 'lessee', 'description',
] as const;

/** `--x` flags become the text "True", which the stock client sends as a string and Ironic accepts. */
function scalarText(v: unknown): string | undefined {
  if (v === true) return 'True';
  return typeof v === 'string' && v !== '' ? v : undefined;
}

export function registerNodeSet(node: Command, rt: Runtime): void {
  const cmd = node
    .command('set')
    .description('Set baremetal properties')
    .argument('<node>', 'Name or UUID of the node.')
    .option('--instance-uuid <uuid>', 'Set instance UUID of node to <uuid>')
    .option('--name <name>', 'Set the name of the node')
    .option('--chassis-uuid <chassis UUID>', 'Set the chassis for the node')
    .option('--driver <driver>', 'Set the driver for the node');
  for (const kind of INTERFACE_KINDS) {
    cmd.addOption(
      new Option(`--${kind}-interface <${kind}_interface>`, `Set the ${kind} interface for the node`).conflicts(
        optionKey(`reset_${kind}_interface`),
      ),
    );
    cmd.option(`--reset-${kind}-interface`, `Reset the ${kind} interface to its hardware type default`);
  }
  cmd
    .option('--network-data <network data>', "JSON string, YAML/JSON file or '-' for stdin: static network configuration.")
    .option('--reset-interfaces', 'Reset all interfaces not specified explicitly to their defaults. Only valid with --driver.')
    .option('--resource-class <resource_class>', 'Set the resource class for the node')
    .option('--conductor-group <conductor_group>', 'Set the conductor group for the node')
    .option('--automated-clean', 'Enable automated cleaning for the node')
    .option('--no-automated-clean', 'Explicitly disable automated cleaning for the node')
    .option('--protected', 'Mark the node as protected')
    .option('--protected-reason <protected_reason>', 'Set the reason of marking the node as protected')
    .option('--retired', 'Mark the node as retired')
    .option('--retired-reason <retired_reason>', 'Set the reason of marking the node as retired')
    .option('--target-raid-config <target_raid_config>', "Target RAID configuration: JSON, a YAML file or '-'.")
    .option('--property <key=value>', 'Property to set on this baremetal node (repeatable)', collect)
    .option('--extra <key=value>', 'Extra to set on this baremetal node (repeatable)', collect)
    .option('--driver-info <key=value>', 'Driver information to set on this baremetal node (repeatable)', collect)
    .option('--instance-info <key=value>', 'Instance information to set on this baremetal node (repeatable)', collect)
    .option('--owner <owner>', 'Set the owner for the node')
    .option('--lessee <lessee>', 'Set the lessee for the node')
    .option('--description <description>', 'Set the description for the node')
    .action(async (ident: string, _opts: unknown, self: Command) => {
      const o = self.opts() as Record<string, unknown>;
      const client = rt.client(self);
      // Before the PATCH: the PATCH may rename the node the ident refers to.
      const raid = o.targetRaidConfig;
      if (typeof raid === 'string' && raid !== '') {
        const config = await handleJsonArg(raid, 'target_raid_config', rt.io.readStdin);
        await client.request('PUT', nodePath(ident, '/states/raid'), config);
      }
      const ops: PatchOp[] = [];
      for (const field of SCALAR_FIELDS) {
        const text = scalarText(o[optionKey(field)]);
        if (text !== undefined) ops.push(...argsToPatch('add', [`${field}=${text}`]));
      }
      if (typeof o.automatedClean === 'boolean') {
        ops.push(...argsToPatch('add', [`automated_clean=${o.automatedClean ? 'True' : 'False'}`]));
      }
      if (o.resetInterfaces && !o.driver) throw new CliError('--reset-interfaces can only be specified with --driver');
      for (const kind of INTERFACE_KINDS) {
        const value = o[optionKey(`${kind}_interface`)];
        if (typeof value === 'string' && value !== '') ops.push(...argsToPatch('add', [`${kind}_interface=${value}`]));
        else if (o[optionKey(`reset_${kind}_interface`)]) ops.push(...argsToPatch('remove', [`${kind}_interface`]));
      }
      ops.push(...dictPatch('add', 'properties', o.property as string[] | undefined));
      ops.push(...dictPatch('add', 'extra', o.extra as string[] | undefined));
      ops.push(...dictPatch('add', 'driver_info', o.driverInfo as string[] | undefined));
      ops.push(...dictPatch('add', 'instance_info', o.instanceInfo as string[] | undefined));
      if (typeof o.networkData === 'string' && o.networkData !== '') {
        const data = await handleJsonArg(o.networkData, 'static network configuration', rt.io.readStdin);
        ops.push(...argsToPatch('add', [`network_data=${JSON.stringify(data)}`]));
      }
      if (ops.length === 0 && typeof raid === 'string' && raid !== '') return;
      const query = buildQuery([['reset_interfaces', o.resetInterfaces ? true : undefined]]);
      await sendPatch(rt, self, nodePath(ident, query), ops, 'set');
    });
}
