// The `baremetal` program: global `--os-*` options, the resource topics, and the mapping of
// failures to messages and exit statuses. Importable; `baremetal.ts` is the process entry.

import { Command, CommanderError, Option } from 'commander';
import { registerChassisCommands } from './commands/chassis/index.js';
import { registerAllocationCommands } from './commands/allocation/index.js';
import { registerDeployTemplateCommands } from './commands/deploy-template/index.js';
import { registerVolumeCommands } from './commands/volume/index.js';
import { registerConductorCommands } from './commands/conductor/index.js';
import { registerDriverCommands } from './commands/driver/index.js';
import { registerNodeCommands } from './commands/node/index.js';
import { registerPortCommands } from './commands/port/index.js';
import { CliError, UsageError } from './errors.js';
import { DEFAULT_ENDPOINT, Runtime, type CliIo } from './runtime.js';

export type { CliIo } from './runtime.js';

const VERSION = '0.1.0';

/** Builds the command tree; output goes through `rt.io`. */
export function buildProgram(rt: Runtime): Command {
  const program = new Command('baremetal');
  program
    .description('Command-line client for the bare metal provisioning API (Ironic-compatible)')
    .version(VERSION, '--version', 'show program version number and exit')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => rt.io.stdout(s),
      writeErr: (s) => rt.io.stderr(s),
    })
    .showSuggestionAfterError()
    .option('--os-endpoint <endpoint>', `bare metal API endpoint (Env: OS_ENDPOINT, default ${DEFAULT_ENDPOINT})`)
    .addOption(
      new Option('--os-auth-type <auth-type>', 'authentication type: none or http_basic (Env: OS_AUTH_TYPE)').choices([
        'none',
        'noauth',
        'http_basic',
      ]),
    )
    .option('--os-username <username>', 'user name for http_basic (Env: OS_USERNAME)')
    .option('--os-password <password>', 'password for http_basic (Env: OS_PASSWORD)')
    .option(
      '--os-baremetal-api-version <baremetal-api-version>',
      'bare metal API version, default "latest" (the maximum the server supports) (Env: OS_BAREMETAL_API_VERSION)',
    )
    .option('--os-cacert <ca-bundle-file>', 'PEM bundle of CA certificates to verify an https endpoint with (Env: OS_CACERT)')
    .option('--insecure', 'do not verify the https endpoint\'s certificate (testing only)')
    .option('--debug', 'show HTTP requests and responses on stderr');
  // Subcommands copy the settings above (exitOverride, output routing) when created.
  registerNodeCommands(program, rt);
  registerPortCommands(program, rt);
  registerChassisCommands(program, rt);
  registerDriverCommands(program, rt);
  registerConductorCommands(program, rt);
  registerAllocationCommands(program, rt);
  registerDeployTemplateCommands(program, rt);
  registerVolumeCommands(program, rt);
  return program;
}

/**
 * Runs one invocation and resolves to the exit status: 0 success, 1 command failure
 * (API error, unreachable server), 2 bad usage.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const rt = new Runtime(io);
  const program = buildProgram(rt);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version requests end through the same path as errors.
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return 0;
      return err.exitCode === 0 ? 0 : 2;
    }
    if (err instanceof CliError) {
      rt.warn(err instanceof UsageError ? `error: ${err.message}` : err.message);
      return err.exitCode;
    }
    const debug = argv.includes('--debug');
    rt.warn(debug && err instanceof Error && err.stack ? err.stack : String((err as Error)?.message ?? err));
    return 1;
  }
}
