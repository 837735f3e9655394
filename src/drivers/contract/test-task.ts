// A DriverTask without a conductor or database, for driver tests: the node lives in memory, `save` merges
// changes into it, and the driver is composed from the interfaces the test hands in.
import type { NodeRecord, PortRecord } from '../../db/records.js';
import type {
  BootInterface, DeployInterface, DriverEnvironment, DriverTask, ManagementInterface, PowerInterface,
} from '../interfaces.js';
import { testConfig } from './test-node.js';

export interface TestTaskParts {
  readonly power: PowerInterface;
  readonly management: ManagementInterface;
  readonly boot: BootInterface;
  readonly deploy: DeployInterface;
  readonly ports?: readonly PortRecord[];
  readonly env?: Partial<DriverEnvironment>;
}

export function testTask(node: NodeRecord, parts: TestTaskParts): DriverTask {
  let current = node;
  const env: DriverEnvironment = {
    config: testConfig(),
    get bootFiles(): never { throw new Error('no boot files in this test'); },
    get dhcp(): never { throw new Error('no DHCP in this test'); },
    ...parts.env,
  } as DriverEnvironment;
  return {
    get node() { return current; },
    ports: parts.ports ?? [],
    env,
    driver: { power: () => parts.power, management: () => parts.management, boot: () => parts.boot, deploy: () => parts.deploy },
    async save(changes: Partial<NodeRecord>) {
      current = { ...current, ...changes };
      return current;
    },
  };
}
