// Runs the `baremetal` program in-process against a FakeApi: captured stdout/stderr, exit status, and
// no real waiting (retry and poll sleeps resolve at once and are recorded).
import { runCli } from '../../src/cli/program.js';
import type { FakeApi } from './fake-api.js';

export interface CliRun {
  readonly out: string;
  readonly err: string;
  readonly code: number;
  /** Every sleep the CLI asked for, in milliseconds. */
  readonly sleeps: readonly number[];
}

export interface CliRunOptions {
  readonly stdin?: string;
  readonly env?: Readonly<Record<string, string>>;
}

export async function runWith(api: FakeApi, argv: readonly string[], options: CliRunOptions = {}): Promise<CliRun> {
  let out = '';
  let err = '';
  const sleeps: number[] = [];
  const code = await runCli(argv, {
    stdout: (s) => (out += s),
    stderr: (s) => (err += s),
    readStdin: () => Promise.resolve(options.stdin ?? ''),
    env: { ANVIL_CLI_RETRY_DELAY_MS: '0', ...options.env },
    fetch: api.fetch,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  });
  return { out, err, code, sleeps };
}
