// `baremetal volume target create|set|unset`.

import type { Command } from 'commander';
import { argsToPatch, collect, dictPatch, keyValuePairsToDict, type PatchOp } from '../../args.js';
import { CliError, UsageError } from '../../errors.js';
import { pyStrRepr, type JsonValue } from '../../output/python-repr.js';
import { addShowOutputOptions } from '../../output/options.js';
import { VOLUME_TARGET_DETAILED } from '../../resource-fields.js';
import type { Runtime } from '../../runtime.js';
import { printObject, sendPatch, withFields } from '../common.js';
import { targetPath } from './path.js';

interface TargetOptions { node?: string; type?: string; property?: string[]; bootIndex?: string; volumeId?: string; uuid?: string; extra?: string[] }

/** argparse's type=int, then the stock client's own check for a negative index. */
function bootIndex(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\s*[-+]?\d+\s*$/.test(raw)) throw new UsageError(`argument --boot-index: invalid int value: ${pyStrRepr(raw)}`);
  const n = Number(raw);
  if (n < 0) throw new CliError(`Expected non-negative --boot-index, got ${n}`);
  return n;
}

export function registerVolumeTargetChange(group: Command, rt: Runtime): void {
  const create = group
    .command('create')
    .description('Create a new baremetal volume target.')
    .requiredOption('--node <uuid>', 'UUID of the node that this volume target belongs to.')
    .requiredOption('--type <volume type>', "Type of the volume target, e.g. 'iscsi', 'fibre_channel'.")
    .option('--property <key=value>', 'Key/value property related to the type of this volume target. Can be specified multiple times.', collect)
    .requiredOption('--boot-index <boot index>', 'Boot index of the volume target.')
    .requiredOption('--volume-id <volume id>', 'ID of the volume associated with this target.')
    .option('--uuid <uuid>', 'UUID of the volume target.')
    .option('--extra <key=value>', 'Record arbitrary key/value metadata. Can be specified multiple times.', collect);
  addShowOutputOptions(create, rt).action(async (opts: TargetOptions, self: Command) => {
    const body: Record<string, JsonValue> = { boot_index: bootIndex(opts.bootIndex)! };
    if (opts.extra) body.extra = keyValuePairsToDict(opts.extra);
    if (opts.type !== undefined) body.volume_type = opts.type;
    if (opts.property) body.properties = keyValuePairsToDict(opts.property);
    if (opts.node !== undefined) body.node_uuid = opts.node;
    if (opts.volumeId !== undefined) body.volume_id = opts.volumeId;
    if (opts.uuid !== undefined) body.uuid = opts.uuid;
    printObject(rt, self, withFields((await rt.client(self).post('/v1/volume/targets', body)).body, VOLUME_TARGET_DETAILED.fields));
  });

  group
    .command('set')
    .description('Set baremetal volume target properties.')
    .argument('<volume target>', 'UUID of the volume target.')
    .option('--node <uuid>', 'UUID of the node that this volume target belongs to.')
    .option('--type <volume type>', "Type of the volume target, e.g. 'iscsi', 'fibre_channel'.")
    .option('--property <key=value>', 'Key/value property related to the type of this volume target. Can be specified multiple times.', collect)
    .option('--boot-index <boot index>', 'Boot index of the volume target.')
    .option('--volume-id <volume id>', 'ID of the volume associated with this target.')
    .option('--extra <key=value>', 'Record arbitrary key/value metadata. Can be specified multiple times.', collect)
    .action(async (ident: string, opts: TargetOptions, self: Command) => {
      const index = bootIndex(opts.bootIndex);
      const ops: PatchOp[] = [];
      if (opts.node) ops.push(...argsToPatch('add', [`node_uuid=${opts.node}`]));
      if (opts.type) ops.push(...argsToPatch('add', [`volume_type=${opts.type}`]));
      // As the stock client: an index of 0 is falsy there and not sent.
      if (index) ops.push(...argsToPatch('add', [`boot_index=${index}`]));
      if (opts.volumeId) ops.push(...argsToPatch('add', [`volume_id=${opts.volumeId}`]));
      ops.push(...dictPatch('add', 'properties', opts.property));
      ops.push(...dictPatch('add', 'extra', opts.extra));
      await sendPatch(rt, self, targetPath(ident), ops, 'set');
    });

  group
    .command('unset')
    .description('Unset baremetal volume target properties.')
    .argument('<volume target>', 'UUID of the volume target.')
    .option('--extra <key>', 'Extra to unset (repeat option to unset multiple extras)', collect)
    .option('--property <key>', 'Property to unset on this baremetal volume target (repeat option to unset multiple properties).', collect)
    .action(async (ident: string, opts: { extra?: string[]; property?: string[] }, self: Command) => {
      await sendPatch(rt, self, targetPath(ident), [...dictPatch('remove', 'extra', opts.extra), ...dictPatch('remove', 'properties', opts.property)], 'unset');
    });
}
