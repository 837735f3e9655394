// Adds one command-line flag per setting (from the settings table) and turns parsed options into config.
import type { Command } from 'commander';
import { SETTINGS, envName, flagName, loadConfig, refuseSecretFlags, type Config, type SettingName, type SettingSpec } from '../../common/config.js';

export function addSettingFlags(cmd: Command): Command {
  cmd.option('--config <file>', 'YAML or JSON config file (also ANVIL_CONFIG)');
  for (const [name, spec] of Object.entries(SETTINGS) as [SettingName, (typeof SETTINGS)[SettingName]][]) {
    // Secret flags stay known to the parser so that using one gets the explanation, not "unknown option".
    const secret = (spec as SettingSpec).secret;
    cmd.option(`${flagName(name)} <value>`, secret ? `refused (key material): use ${envName(name)} or a file` : spec.doc);
  }
  return cmd;
}

export function configFromOptions(opts: Record<string, unknown>): Config {
  const flags: Partial<Record<SettingName, unknown>> = {};
  for (const name of Object.keys(SETTINGS) as SettingName[]) if (opts[name] !== undefined) flags[name] = opts[name];
  refuseSecretFlags(flags);
  return loadConfig({ file: opts.config as string | undefined, flags });
}
