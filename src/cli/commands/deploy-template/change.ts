// `baremetal deploy template create|set|unset`.

import type { Command } from 'commander';
import { argsToPatch, collect, dictPatch, handleJsonArg, keyValuePairsToDict, type PatchOp } from '../../args.js';
import type { JsonValue } from '../../output/python-repr.js';
import { addShowOutputOptions } from '../../output/options.js';
import { DEPLOY_TEMPLATE_DETAILED } from '../../resource-fields.js';
import type { Runtime } from '../../runtime.js';
import { printObject, sendPatch, withFields } from '../common.js';
import { deployTemplatePath } from './path.js';

const STEPS_HELP = "The deploy steps. May be the path to a YAML file containing the deploy steps; OR '-', with the deploy " +
  'steps being read from standard input; OR a JSON string. The value should be a list of deploy-step dictionaries; ' +
  'each dictionary should have keys \'interface\', \'step\', \'args\' and \'priority\'.';

export function registerDeployTemplateChange(group: Command, rt: Runtime): void {
  const create = group
    .command('create')
    .description('Create a new deploy template')
    .argument('<name>', 'Unique name for this deploy template. Must be a valid trait name')
    .option('--uuid <uuid>', 'UUID of the deploy template.')
    .option('--extra <key=value>', 'Record arbitrary key/value metadata. Can be specified multiple times.', collect)
    .requiredOption('--steps <steps>', STEPS_HELP);
  addShowOutputOptions(create, rt).action(async (name: string, opts: { uuid?: string; extra?: string[]; steps: string }, self: Command) => {
    const steps = (await handleJsonArg(opts.steps, 'deploy steps', rt.io.readStdin)) as JsonValue;
    const body: Record<string, JsonValue> = { steps, name };
    if (opts.uuid !== undefined) body.uuid = opts.uuid;
    if (opts.extra) body.extra = keyValuePairsToDict(opts.extra);
    printObject(rt, self, withFields((await rt.client(self).post('/v1/deploy_templates', body)).body, DEPLOY_TEMPLATE_DETAILED.fields));
  });

  group
    .command('set')
    .description('Set baremetal deploy template properties.')
    .argument('<template>', 'Name or UUID of the deploy template')
    .option('--name <name>', 'Set unique name of the deploy template. Must be a valid trait name.')
    .option('--steps <steps>', STEPS_HELP)
    .option('--extra <key=value>', 'Extra to set on this baremetal deploy template (repeat option to set multiple extras).', collect)
    .action(async (ident: string, opts: { name?: string; steps?: string; extra?: string[] }, self: Command) => {
      const ops: PatchOp[] = [];
      if (opts.name) ops.push(...argsToPatch('add', [`name=${opts.name}`]));
      if (opts.steps) {
        const steps = await handleJsonArg(opts.steps, 'deploy steps', rt.io.readStdin);
        ops.push(...argsToPatch('add', [`steps=${JSON.stringify(steps)}`]));
      }
      ops.push(...dictPatch('add', 'extra', opts.extra));
      await sendPatch(rt, self, deployTemplatePath(ident), ops, 'set');
    });

  group
    .command('unset')
    .description('Unset baremetal deploy template properties.')
    .argument('<template>', 'Name or UUID of the deploy template')
    .option('--extra <key>', 'Extra to unset on this baremetal deploy template (repeat option to unset multiple extras).', collect)
    .action(async (ident: string, opts: { extra?: string[] }, self: Command) => {
      await sendPatch(rt, self, deployTemplatePath(ident), dictPatch('remove', 'extra', opts.extra), 'unset');
    });
}
