// The `baremetal volume connector` and `baremetal volume target` topics, with the stock client's options and output.

import type { Command } from 'commander';
import type { Runtime } from '../../runtime.js';
import { registerVolumeConnectorChange } from './connector-change.js';
import { registerVolumeTargetChange } from './target-change.js';
import { CONNECTORS, TARGETS, registerVolumeRead } from './volume-read.js';

export function registerVolumeCommands(program: Command, rt: Runtime): void {
  const volume = program.command('volume').description('Bare metal volume connectors and targets');
  const connector = volume.command('connector').description('Bare metal volume connectors');
  registerVolumeConnectorChange(connector, rt);
  registerVolumeRead(connector, rt, CONNECTORS);
  const target = volume.command('target').description('Bare metal volume targets');
  registerVolumeTargetChange(target, rt);
  registerVolumeRead(target, rt, TARGETS);
}
