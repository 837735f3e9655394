// The provision verbs end to end through the program against the scripted fake API: which request each
// command line sends, and how `--wait` polls, reports and fails.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { FakeApi, ironicError, type RecordedRequest } from '../../../../test/cli/fake-api.js';
import { runWith } from '../../../../test/cli/run-cli.js';

const PROVISION = '/v1/nodes/n1/states/provision';
const POLL_ENV = { ANVIL_CLI_POLL_INTERVAL_MS: '5' };
const dir = mkdtempSync(join(tmpdir(), 'anvil-cli-provision-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function acceptingApi(): FakeApi {
  return new FakeApi().on('PUT', PROVISION, { status: 202 });
}

/** The single provision request a run sent. */
function sent(api: FakeApi): RecordedRequest {
  const puts = api.requests.filter((r) => r.method === 'PUT');
  expect(puts).toHaveLength(1);
  return puts[0]!;
}

describe('provision verbs send the stock client\'s targets', () => {
  const cases: Array<[string, string]> = [
    ['manage', 'manage'], ['provide', 'provide'], ['inspect', 'inspect'], ['abort', 'abort'], ['adopt', 'adopt'],
    ['rebuild', 'rebuild'], ['unrescue', 'unrescue'], ['unhold', 'unhold'], ['deploy', 'active'], ['undeploy', 'deleted'],
  ];
  for (const [verb, target] of cases) {
    it(`node ${verb} -> {"target": "${target}"}`, async () => {
      const api = acceptingApi();
      const run = await runWith(api, ['node', verb, 'n1']);
      expect(run).toMatchObject({ code: 0, out: '', err: '' });
      expect(sent(api).path).toBe(PROVISION);
      expect(sent(api).body).toEqual({ target });
    });
  }

  it('uses the deploy/undeploy names when the user pins 1.73 or later', async () => {
    for (const [version, verb, target] of [['1.73', 'deploy', 'deploy'], ['1.80', 'undeploy', 'undeploy'],
      ['1.72', 'deploy', 'active'], ['1.72', 'undeploy', 'deleted']] as const) {
      const api = acceptingApi();
      const run = await runWith(api, ['--os-baremetal-api-version', version, 'node', verb, 'n1']);
      expect(run.code).toBe(0);
      expect(sent(api).body).toEqual({ target });
      expect(sent(api).headers['x-openstack-ironic-api-version']).toBe(version);
    }
  });

  it('encodes the node ident as one path segment', async () => {
    const api = new FakeApi().on('PUT', '/v1/nodes/rack%201%2Fu3/states/provision', { status: 202 });
    expect((await runWith(api, ['node', 'manage', 'rack 1/u3'])).code).toBe(0);
  });
});

describe('per-verb arguments', () => {
  it('deploy --config-drive: a JSON object is sent as an object, deploy steps alongside', async () => {
    const api = acceptingApi();
    const steps = '[{"interface": "deploy", "step": "write_image", "priority": 80}]';
    const run = await runWith(api, ['node', 'deploy', 'n1', '--config-drive', '{"user_data": "#!/bin/sh"}', '--deploy-steps', steps]);
    expect(run.code).toBe(0);
    expect(sent(api).body).toEqual({
      target: 'active',
      configdrive: { user_data: '#!/bin/sh' },
      deploy_steps: [{ interface: 'deploy', step: 'write_image', priority: 80 }],
    });
  });

  it('--config-drive: a file is sent as its text, an http(s) URL or inline gzipped base64 as given', async () => {
    const file = join(dir, 'cd.b64');
    writeFileSync(file, 'H4sIAAAAAAAA');
    let api = acceptingApi();
    expect((await runWith(api, ['node', 'rebuild', 'n1', '--config-drive', file])).code).toBe(0);
    expect(sent(api).body).toEqual({ target: 'rebuild', configdrive: 'H4sIAAAAAAAA' });
    api = acceptingApi();
    expect((await runWith(api, ['node', 'rebuild', 'n1', '--config-drive', 'https://cd.example/n1.iso.gz'])).code).toBe(0);
    expect(sent(api).body).toEqual({ target: 'rebuild', configdrive: 'https://cd.example/n1.iso.gz' });
    api = acceptingApi();
    const inline = gzipSync(Buffer.from('iso')).toString('base64');
    expect((await runWith(api, ['node', 'deploy', 'n1', '--config-drive', inline])).code).toBe(0);
    expect(sent(api).body).toEqual({ target: 'active', configdrive: inline });
  });

  it('deploy --config-drive: anything else fails before a request is sent', async () => {
    const api = acceptingApi();
    const run = await runWith(api, ['node', 'deploy', 'n1', '--config-drive', '/nonexistent/cd']);
    expect(run.code).toBe(1);
    expect(run.err).toBe('Config drive seems to refer to a file or directory but this file/directory does not exist: /nonexistent/cd.\n');
    expect(api.requests).toEqual([]);
  });

  // scripts/install-deps.sh --test installs genisoimage, so this runs everywhere the suite runs.
  it('deploy --config-drive <directory>: packs a gzipped, base64-encoded config-2 ISO', async () => {
    const cd = join(dir, 'configdrive');
    mkdirSync(join(cd, 'openstack', 'latest'), { recursive: true });
    writeFileSync(join(cd, 'openstack', 'latest', 'meta_data.json'), '{"uuid": "n1"}');
    const api = acceptingApi();
    expect((await runWith(api, ['node', 'deploy', 'n1', '--config-drive', cd])).code).toBe(0);
    const iso = gunzipSync(Buffer.from((sent(api).body as { configdrive: string }).configdrive, 'base64'));
    // ISO 9660 primary volume descriptor at sector 16: signature and volume label.
    expect(iso.subarray(0x8001, 0x8006).toString()).toBe('CD001');
    expect(iso.subarray(0x8028, 0x8030).toString()).toBe('config-2');
  });

  it('clean --clean-steps reads JSON, YAML files and stdin; --disable-ramdisk is passed on', async () => {
    const steps = [{ interface: 'deploy', step: 'erase_devices' }];
    let api = acceptingApi();
    expect((await runWith(api, ['node', 'clean', 'n1', '--clean-steps', JSON.stringify(steps), '--disable-ramdisk'])).code).toBe(0);
    expect(sent(api).body).toEqual({ target: 'clean', clean_steps: steps, disable_ramdisk: true });

    const yaml = join(dir, 'steps.yaml');
    writeFileSync(yaml, '- interface: deploy\n  step: erase_devices\n');
    api = acceptingApi();
    expect((await runWith(api, ['node', 'clean', 'n1', '--clean-steps', yaml])).code).toBe(0);
    expect(sent(api).body).toEqual({ target: 'clean', clean_steps: steps });

    api = acceptingApi();
    expect((await runWith(api, ['node', 'clean', 'n1', '--clean-steps', '-'], { stdin: `${JSON.stringify(steps)}\n` })).code).toBe(0);
    expect(sent(api).body).toEqual({ target: 'clean', clean_steps: steps });
  });

  it('clean: --clean-steps is required, and an empty list is left out like the stock client', async () => {
    let api = acceptingApi();
    const missing = await runWith(api, ['node', 'clean', 'n1']);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain("required option '--clean-steps <clean-steps>' not specified");
    expect(api.requests).toEqual([]);
    api = acceptingApi();
    expect((await runWith(api, ['node', 'clean', 'n1', '--clean-steps', '[]'])).code).toBe(0);
    expect(sent(api).body).toEqual({ target: 'clean' });
  });

  it('clean: bad JSON is reported with the stock message', async () => {
    const api = acceptingApi();
    const run = await runWith(api, ['node', 'clean', 'n1', '--clean-steps', '[{']);
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/^Value '\[\{' is not a file and cannot be parsed as JSON: /);
    expect(api.requests).toEqual([]);
  });

  it('service --service-steps and rescue --rescue-password', async () => {
    let api = acceptingApi();
    const steps = [{ interface: 'raid', step: 'apply_configuration' }];
    expect((await runWith(api, ['node', 'service', 'n1', '--service-steps', JSON.stringify(steps)])).code).toBe(0);
    expect(sent(api).body).toEqual({ target: 'service', service_steps: steps });
    api = acceptingApi();
    expect((await runWith(api, ['node', 'rescue', 'n1', '--rescue-password', 's3cret'])).code).toBe(0);
    expect(sent(api).body).toEqual({ target: 'rescue', rescue_password: 's3cret' });
    expect((await runWith(acceptingApi(), ['node', 'rescue', 'n1'])).code).toBe(2);
    expect((await runWith(acceptingApi(), ['node', 'service', 'n1'])).code).toBe(2);
  });

  it('abort and unhold have no --wait, as in the stock client', async () => {
    for (const verb of ['abort', 'unhold']) {
      const api = acceptingApi();
      const run = await runWith(api, ['node', verb, 'n1', '--wait']);
      expect(run.code).toBe(2);
      expect(run.err).toContain("unknown option '--wait'");
      expect(api.requests).toEqual([]);
    }
  });

  it('reports the server fault on stderr and exits 1', async () => {
    const api = new FakeApi().on('PUT', PROVISION, ironicError(400,
      'The requested action "active" can not be performed on node "n1" while it is in state "enroll".'));
    const run = await runWith(api, ['node', 'deploy', 'n1', '--wait']);
    expect(run).toMatchObject({
      code: 1,
      out: '',
      err: 'The requested action "active" can not be performed on node "n1" while it is in state "enroll". (HTTP 400)\n',
    });
    // No polling after a refused request.
    expect(api.requests.map((r) => r.method)).toEqual(['PUT']);
  });
});

/** A node whose GETs walk through `states`; the last one repeats. */
function scriptedNode(api: FakeApi, states: ReadonlyArray<Record<string, unknown>>): FakeApi {
  let i = 0;
  return api.on('GET', '/v1/nodes/n1', () => ({ status: 200, body: { uuid: 'u-1', name: 'n1', ...states[Math.min(i++, states.length - 1)] } }));
}

describe('--wait', () => {
  it('polls GET /v1/nodes/{node} at the configured interval until the stable state, stdout left empty', async () => {
    const api = scriptedNode(acceptingApi(), [
      { provision_state: 'deploying', target_provision_state: 'active', last_error: null },
      { provision_state: 'wait call-back', target_provision_state: 'active', last_error: null },
      { provision_state: 'active', target_provision_state: null, last_error: null },
    ]);
    const run = await runWith(api, ['node', 'deploy', 'n1', '--wait'], { env: POLL_ENV });
    expect(run.code).toBe(0);
    expect(run.out).toBe('');
    expect(run.err).toBe([
      'Waiting for provision state active on node n1',
      'Node n1 provision state: deploying (target: active)',
      'Node n1 provision state: wait call-back (target: active)',
      'Node n1 provision state: active',
      '',
    ].join('\n'));
    expect(api.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `PUT ${PROVISION}`, 'GET /v1/nodes/n1', 'GET /v1/nodes/n1', 'GET /v1/nodes/n1',
    ]);
    expect(run.sleeps).toEqual([5, 5]);
  });

  it('polls every 2 s by default and takes a timeout value', async () => {
    const api = scriptedNode(acceptingApi(), [
      { provision_state: 'verifying', target_provision_state: 'manageable' },
      { provision_state: 'manageable', target_provision_state: null },
    ]);
    const run = await runWith(api, ['node', 'manage', 'n1', '--wait', '600']);
    expect(run.code).toBe(0);
    expect(run.sleeps).toEqual([2000]);
  });

  it('waits for the state of each verb', async () => {
    const expected: Array<[string[], string]> = [
      [['provide'], 'available'], [['undeploy'], 'available'], [['inspect'], 'manageable'],
      [['clean', '--clean-steps', '[{"interface": "deploy", "step": "erase_devices"}]'], 'manageable'],
      [['adopt'], 'active'], [['rebuild'], 'active'], [['unrescue'], 'active'],
      [['rescue', '--rescue-password', 'x'], 'rescue'], [['service', '--service-steps', '[{"interface": "bios", "step": "apply"}]'], 'active'],
    ];
    for (const [args, state] of expected) {
      const api = scriptedNode(acceptingApi(), [{ provision_state: state, target_provision_state: null }]);
      const run = await runWith(api, ['node', args[0]!, 'n1', ...args.slice(1), '--wait', '30'], { env: POLL_ENV });
      expect({ args, code: run.code, first: run.err.split('\n')[0] }).toEqual({
        args, code: 0, first: `Waiting for provision state ${state} on node n1`,
      });
    }
  });

  it('fails with last_error when the node lands in a failed state', async () => {
    const api = scriptedNode(acceptingApi(), [
      { provision_state: 'deploying', target_provision_state: 'active', last_error: null },
      { provision_state: 'deploy failed', target_provision_state: 'active', last_error: 'Agent did not call back' },
    ]);
    const run = await runWith(api, ['node', 'deploy', 'n1', '--wait'], { env: POLL_ENV });
    expect(run.code).toBe(1);
    expect(run.out).toBe('');
    expect(run.err.split('\n').slice(-2)).toEqual([
      "Node n1 failed to reach state active. It's in state deploy failed, and has error: Agent did not call back",
      '',
    ]);
  });

  it('fails when the node settles in another stable state', async () => {
    const api = scriptedNode(acceptingApi(), [{ provision_state: 'enroll', target_provision_state: null }]);
    const run = await runWith(api, ['node', 'manage', 'n1', '--wait'], { env: POLL_ENV });
    expect(run.code).toBe(1);
    expect(run.err).toContain("Node n1 failed to reach state manageable. It's in unexpected stable state enroll\n");
  });

  it('rejects a bad timeout before sending anything', async () => {
    for (const [value, code, message] of [['soon', 2, "error: argument --wait: invalid int value: 'soon'"],
      ['-1', 1, 'Timeout must be a non-negative number']] as const) {
      const api = acceptingApi();
      const run = await runWith(api, ['node', 'provide', 'n1', `--wait=${value}`]);
      expect(run).toMatchObject({ code, err: `${message}\n` });
      expect(api.requests).toEqual([]);
    }
  });
});
