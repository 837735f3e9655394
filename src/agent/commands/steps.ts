// deploy.* and clean.* are one shape in IPA: a sync `get_<kind>_steps` returning the manager's steps and
// versions, and an async `execute_<kind>_step` that checks the versions, runs the step and answers
// `{<kind>_result, <kind>_step}`; unexpected failures become DeploymentError / CleaningError.
import { AgentError, CleaningError, DeploymentError } from '../errors.js';
import type { Extension } from '../command-runner.js';
import type { AgentRuntime } from '../runtime.js';
import { checkVersions, CLEAN_STEPS, DEPLOY_STEPS, MANAGER_CLASS, MANAGER_VERSIONS, parseStep, runStep } from './hardware-manager.js';

// IPA's hardware.cache_node: a step call carries the node dict, which replaces the one from lookup (its
// instance_info may have gained root device hints since).
function cacheNode(rt: AgentRuntime, params: Record<string, unknown>): void {
  const node = params.node;
  if (node && typeof node === 'object' && !Array.isArray(node)) rt.node = node as Record<string, unknown>;
}

function stepsExtension(rt: AgentRuntime, kind: 'deploy' | 'clean'): Extension {
  const steps = kind === 'deploy' ? DEPLOY_STEPS : CLEAN_STEPS;
  const Failure = kind === 'deploy' ? DeploymentError : CleaningError;
  return {
    [`get_${kind}_steps`]: {
      mode: 'sync',
      run: async (params) => {
        cacheNode(rt, params);
        return { [`${kind}_steps`]: { [MANAGER_CLASS]: steps }, hardware_manager_version: { ...MANAGER_VERSIONS } };
      },
    },
    [`execute_${kind}_step`]: {
      mode: 'async',
      validate: (params) => void parseStep(params),
      run: async (params, ctx) => {
        cacheNode(rt, params);
        checkVersions(params[`${kind}_version`]);
        const { step, args } = parseStep(params);
        const name = String(step.step);
        if (!steps.some((s) => s.step === name)) throw new Failure(`${name} is not a ${kind} step of this agent.`);
        try {
          return { [`${kind}_result`]: await runStep(rt, name, args, ctx), [`${kind}_step`]: step };
        } catch (err) {
          if (err instanceof AgentError) throw err;
          throw new Failure(`Unexpected exception performing ${kind} step ${name}. ${(err as Error).name}: ${(err as Error).message}`);
        }
      },
    },
  };
}

export const deployExtension = (rt: AgentRuntime) => stepsExtension(rt, 'deploy');
export const cleanExtension = (rt: AgentRuntime) => stepsExtension(rt, 'clean');
