// `baremetal node trait list`, `baremetal node add trait` and `baremetal node remove trait`: the node's
// traits under /v1/nodes/{node}/traits (API 1.37). Adding and removing go one trait at a time, like
// the stock client, so one bad trait does not stop the others.

import type { Command } from 'commander';
import { CliError, UsageError } from '../../errors.js';
import { seg } from '../../listing.js';
import { addListOutputOptions } from '../../output/options.js';
import type { Runtime } from '../../runtime.js';
import { printRows } from '../common.js';
import { nodePath } from './shared.js';

/** Runs `step` for each trait, printing `<done> trait X` and collecting failures for one final error. */
async function eachTrait(
  rt: Runtime,
  traits: readonly string[],
  done: string,
  verb: string,
  step: (trait: string) => Promise<unknown>,
): Promise<void> {
  const failures: string[] = [];
  for (const trait of traits) {
    try {
      await step(trait);
      rt.io.stdout(`${done} trait ${trait}\n`);
    } catch (err) {
      if (!(err instanceof CliError)) throw err;
      failures.push(`Failed to ${verb} trait ${trait}: ${err.message}`);
    }
  }
  if (failures.length > 0) throw new CliError(failures.join('\n'));
}

export function registerTraitCommands(node: Command, rt: Runtime): void {
  const list = node
    .command('trait')
    .description("A node's traits")
    .command('list')
    .description("List a node's traits.")
    .argument('<node>', 'Name or UUID of the node');
  addListOutputOptions(list, rt).action(async (ident: string, _o: unknown, self: Command) => {
    const { body } = await rt.client(self).get(nodePath(ident, '/traits'));
    const traits = (body as { traits?: unknown } | undefined)?.traits;
    printRows(rt, self, ['Traits'], (Array.isArray(traits) ? traits : []).map((t) => [t]));
  });

  node
    .command('add')
    .description('Add things to a node')
    .command('trait')
    .description('Add traits to a node.')
    .argument('<node>', 'Name or UUID of the node')
    .argument('<trait...>', 'Trait(s) to add')
    .action(async (ident: string, traits: string[], _o: unknown, self: Command) => {
      const client = rt.client(self);
      await eachTrait(rt, traits, 'Added', 'add', (t) => client.request('PUT', nodePath(ident, `/traits/${seg(t)}`)));
    });

  node
    .command('remove')
    .description('Remove things from a node')
    .command('trait')
    .description('Remove trait(s) from a node.')
    .argument('<node>', 'Name or UUID of the node')
    .argument('[trait...]', 'Trait(s) to remove')
    .option('--all', 'Remove all traits')
    .action(async (ident: string, traits: string[], o: { all?: boolean }, self: Command) => {
      // argparse's required mutually exclusive group of `--all` and the trait list.
      if (o.all && traits.length > 0) throw new UsageError(`unrecognized arguments: ${traits.join(' ')}`);
      if (!o.all && traits.length === 0) throw new UsageError('one of the arguments --all <trait> is required');
      const client = rt.client(self);
      if (o.all) {
        await client.delete(nodePath(ident, '/traits'));
        return;
      }
      await eachTrait(rt, traits, 'Removed', 'remove', (t) => client.delete(nodePath(ident, `/traits/${seg(t)}`)));
    });
}
