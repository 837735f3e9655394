// `anvil serve`: run API and conductor in this process until SIGINT/SIGTERM.
import type { Command } from 'commander';
import { log } from '../../common/log.js';
import { startService } from '../../service.js';
import { addSettingFlags, configFromOptions } from './settings-options.js';

export function registerServe(program: Command): void {
  addSettingFlags(program.command('serve').description('Run the API and conductor (all in one process)'))
    .action(async (opts: Record<string, unknown>) => {
      const service = await startService(configFromOptions(opts));
      process.stdout.write(`Anvil is serving the bare metal API on ${service.url}\n`);
      let stopping = false;
      const stop = (signal: NodeJS.Signals) => {
        if (stopping) return;
        stopping = true;
        log.info(`${signal} received: stopping`);
        void service.close().then(() => process.exit(0), (err: Error) => {
          log.error('stopping failed', { error: err.message });
          process.exit(1);
        });
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
}
