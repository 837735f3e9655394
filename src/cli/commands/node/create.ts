// `baremetal node create`: POST /v1/nodes and print the node the server returns.

import type { Command } from 'commander';
import { collect, handleJsonArg, keyValuePairsToDict, optionKey } from '../../args.js';
import type { JsonValue } from '../../output/python-repr.js';
import { addShowOutputOptions } from '../../output/options.js';
import { INTERFACE_KINDS } from '../../resource-fields.js';
import type { Runtime } from '../../runtime.js';
import { printObject } from '../common.js';
import { NODE_SHOW_DROP } from './shared.js';

// Scalar options copied into the body when given, in the order the stock client sends them.
const SCALARS_BEFORE_INTERFACES = ['chassis_uuid', 'driver'] as const;
const SCALARS_AFTER_INTERFACES = ['resource_class', 'conductor_group'] as const;
const TRAILING_SCALARS = ['owner', 'lessee', 'description'] as const;

export function registerNodeCreate(node: Command, rt: Runtime): void {
  const cmd = node
    .command('create')
    .description('Register a new node with the baremetal service')
    .option('--chassis-uuid <chassis>', 'UUID of the chassis that this node belongs to.')
    .requiredOption('--driver <driver>', 'Driver used to control the node [REQUIRED].')
    .option('--driver-info <key=value>', 'Key/value pair used by the driver (repeatable).', collect)
    .option('--property <key=value>', 'Key/value pair describing the physical characteristics (repeatable).', collect)
    .option('--extra <key=value>', 'Record arbitrary key/value metadata (repeatable).', collect)
    .option('--uuid <uuid>', 'Unique UUID for the node.')
    .option('--name <name>', 'Unique name for the node.');
  for (const kind of INTERFACE_KINDS) {
    cmd.option(`--${kind}-interface <${kind}_interface>`, `${kind} interface used by the node's driver.`);
  }
  cmd
    .option('--network-data <network data>', "JSON string, YAML/JSON file or '-' for stdin: static network configuration.")
    .option('--resource-class <resource_class>', 'Resource class for mapping nodes to Nova flavors')
    .option('--conductor-group <conductor_group>', 'Conductor group the node will belong to')
    .option('--automated-clean', 'Enable automated cleaning for the node')
    .option('--no-automated-clean', 'Explicitly disable automated cleaning for the node')
    .option('--owner <owner>', 'Owner of the node.')
    .option('--lessee <lessee>', 'Lessee of the node.')
    .option('--description <description>', 'Description for the node.');
  addShowOutputOptions(cmd, rt).action(async (_opts: unknown, self: Command) => {
    const o = self.opts() as Record<string, unknown>;
    const body: Record<string, JsonValue> = {};
    const copy = (field: string): void => {
      const v = o[optionKey(field)];
      if (typeof v === 'string') body[field] = v;
    };
    SCALARS_BEFORE_INTERFACES.forEach(copy);
    const dicts: Array<[string, string]> = [['driver_info', 'driverInfo'], ['properties', 'property'], ['extra', 'extra']];
    for (const [field, key] of dicts) {
      const pairs = o[key] as string[] | undefined;
      if (pairs && pairs.length > 0) body[field] = keyValuePairsToDict(pairs);
    }
    copy('uuid');
    copy('name');
    INTERFACE_KINDS.forEach((k) => copy(`${k}_interface`));
    SCALARS_AFTER_INTERFACES.forEach(copy);
    if (typeof o.automatedClean === 'boolean') body.automated_clean = o.automatedClean;
    TRAILING_SCALARS.forEach(copy);
    if (typeof o.networkData === 'string' && o.networkData !== '') {
      body.network_data = (await handleJsonArg(o.networkData, 'static network configuration', rt.io.readStdin)) as JsonValue;
    }
    const { body: created } = await rt.client(self).post('/v1/nodes', body);
    const nodeObj = { ...(created as Record<string, unknown>) };
    if (!('chassis_uuid' in nodeObj)) nodeObj.chassis_uuid = '';
    printObject(rt, self, nodeObj, NODE_SHOW_DROP);
  });
}
