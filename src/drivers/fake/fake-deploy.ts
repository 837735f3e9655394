// The fake deploy interface: one deploy step that "writes" nothing and finishes at once, no clean steps, no
// agent — so fake-hardware nodes go through the real step runner, locks and state machine in milliseconds.
import type { DeployInterface, DriverTask, StepCall, StepResult } from '../interfaces.js';
import { InvalidParameterValueError } from '../../common/errors.js';
import { defineInterface } from '../interfaces.js';
import { fakeMachine } from './fake-interfaces.js';

export const FakeDeploy: DeployInterface = defineInterface({
  kind: 'deploy',
  name: 'fake',
  properties: {},
  async steps(_task: DriverTask, flow) {
    return flow === 'deploy' ? [{ interface: 'deploy', step: 'deploy', priority: 100, argsinfo: null }] : [];
  },
  async executeStep(task: DriverTask, _flow, step: StepCall): Promise<StepResult> {
    if (step.step !== 'deploy') throw new InvalidParameterValueError(`Unknown deploy step ${step.interface}.${step.step}`);
    // The fake machine "holds" the image and runs it; tests look at it as they would at a disk.
    const m = fakeMachine(task.node.uuid);
    m.image = typeof task.node.instanceInfo.image_source === 'string' ? task.node.instanceInfo.image_source : '(fake image)';
    if (m.power === 'power off') m.powerOnCount++;
    m.power = 'power on';
    await task.save({ powerState: 'power on' });
    return { kind: 'done' };
  },
  async heartbeat() {
    return { kind: 'resume' } as const;
  },
  async prepareCleaning(): Promise<StepResult> {
    return { kind: 'done' };
  },
  async tearDownCleaning() {},
  async tearDown(task: DriverTask) {
    const m = fakeMachine(task.node.uuid);
    m.image = null;
    m.power = 'power off';
    await task.save({ powerState: 'power off' });
  },
  async takeOver() {},
});
