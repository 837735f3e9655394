// The `baremetal volume connector` topic, with the stock client's options and output.

import type { Command } from 'commander';
import type { Runtime } from '../../runtime.js';
import { registerVolumeConnectorChange } from './connector-change.js';
import { registerVolumeConnectorRead } from './connector-read.js';

export function registerVolumeCommands(program: Command, rt: Runtime): void {
  const volume = program.command('volume').description('Bare metal volume connectors and targets');
  const connector = volume.command('connector').description('Bare metal volume connectors');
  registerVolumeConnectorChange(connector, rt);
  registerVolumeConnectorRead(connector, rt);
}
