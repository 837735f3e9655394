// Adds one command-line flag per setting (from the settings table) and turns parsed options into config.
import type { Command } from 'commander';
import { SETTINGS, envName, flagName, loadConfig, refuseSecretFlags, type Config, type SettingName, type SettingSpec } from '../../common/config.js';
import { defaultText } from '../../common/config-docs.js';

// Help text names each flag's environment variable and default. The default is only shown, never given to
// commander: a parsed default would outrank the config file and the environment.
export function addSettingFlags(cmd: Command): Command {
  cmd.option('--config <file>', 'YAML or JSON config file (also ANVIL_CONFIG)');
  for (const [name, s] of Object.entries(SETTINGS) as [SettingName, SettingSpec][]) {
    // Secret flags stay known to the parser so that using one gets the explanation, not "unknown option".
    if (s.secret) {
      cmd.option(`${flagName(name)} <value>`, `refused (key material): use ${envName(name)} or a file`);
    } else if (s.kind === 'boolean') {
      // A plain switch and its --no- form; neither given leaves the file, environment or default in charge.
      cmd.option(flagName(name), `${s.doc} (env ${envName(name)}; default: ${defaultText(s)})`);
      cmd.option(`--no-${flagName(name).slice(2)}`, `turn ${flagName(name)} off`);
    } else {
      cmd.option(`${flagName(name)} <value>`, `${s.doc} (env ${envName(name)}; default: ${defaultText(s)})`);
    }
  }
  return cmd;
}

export function configFromOptions(opts: Record<string, unknown>): Config {
  const flags: Partial<Record<SettingName, unknown>> = {};
  for (const name of Object.keys(SETTINGS) as SettingName[]) if (opts[name] !== undefined) flags[name] = opts[name];
  refuseSecretFlags(flags);
  return loadConfig({ file: opts.config as string | undefined, flags });
}
