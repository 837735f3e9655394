// `baremetal volume connector create|set|unset`.

import { Option, type Command } from 'commander';
import { argsToPatch, collect, dictPatch, keyValuePairsToDict, type PatchOp } from '../../args.js';
import type { JsonValue } from '../../output/python-repr.js';
import { addShowOutputOptions } from '../../output/options.js';
import { VOLUME_CONNECTOR_DETAILED } from '../../resource-fields.js';
import type { Runtime } from '../../runtime.js';
import { printObject, sendPatch, withFields } from '../common.js';
import { connectorPath } from './path.js';

const TYPES = ['iqn', 'ip', 'mac', 'wwnn', 'wwpn', 'port', 'portgroup'];
// The stock client checks the type before sending anything (a usage error, exit status 2).
const typeOption = () => new Option('--type <type>', "Type of the volume connector. Can be 'iqn', 'ip', 'mac', 'wwnn', 'wwpn', 'port', 'portgroup'.").choices(TYPES);

interface ConnectorOptions { node?: string; type?: string; connectorId?: string; uuid?: string; extra?: string[] }

export function registerVolumeConnectorChange(group: Command, rt: Runtime): void {
  const create = group
    .command('create')
    .description('Create a new baremetal volume connector.')
    .requiredOption('--node <uuid>', 'UUID of the node that this volume connector belongs to.')
    .addOption(typeOption().makeOptionMandatory())
    .requiredOption('--connector-id <connector id>', 'ID of the volume connector in the specified type.')
    .option('--uuid <uuid>', 'UUID of the volume connector.')
    .option('--extra <key=value>', 'Record arbitrary key/value metadata. Can be specified multiple times.', collect);
  addShowOutputOptions(create, rt).action(async (opts: ConnectorOptions, self: Command) => {
    const body: Record<string, JsonValue> = {};
    if (opts.extra) body.extra = keyValuePairsToDict(opts.extra);
    if (opts.type !== undefined) body.type = opts.type;
    if (opts.connectorId !== undefined) body.connector_id = opts.connectorId;
    if (opts.node !== undefined) body.node_uuid = opts.node;
    if (opts.uuid !== undefined) body.uuid = opts.uuid;
    printObject(rt, self, withFields((await rt.client(self).post('/v1/volume/connectors', body)).body, VOLUME_CONNECTOR_DETAILED.fields));
  });

  group
    .command('set')
    .description('Set baremetal volume connector properties.')
    .argument('<volume connector>', 'UUID of the volume connector.')
    .option('--node <uuid>', 'UUID of the node that this volume connector belongs to.')
    .addOption(typeOption())
    .option('--connector-id <connector id>', 'ID of the volume connector in the specified type.')
    .option('--extra <key=value>', 'Record arbitrary key/value metadata. Can be specified multiple times.', collect)
    .action(async (ident: string, opts: ConnectorOptions, self: Command) => {
      const ops: PatchOp[] = [];
      if (opts.node) ops.push(...argsToPatch('add', [`node_uuid=${opts.node}`]));
      if (opts.type) ops.push(...argsToPatch('add', [`type=${opts.type}`]));
      if (opts.connectorId) ops.push(...argsToPatch('add', [`connector_id=${opts.connectorId}`]));
      ops.push(...dictPatch('add', 'extra', opts.extra));
      await sendPatch(rt, self, connectorPath(ident), ops, 'set');
    });

  group
    .command('unset')
    .description('Unset baremetal volume connector properties.')
    .argument('<volume connector>', 'UUID of the volume connector.')
    .option('--extra <key>', 'Extra to unset (repeat option to unset multiple extras)', collect)
    .action(async (ident: string, opts: { extra?: string[] }, self: Command) => {
      await sendPatch(rt, self, connectorPath(ident), dictPatch('remove', 'extra', opts.extra), 'unset');
    });
}
