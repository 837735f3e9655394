// image.install_bootloader: meaningful for what this agent writes, whole-disk images, which carry their own
// boot loader (an MBR boot sector, or \EFI\BOOT\BOOTX64.EFI that UEFI firmware falls back to), so there is
// nothing to install; the command checks that the root UUID is the disk it wrote and says so. A partition
// image (a root UUID of another disk, or no image written yet) is refused with a clear error.
import type { Extension } from '../command-runner.js';
import { CommandExecutionError } from '../errors.js';
import type { AgentRuntime } from '../runtime.js';
import { requireString } from './standby.js';

export function imageExtension(rt: AgentRuntime): Extension {
  return {
    install_bootloader: {
      mode: 'async',
      validate: (params) => {
        requireString(params, 'root_uuid', true);
        requireString(params, 'target_boot_mode', true);
      },
      run: async (params) => {
        const rootUuid = params.root_uuid as string | undefined;
        const written = rt.partitionUuids?.['root uuid'];
        if (!rt.cachedImageId || written === undefined) {
          throw new CommandExecutionError('No image was written by this agent; install_bootloader only supports the whole-disk images it wrote.');
        }
        if (rootUuid && rootUuid !== written) {
          throw new CommandExecutionError(`Root ${rootUuid} is not the whole-disk image this agent wrote (disk identifier ${String(written)}); partition images are not supported.`);
        }
        const mode = params.target_boot_mode === 'uefi' ? 'uefi' : 'bios';
        return `whole-disk image ${rt.cachedImageId} carries its own boot loader; nothing to install for ${mode} boot`;
      },
    },
  };
}
