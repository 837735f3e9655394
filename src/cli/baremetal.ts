// Process entry point of the `baremetal` CLI (loaded by bin/baremetal.js): wires the real
// streams and environment into runCli and sets the exit status.

import { runCli } from './program.js';

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks).toString('utf8');
}

const code = await runCli(process.argv.slice(2), {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  readStdin,
  env: process.env,
  terminalWidth: process.stdout.isTTY ? process.stdout.columns : undefined,
});
// exitCode rather than exit(): lets piped stdout drain before the process ends.
process.exitCode = code;
