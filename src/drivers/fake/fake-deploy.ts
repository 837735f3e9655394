// The fake deploy interface: one deploy step that "writes" nothing and finishes at once, no clean steps, no
// agent — so fake-hardware nodes go through the real step runner, locks and state machine in milliseconds.
import type { DeployInterface, DriverTask, StepCall, StepResult } from '../interfaces.js';
import { defineInterface } from '../interfaces.js';

export const FakeDeploy: DeployInterface = defineInterface({
  kind: 'deploy',
  name: 'fake',
  properties: {},
  async steps(_task: DriverTask, flow) {
    return flow === 'deploy' ? [{ interface: 'deploy', step: 'deploy', priority: 100, argsinfo: null }] : [];
  },
  async executeStep(task: DriverTask, _flow, step: StepCall): Promise<StepResult> {
    // Like Ironic's fake deploy: the instance is "running" once deployed, without asking the BMC.
    if (step.step === 'deploy') await task.save({ powerState: 'power on' });
    return { kind: 'done' };
  },
  async heartbeat() {
    return { kind: 'resume' } as const;
  },
  async prepareCleaning(): Promise<StepResult> {
    return { kind: 'done' };
  },
  async tearDownCleaning() {},
  async tearDown() {},
  async takeOver() {},
});
