import { deployContract } from '../contract/deploy.contract.js';
import { testNode } from '../contract/test-node.js';
import { testTask } from '../contract/test-task.js';
import type { BootInterface } from '../interfaces.js';
import { FakeDeploy } from './fake-deploy.js';
import { fake, FakeManagement, FakePower, fakeMachine } from './fake-interfaces.js';

deployContract('FakeDeploy', FakeDeploy, {
  task: () => testTask(testNode({ instanceInfo: { image_source: 'http://127.0.0.1:9/fake.img' } }), {
    power: FakePower, management: FakeManagement, boot: fake('boot') as BootInterface, deploy: FakeDeploy,
  }),
  callback: () => ({ callbackUrl: 'https://127.0.0.1:9999' }),
  deployed: (task) => fakeMachine(task.node.uuid).image === task.node.instanceInfo.image_source,
});
