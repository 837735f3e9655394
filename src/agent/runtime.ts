// What the commands share while the agent runs: its options, the node as the conductor last described it
// (lookup answer, or the `node` param of a step), the lookup config, the image written so far, and the
// hooks back into the agent (stop serving after rescue/lockdown). One object, passed to every command.
import type { AgentOptions } from './options.js';

export interface AgentRuntime {
  readonly options: AgentOptions;
  /** The node dict from lookup or the last step call; root device hints come from here. */
  node: Record<string, unknown> | null;
  /** The lookup answer's `config` (heartbeat_timeout, agent_md5_checksum_enable, permitted_image_formats…). */
  config: Record<string, unknown>;
  /** IPA's partition_uuids: null until prepare_image ran; `{"root uuid": …}` for whole-disk images. */
  partitionUuids: Record<string, unknown> | null;
  /** id of the image on the disk, so an identical prepare_image does not write it twice. */
  cachedImageId: string | null;
  /** Stops the command API and heartbeats (rescue finalised, lockdown). */
  stopServing(reason: string): void;
  /** Recent log lines of the agent, for log.collect_system_logs. */
  logLines(): readonly string[];
}

export function md5Allowed(rt: AgentRuntime): boolean {
  return rt.config.agent_md5_checksum_enable !== false;
}
