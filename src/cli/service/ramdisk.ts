// `anvil ramdisk build`: builds the deploy kernel and ramdisk (deploy.vmlinuz, deploy.initramfs) from Debian's
// packages. The work is the project's shell script scripts/ramdisk/build.sh (apt-get download, cpio, zstd are
// shell tools); this command only runs it with the caller's terminal, so its progress and cache notes show.
import type { Command } from 'commander';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Same path from src/cli/service/ (tsx) and dist/cli/service/ (compiled). */
export const RAMDISK_BUILD_SCRIPT = fileURLToPath(new URL('../../../scripts/ramdisk/build.sh', import.meta.url));

export function registerRamdisk(program: Command): void {
  const ramdisk = program.command('ramdisk').description('The deploy ramdisk booted on machines being provisioned');
  ramdisk.command('build')
    .description('Build deploy.vmlinuz and deploy.initramfs (Debian kernel, busybox, Node.js, the agent); cached by inputs')
    .option('--out <dir>', 'directory for the two files (default: build/ramdisk in the project)')
    .option('--agent-entry <file>', 'agent entry point to bundle (default: src/agent/main.ts)')
    .action(async (opts: { out?: string; agentEntry?: string }) => {
      const args = [RAMDISK_BUILD_SCRIPT];
      if (opts.out) args.push('--out', opts.out);
      if (opts.agentEntry) args.push('--agent-entry', opts.agentEntry);
      const code = await new Promise<number>((resolve, reject) => {
        const child = spawn('bash', args, { stdio: 'inherit' });
        child.on('error', reject);
        child.on('exit', (c, signal) => resolve(c ?? (signal ? 128 : 1)));
      });
      if (code !== 0) throw new Error(`ramdisk build failed (exit ${code})`);
    });
}
