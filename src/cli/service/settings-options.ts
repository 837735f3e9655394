// Adds one command-line flag per setting (from the settings table) and turns parsed options into config.
import type { Command } from 'commander';
import { SETTINGS, flagName, loadConfig, type Config, type SettingName } from '../../common/config.js';

export function addSettingFlags(cmd: Command): Command {
  cmd.option('--config <file>', 'YAML or JSON config file (also ANVIL_CONFIG)');
  for (const [name, spec] of Object.entries(SETTINGS) as [SettingName, (typeof SETTINGS)[SettingName]][]) {
    cmd.option(`${flagName(name)} <value>`, spec.doc);
  }
  return cmd;
}

export function configFromOptions(opts: Record<string, unknown>): Config {
  const flags: Partial<Record<SettingName, unknown>> = {};
  for (const name of Object.keys(SETTINGS) as SettingName[]) if (opts[name] !== undefined) flags[name] = opts[name];
  return loadConfig({ file: opts.config as string | undefined, flags });
}
