// The cases every DeployInterface must pass. A test file calls deployContract() with the implementation and a
// harness that builds a DriverTask for a node ready to deploy, plays the part of the outside world while a step
// waits (for the agent interfaces: a real agent booting and calling back), and can look at the machine's disk,
// so "deployed" is checked on the hardware side, not only through the interface's own answers.
import { describe, expect, it } from 'vitest';
import type { AgentCallback, DeployInterface, DriverTask, StepCall, StepFlow } from '../interfaces.js';
import { testConfig } from './test-node.js';

type MaybePromise<T> = T | Promise<T>;

export interface DeployHarness {
  /** A task for a fresh node with an image to deploy in instance_info, ports, power/boot interfaces wired. */
  task(): MaybePromise<DriverTask>;
  /** The call-back that ends a `wait` (resolves once the agent, if any, called back). */
  callback(task: DriverTask): MaybePromise<AgentCallback>;
  /** Whether the machine's disk holds the node's image, as the hardware side sees it. */
  deployed(task: DriverTask): MaybePromise<boolean>;
  /** Releases what task() started (agents, disks). */
  release?(task: DriverTask): MaybePromise<void>;
  /** Upper bound for a whole deploy in these cases, in seconds (default 60). */
  readonly deployTimeoutS?: number;
}

/** Runs `plan` like the conductor's step runner: each step, and while one waits, heartbeats until it resumes. */
export async function runPlan(impl: DeployInterface, h: DeployHarness, task: DriverTask, flow: StepFlow, plan: readonly StepCall[]): Promise<void> {
  for (const step of plan) {
    const field = flow === 'deploy' ? 'deployStep' : 'cleanStep';
    await task.save({ [field]: { ...step } });
    let r = await impl.executeStep(task, flow, step);
    while (r.kind === 'wait') {
      const cb = await h.callback(task);
      const outcome = await impl.heartbeat(task, flow, cb);
      if (outcome.kind === 'resume') break;
      await new Promise((res) => setTimeout(res, 200));
      r = { kind: 'wait' };
    }
  }
}

const asCalls = (steps: readonly { interface: string; step: string; priority: number }[]): StepCall[] =>
  [...steps].filter((s) => s.priority > 0).sort((a, b) => b.priority - a.priority)
    .map((s) => ({ interface: s.interface as StepCall['interface'], step: s.step, args: {}, priority: s.priority }));

export function deployContract(label: string, impl: DeployInterface, h: DeployHarness): void {
  const timeoutMs = (h.deployTimeoutS ?? 60) * 1000 + 10_000;
  const withTask = async (fn: (task: DriverTask) => Promise<void>) => {
    const task = await h.task();
    try {
      await fn(task);
    } finally {
      await h.release?.(task);
    }
  };

  describe(`${label} satisfies the DeployInterface contract`, () => {
    it('declares itself as a deploy interface with documented driver_info keys', () => {
      expect(impl.kind).toBe('deploy');
      expect(impl.name).toMatch(/^[a-z][a-z0-9-]*$/);
      for (const spec of Object.values(impl.properties)) expect(spec.description.length).toBeGreaterThan(0);
    });

    it('offers Ironic\'s core deploy step at priority 100 and well-formed, uniquely named steps', () => withTask(async (task) => {
      const steps = await impl.steps(task, 'deploy');
      expect(steps.find((s) => s.step === 'deploy')).toMatchObject({ interface: 'deploy', priority: 100 });
      const names = steps.map((s) => `${s.interface}.${s.step}`);
      expect(new Set(names).size).toBe(names.length);
      for (const s of steps) expect(Number.isInteger(s.priority) && s.priority >= 0, `${s.step} priority`).toBe(true);
    }));

    it('refuses a step it does not offer', () => withTask(async (task) => {
      await expect(impl.executeStep(task, 'deploy', { interface: 'deploy', step: 'no_such_step', args: {}, priority: 1 })).rejects.toThrow(/no_such_step/);
    }));

    it('puts the image on the machine\'s disk by running its deploy steps, and leaves the machine on', () => withTask(async (task) => {
      expect(await h.deployed(task)).toBe(false);
      await runPlan(impl, h, task, 'deploy', asCalls(await impl.steps(task, 'deploy')));
      expect(await h.deployed(task)).toBe(true);
      expect(await task.driver.power().getPowerState(task)).toBe('power on');
    }), timeoutMs);

    it('cleans with the steps it offers once prepared, and tears down twice without error', () => withTask(async (task) => {
      const ready = await impl.prepareCleaning(task);
      if (ready.kind === 'wait') await impl.heartbeat(task, 'clean', await h.callback(task));
      const steps = await impl.steps(task, 'clean');
      for (const s of steps) expect(Number.isInteger(s.priority) && s.priority >= 0).toBe(true);
      await runPlan(impl, h, task, 'clean', asCalls(steps));
      await impl.tearDownCleaning(task);
      await impl.tearDown(task);
      await impl.tearDown(task);
      expect(await task.driver.power().getPowerState(task)).toBe('power off');
    }), timeoutMs);

    it('validates without touching anything', () => withTask(async (task) => {
      await Promise.resolve(impl.validate?.({ node: task.node, portCount: task.ports.length, networkBoot: true, config: testConfig() }));
    }));
  });
}
