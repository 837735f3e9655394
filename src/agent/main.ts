// `anvil-agent`: the deploy agent's entry point (bin/anvil-agent.js; bundle this file for a ramdisk).
// Parses flags and the kernel command line, keeps the recent log for log collection, runs until the API is
// stopped (rescue, lockdown) or a signal arrives.
import { log, setLogLevel, setLogSink } from '../common/log.js';
import { runAgent } from './agent.js';
import { agentProgram, readKernelParams, resolveOptions } from './options.js';
import { CERTIFICATE_CHILD_ENV, makeCertificatesInChild, printCertificate } from './tls-child.js';

const KEEP_LINES = 5000;

async function main(argv: string[]): Promise<void> {
  const program = agentProgram();
  program.parse(argv);
  const flags = program.opts();
  const options = resolveOptions(flags, readKernelParams(flags));
  setLogLevel(options.debug ? 'debug' : 'info');
  const recent: string[] = [];
  setLogSink((line) => {
    recent.push(line);
    if (recent.length > KEEP_LINES) recent.splice(0, recent.length - KEEP_LINES);
    process.stderr.write(line + '\n');
  });
  log.info('Starting anvil-agent', { version: options.agentVersion, api: options.apiUrls.join(','), standalone: options.standalone });
  const agent = await runAgent(options, () => recent);
  for (const sig of ['SIGTERM', 'SIGINT'] as const) process.once(sig, () => void agent.stop().then(() => process.exit(0)));
  const reason = await agent.stopped;
  // After rescue or lockdown IPA stays up doing nothing (a restart would hand the node a fresh agent).
  if (reason === 'stopped') process.exit(0);
  log.info('Agent idle after stop', { reason });
  setInterval(() => undefined, 2 ** 30);
}

const certificateFor = process.env[CERTIFICATE_CHILD_ENV];
if (certificateFor) {
  printCertificate(certificateFor).catch((err: Error) => {
    process.stderr.write(`${err.message}\n`);
    process.exitCode = 1;
  });
} else {
  makeCertificatesInChild(process.argv[1]!);
  main(process.argv).catch((err: Error) => {
    log.error('anvil-agent failed', { error: err.message });
    process.exitCode = 1;
  });
}
