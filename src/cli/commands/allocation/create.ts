// `baremetal allocation create`: POST /v1/allocations, optionally waiting until the allocation settles.

import type { Command } from 'commander';
import { collect, keyValuePairsToDict } from '../../args.js';
import { CliError } from '../../errors.js';
import type { JsonValue } from '../../output/python-repr.js';
import { addShowOutputOptions } from '../../output/options.js';
import { ALLOCATION_DETAILED } from '../../resource-fields.js';
import type { Runtime } from '../../runtime.js';
import { printObject, withFields } from '../common.js';
import { addWaitOption, parseWaitTimeout, waitSettings } from '../node/wait.js';
import { allocationPath } from './shared.js';

interface AllocationCreateOptions {
  resourceClass?: string;
  trait?: string[];
  candidateNode?: string[];
  name?: string;
  uuid?: string;
  owner?: string;
  extra?: string[];
  node?: string;
  wait?: unknown;
}

export function registerAllocationCreate(group: Command, rt: Runtime): void {
  const cmd = group
    .command('create')
    .description('Create a new baremetal allocation.')
    .option('--resource-class <resource_class>', 'Resource class to request.')
    .option('--trait <trait>', 'A trait to request. Can be specified multiple times.', collect)
    .option('--candidate-node <node>', 'A candidate node for this allocation. Can be specified multiple times.', collect)
    .option('--name <name>', 'Unique name of the allocation.')
    .option('--uuid <uuid>', 'UUID of the allocation.')
    .option('--owner <owner>', 'Owner of the allocation.')
    .option('--extra <key=value>', 'Record arbitrary key/value metadata. Can be specified multiple times.', collect)
    .option('--node <node>', 'Backfill this allocation from the provided node that has already been deployed.');
  addWaitOption(cmd, 'Wait for the new allocation to become active (optionally at most <time-out> seconds; 0, the default, waits forever).');
  addShowOutputOptions(cmd, rt).action(async (opts: AllocationCreateOptions, self: Command) => {
    if (!opts.node && !opts.resourceClass) throw new CliError('--resource-class is required except when --node is used');
    const timeout = parseWaitTimeout(opts.wait);
    const body: Record<string, JsonValue> = {};
    if (opts.name !== undefined) body.name = opts.name;
    if (opts.uuid !== undefined) body.uuid = opts.uuid;
    if (opts.extra) body.extra = keyValuePairsToDict(opts.extra);
    if (opts.resourceClass !== undefined) body.resource_class = opts.resourceClass;
    if (opts.trait) body.traits = opts.trait;
    if (opts.candidateNode) body.candidate_nodes = opts.candidateNode;
    if (opts.node !== undefined) body.node = opts.node;
    if (opts.owner !== undefined) body.owner = opts.owner;
    const client = rt.client(self);
    let allocation = ((await client.post('/v1/allocations', body)).body ?? {}) as Record<string, unknown>;
    if (timeout !== undefined) allocation = await waitForAllocation(rt, self, String(allocation.uuid), timeout);
    printObject(rt, self, withFields(allocation, ALLOCATION_DETAILED.fields));
  });
}

/** ironicclient's allocation.wait: poll until the allocation leaves `allocating`; `error` fails. */
async function waitForAllocation(rt: Runtime, cmd: Command, uuid: string, timeoutS: number): Promise<Record<string, unknown>> {
  const s = waitSettings(rt, uuid, timeoutS);
  const deadline = s.now() + timeoutS * 1000;
  while (timeoutS === 0 || s.now() < deadline) {
    const a = ((await rt.client(cmd).get(allocationPath(uuid))).body ?? {}) as Record<string, unknown>;
    if (a.state === 'active') return a;
    if (a.state === 'error') throw new CliError(`Allocation ${uuid} failed: ${String(a.last_error)}`);
    await s.sleep(s.intervalMs);
  }
  throw new CliError(`Allocation ${uuid} failed to reach state active in ${timeoutS} seconds`);
}
