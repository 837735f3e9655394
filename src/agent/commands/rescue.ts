// rescue.finalize_rescue: the password for the `rescue` user — hashed with SHA-512 crypt unless the
// conductor sent a hash already (`hashed: true`) — goes where IPA's ramdisk units expect it
// (/etc/ipa-rescue-config/ipa-rescue-password), is applied to the `rescue` user (created if missing) unless
// --no-rescue-user, and the agent stops its API: from now on the node belongs to the rescuer.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Extension } from '../command-runner.js';
import { CommandExecutionError, InvalidCommandParamsError } from '../errors.js';
import type { AgentRuntime } from '../runtime.js';
import { runArgv } from './shell.js';

export const RESCUE_USER = 'rescue';

function shellQuote(s: string): string {
  return `'${s.replaceAll("'", "'\\''")}'`;
}

export function rescueExtension(rt: AgentRuntime): Extension {
  return {
    finalize_rescue: {
      mode: 'sync',
      validate: (params) => {
        if (typeof params.rescue_password !== 'string' || params.rescue_password === '') throw new InvalidCommandParamsError('rescue_password must be a non-empty string.');
        if (params.hashed !== undefined && typeof params.hashed !== 'boolean') throw new InvalidCommandParamsError('hashed must be a boolean.');
      },
      run: async (params) => {
        const password = params.rescue_password as string;
        // Loaded on use: the agent stays small while it streams images (RSS matters in a ramdisk).
        const hash = params.hashed === true ? password : (await import('unixcrypt')).encrypt(password);
        if (!/^\$[0-9a-z]+\$/.test(hash)) throw new InvalidCommandParamsError('A hashed rescue_password must be a crypt(3) hash such as $6$salt$…');
        const file = rt.options.rescuePasswordFile;
        await mkdir(dirname(file), { recursive: true });
        await writeFile(file, hash + '\n', { mode: 0o600 });
        if (rt.options.rescueUser) {
          const exists = await runArgv('id', ['-u', RESCUE_USER]);
          if (exists.code !== 0) {
            const add = await runArgv('useradd', ['-m', '-s', '/bin/bash', RESCUE_USER]);
            if (add.code !== 0) throw new CommandExecutionError(`useradd ${RESCUE_USER} failed: ${add.stderr.trim()}`);
          }
          const set = await runArgv('/bin/sh', ['-c', `printf '%s\\n' ${shellQuote(`${RESCUE_USER}:${hash}`)} | chpasswd -e`]);
          if (set.code !== 0) throw new CommandExecutionError(`chpasswd for ${RESCUE_USER} failed: ${set.stderr.trim()}`);
        }
        rt.stopServing('rescue finalized');
        return null;
      },
    },
  };
}
