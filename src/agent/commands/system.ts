// system.lockdown: the conductor is done with this ramdisk; the agent stops its API and heartbeats.
// (IPA also takes the NICs down; here that would cut the lab host's links, so the API stop is the lockdown.)
import type { Extension } from '../command-runner.js';
import type { AgentRuntime } from '../runtime.js';

export function systemExtension(rt: AgentRuntime): Extension {
  return {
    lockdown: {
      mode: 'sync',
      run: async () => {
        rt.stopServing('lockdown');
        return null;
      },
    },
  };
}
