// Redfish clients nobody here wrote, for tests against the lab's Redfish BMCs (src/lab/redfish/): Debian's
// python3-sushy (the library Ironic uses) and DMTF's redfishtool. Missing packages fail loudly.
//   const out = await sushy(bmc, `print(json.dumps({'power': str(system.power_state)}))`);
//   const r = await redfishtool(bmc, ['Systems', '-I', '1', 'reset', 'On']);
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { RedfishBmc } from '../../src/lab/redfish/server.js';

/** What a client needs of a BMC: a standalone one (startRedfishBmc) or a lab machine's (LabVm.redfish()). */
export type RedfishTarget = Pick<RedfishBmc, 'url' | 'host' | 'port' | 'username' | 'password' | 'certFile' | 'systemPath' | 'managerPath'>;

/** Debian's interpreter: the one python3-sushy is installed for (a pyenv python3 on PATH has no sushy). */
export const DEBIAN_PYTHON = '/usr/bin/python3';

export function requireRedfishClients(): void {
  const missing = [
    ...(existsSync('/usr/lib/python3/dist-packages/sushy') ? [] : ['python3-sushy']),
    ...(existsSync('/usr/bin/redfishtool') ? [] : ['redfishtool']),
  ];
  if (missing.length) throw new Error(`Debian packages ${missing.join(', ')} are missing: run scripts/install-deps.sh --test`);
}

// requests lets REQUESTS_CA_BUNDLE/CURL_CA_BUNDLE override a session's own `verify` (the CA file sushy
// passes), so the clients run without them, as in a conductor's environment.
function clientEnv(): NodeJS.ProcessEnv {
  const { REQUESTS_CA_BUNDLE: _a, CURL_CA_BUNDLE: _b, ...env } = process.env;
  return env;
}

export interface ClientResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function runClient(cmd: string, args: readonly string[], input?: string, env: NodeJS.ProcessEnv = clientEnv()): Promise<ClientResult> {
  return new Promise((ok) => {
    const child = execFile(cmd, [...args], { env, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      ok({ code, stdout: String(stdout), stderr: String(stderr) });
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

export interface SushyOptions {
  /** `session` (SessionAuth), `basic` (BasicAuth) or `auto` (sushy's SessionOrBasicAuth, the default). */
  readonly auth?: 'session' | 'basic' | 'auto';
  /** Verify the BMC's certificate against its own (default true). */
  readonly verify?: boolean;
  readonly password?: string;
}

/**
 * Runs `body` in Debian's python3 with `sushy`, `json`, `conn` (sushy.Sushy for the BMC), `system` and
 * `manager` (its only ComputerSystem and Manager) defined. Resolves with the process result.
 */
export function sushy(bmc: RedfishTarget, body: string, o: SushyOptions = {}): Promise<ClientResult> {
  const auth = { session: 'sushy.auth.SessionAuth', basic: 'sushy.auth.BasicAuth', auto: 'sushy.auth.SessionOrBasicAuth' }[o.auth ?? 'auto'];
  const script = [
    'import json, os, sys, sushy, sushy.auth',
    `auth = ${auth}(username=os.environ['RF_USER'], password=os.environ['RF_PASS'])`,
    `conn = sushy.Sushy(os.environ['RF_URL'] + '/redfish/v1', auth=auth, verify=${o.verify === false ? 'False' : "os.environ['RF_CA']"})`,
    `system = conn.get_system(${JSON.stringify(bmc.systemPath)})`,
    `manager = conn.get_manager(${JSON.stringify(bmc.managerPath)})`,
    body,
  ].join('\n');
  return runClient(DEBIAN_PYTHON, ['-'], script, {
    ...clientEnv(), RF_URL: bmc.url, RF_USER: bmc.username, RF_PASS: o.password ?? bmc.password, RF_CA: bmc.certFile,
  });
}

/** Runs redfishtool against the BMC over HTTPS (`-S Always`) with its credentials and `args`. */
export function redfishtool(bmc: RedfishTarget, args: readonly string[], o: { password?: string; session?: boolean } = {}): Promise<ClientResult> {
  return runClient('/usr/bin/redfishtool', [
    '-r', `${bmc.host}:${bmc.port}`, '-u', bmc.username, '-p', o.password ?? bmc.password, '-S', 'Always',
    ...(o.session ? ['-A', 'Session'] : []), ...args,
  ]);
}
