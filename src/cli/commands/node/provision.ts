// The provision verbs (`baremetal node manage|provide|inspect|clean|deploy|undeploy|rebuild|abort|adopt|
// rescue|unrescue|unhold|service`): PUT /v1/nodes/{node}/states/provision with the body ironicclient's
// set_provision_state builds, then optionally wait for the verb's stable state like the stock client.

import type { Command } from 'commander';
import { handleJsonArg } from '../../args.js';
import type { JsonValue } from '../../output/python-repr.js';
import type { Runtime } from '../../runtime.js';
import { configDriveValue } from './config-drive.js';
import { nodePath } from './shared.js';
import { addWaitOption, nodeFetcher, parseWaitTimeout, waitForProvisionState, waitSettings } from './wait.js';

type VerbOption = 'config-drive' | 'deploy-steps' | 'clean-steps' | 'service-steps' | 'rescue-password' | 'disable-ramdisk';

export interface ProvisionVerb {
  readonly name: string;
  readonly description: string;
  /** `target` for the request; deploy/undeploy depend on the API version. */
  readonly target: (minor: number | undefined) => string;
  /** The state `--wait` waits for; verbs without one have no `--wait`, as in the stock client. */
  readonly expected?: string;
  readonly options: readonly VerbOption[];
}

const CONFIG_DRIVE_HELP =
  'A gzipped, base64-encoded configuration drive string OR the path to the configuration drive file OR the ' +
  'path to a directory containing the config drive files OR a JSON object to build config drive from. In ' +
  "case it's a directory, a config drive will be generated from it. In case it's a JSON object with optional " +
  'keys `meta_data`, `user_data` and `network_data`, a config drive will be generated on the server side (see ' +
  'the bare metal API reference for more details).';

const stepsHelp = (kind: string): string =>
  `The ${kind} steps. May be the path to a YAML file containing the ${kind} steps; OR '-', with the ${kind} ` +
  `steps being read from standard input; OR a JSON string. The value should be a list of ${kind}-step ` +
  "dictionaries; each dictionary should have keys 'interface' and 'step', and optional key 'args'.";

const fixed = (target: string) => (): string => target;

/**
 * The `deploy`/`undeploy` targets exist from API 1.73; `active`/`deleted` mean the same at every version,
 * so they are sent unless the user pinned a version that has the new names.
 */
const versioned = (modern: string, legacy: string) => (minor: number | undefined): string =>
  minor !== undefined && minor >= 73 ? modern : legacy;

export const PROVISION_VERBS: readonly ProvisionVerb[] = [
  { name: 'abort', description: "Set provision state of baremetal node to 'abort'", target: fixed('abort'), options: [] },
  { name: 'adopt', description: "Set provision state of baremetal node to 'adopt'", target: fixed('adopt'), expected: 'active', options: [] },
  {
    name: 'clean', description: "Set provision state of baremetal node to 'clean'", target: fixed('clean'),
    expected: 'manageable', options: ['clean-steps', 'disable-ramdisk'],
  },
  {
    name: 'deploy', description: "Set provision state of baremetal node to 'deploy'", target: versioned('deploy', 'active'),
    expected: 'active', options: ['config-drive', 'deploy-steps'],
  },
  { name: 'inspect', description: "Set provision state of baremetal node to 'inspect'", target: fixed('inspect'), expected: 'manageable', options: [] },
  { name: 'manage', description: "Set provision state of baremetal node to 'manage'", target: fixed('manage'), expected: 'manageable', options: [] },
  { name: 'provide', description: "Set provision state of baremetal node to 'provide'", target: fixed('provide'), expected: 'available', options: [] },
  {
    name: 'rebuild', description: "Set provision state of baremetal node to 'rebuild'", target: fixed('rebuild'),
    expected: 'active', options: ['config-drive', 'deploy-steps'],
  },
  {
    name: 'rescue', description: "Set provision state of baremetal node to 'rescue'", target: fixed('rescue'),
    expected: 'rescue', options: ['rescue-password'],
  },
  {
    name: 'service', description: "Set provision state of baremetal node to 'service'", target: fixed('service'),
    expected: 'active', options: ['service-steps', 'disable-ramdisk'],
  },
  {
    name: 'undeploy', description: "Set provision state of baremetal node to 'deleted'", target: versioned('undeploy', 'deleted'),
    expected: 'available', options: [],
  },
  // Where a held node goes next depends on which hold it is in, so there is no state to wait for.
  { name: 'unhold', description: "Set provision state of baremetal node to 'unhold'", target: fixed('unhold'), options: [] },
  { name: 'unrescue', description: "Set provision state of baremetal node to 'unrescue'", target: fixed('unrescue'), expected: 'active', options: [] },
];

interface ProvisionOptions {
  wait?: string | boolean;
  configDrive?: string;
  deploySteps?: string;
  cleanSteps?: string;
  serviceSteps?: string;
  rescuePassword?: string;
  disableRamdisk?: boolean;
}

function addVerbOptions(cmd: Command, verb: ProvisionVerb): void {
  for (const opt of verb.options) {
    switch (opt) {
      case 'config-drive':
        cmd.option('--config-drive <config-drive>', CONFIG_DRIVE_HELP);
        break;
      case 'deploy-steps':
        cmd.option('--deploy-steps <deploy-steps>', stepsHelp('deploy'));
        break;
      case 'clean-steps':
        cmd.requiredOption('--clean-steps <clean-steps>', stepsHelp('clean'));
        break;
      case 'service-steps':
        cmd.requiredOption('--service-steps <service-steps>', stepsHelp('service'));
        break;
      case 'rescue-password':
        cmd.requiredOption(
          '--rescue-password <rescue-password>',
          'The password that will be used to login to the rescue ramdisk. The value should be a non-empty string.',
        );
        break;
      case 'disable-ramdisk':
        cmd.option('--disable-ramdisk', 'Do not boot the ramdisk, run only out-of-band steps (API 1.70, 1.87 for service).');
        break;
    }
  }
}

/** The minor version the user pinned (`1.N`), or undefined for `latest`. */
function pinnedMinor(apiVersion: string): number | undefined {
  const m = /^1\.(\d+)$/.exec(apiVersion);
  return m ? Number(m[1]) : undefined;
}

/**
 * The request body, keyed and filtered like ironicclient: empty step lists and empty passwords are
 * left out (the server then explains what is missing), and only one of configdrive / clean_steps /
 * rescue_password can apply to a verb anyway.
 */
export async function provisionBody(
  target: string,
  o: ProvisionOptions,
  readStdin: () => Promise<string>,
): Promise<Record<string, JsonValue>> {
  const steps = async (arg: string | undefined, what: string): Promise<JsonValue | undefined> => {
    if (arg === undefined) return undefined;
    const value = (await handleJsonArg(arg, what, readStdin)) as JsonValue;
    return isEmpty(value) ? undefined : value;
  };
  const cleanSteps = await steps(o.cleanSteps, 'clean steps');
  const deploySteps = await steps(o.deploySteps, 'deploy steps');
  const serviceSteps = await steps(o.serviceSteps, 'service steps');
  const configdrive = await configDriveValue(o.configDrive);
  const body: Record<string, JsonValue> = { target };
  if (configdrive !== undefined) body.configdrive = configdrive;
  else if (cleanSteps !== undefined) body.clean_steps = cleanSteps;
  else if (o.rescuePassword) body.rescue_password = o.rescuePassword;
  if (deploySteps !== undefined) body.deploy_steps = deploySteps;
  if (serviceSteps !== undefined) body.service_steps = serviceSteps;
  if (o.disableRamdisk) body.disable_ramdisk = true;
  return body;
}

/** Python truthiness of a decoded JSON value. */
function isEmpty(v: JsonValue): boolean {
  if (v === null || v === '' || v === false || v === 0) return true;
  if (Array.isArray(v)) return v.length === 0;
  return typeof v === 'object' && Object.keys(v).length === 0;
}

export function registerProvisionVerbs(node: Command, rt: Runtime): void {
  for (const verb of PROVISION_VERBS) {
    const cmd = node.command(verb.name).description(verb.description).argument('<node>', 'Name or UUID of the node.');
    if (verb.expected !== undefined) {
      addWaitOption(
        cmd,
        `Wait for a node to reach the desired state, ${verb.expected}. Optionally takes a timeout value (in seconds). ` +
          'The default value is 0, meaning it will wait indefinitely.',
      );
    }
    addVerbOptions(cmd, verb);
    cmd.action(async (ident: string, o: ProvisionOptions, self: Command) => {
      const timeoutS = parseWaitTimeout(o.wait);
      const client = rt.client(self);
      const body = await provisionBody(verb.target(pinnedMinor(client.apiVersion)), o, rt.io.readStdin);
      await client.request('PUT', nodePath(ident, '/states/provision'), body);
      if (timeoutS === undefined || verb.expected === undefined) return;
      await waitForProvisionState(nodeFetcher(rt, self, ident), verb.expected, waitSettings(rt, ident, timeoutS));
    });
  }
}
