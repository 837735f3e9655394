// The `baremetal deploy template` topic, with the stock client's options and output.

import type { Command } from 'commander';
import type { Runtime } from '../../runtime.js';
import { registerDeployTemplateChange } from './change.js';
import { registerDeployTemplateRead } from './read.js';

export function registerDeployTemplateCommands(program: Command, rt: Runtime): void {
  const deploy = program.commands.find((c) => c.name() === 'deploy') ?? program.command('deploy').description('Bare metal deploy templates');
  const group = deploy.command('template').description('Bare metal deploy templates');
  registerDeployTemplateChange(group, rt);
  registerDeployTemplateRead(group, rt);
}
