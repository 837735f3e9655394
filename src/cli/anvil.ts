// `anvil`: the service's own command line — run the service, migrate the database, rotate the encryption key,
// inspect and prune the image cache, build the deploy ramdisk, run a virtual lab.
import { Command } from 'commander';
import { registerServe } from './service/serve.js';
import { registerDbMigrate } from './service/db-migrate.js';
import { registerRekey } from './service/rekey.js';
import { registerImageCache } from './service/image-cache.js';
import { registerRamdisk } from './service/ramdisk.js';
import { registerLab } from './service/lab.js';

const program = new Command('anvil').description('Anvil bare-metal provisioning service').showHelpAfterError();
registerServe(program);
registerDbMigrate(program);
registerRekey(program);
registerImageCache(program);
registerRamdisk(program);
registerLab(program);
program.parseAsync(process.argv).catch((err: Error) => {
  process.stderr.write(`anvil: ${err.message}\n`);
  process.exit(1);
});
