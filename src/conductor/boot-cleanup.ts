// Removing network-boot files and DHCP entries that a port or node change left behind (a deleted port, a
// changed MAC, a deleted node). The database change has happened already, so a failure here is logged,
// not thrown: a stale file is a wrong boot answer to fix, not a reason to undo the user's change.
import { log } from '../common/log.js';
import type { BootServices } from './boot-environment.js';

export async function forgetPortBootFiles(ctx: { readonly boot?: BootServices }, what: { readonly nodeUuid?: string; readonly macs: readonly string[] }): Promise<void> {
  if (!ctx.boot) return;
  try {
    await ctx.boot.forget(what);
  } catch (err) {
    log.error('could not remove stale network boot files', { ...what, error: (err as Error).message });
  }
}
