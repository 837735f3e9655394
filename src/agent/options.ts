// The agent's settings: its own flags first, then the kernel command line's `ipa-*` parameters (the names
// Ironic's boot configs and IPA use), then defaults. Frozen once resolved; every module reads this object.
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { flag, parseBootif, parseCmdline, type KernelParams } from './cmdline.js';
import { AGENT_VERSION } from './version.js';

export interface AgentOptions {
  /** Ironic API URLs (`ipa-api-url`, comma-separated); empty in standalone mode. */
  readonly apiUrls: readonly string[];
  readonly bootif: string | null;
  readonly globalRequestId: string | null;
  readonly insecure: boolean;
  readonly apiCaFile: string | null;
  readonly debug: boolean;
  readonly standalone: boolean;
  readonly advertiseHost: string | null;
  readonly advertisePort: number;
  readonly listenHost: string;
  readonly listenPort: number;
  readonly tls: boolean;
  readonly lookupTimeoutS: number;
  readonly lookupIntervalS: number;
  readonly nodeUuid: string | null;
  /** A token known before lookup (`ipa-agent-token`, virtual media) or given by flag in standalone mode. */
  readonly agentToken: string | null;
  readonly inspectionCallbackUrl: string | null;
  readonly powerOffCommand: string;
  readonly rebootCommand: string;
  /** When non-empty, the only block devices the agent considers (paths like /dev/loop3). */
  readonly blockDevices: readonly string[];
  /** Where device nodes live (`/dev`); a device whose node is not here is not considered. */
  readonly devDir: string;
  readonly minDiskBytes: number;
  readonly tmpDir: string | null;
  readonly rescuePasswordFile: string;
  readonly rescueUser: boolean;
  readonly agentVersion: string;
  /** Skip `ipmitool lan print` for the BMC address (Ironic's `agent_skip_bmc_detect`). */
  readonly skipBmcDetect: boolean;
}

function sizeBytes(v: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?$/i.exec(v.trim());
  if (!m) throw new Error(`not a size: ${v} (give bytes or a number with K, M, G or T)`);
  const mult = { '': 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 }[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g' | 't'];
  return Math.round(Number(m[1]) * mult);
}

function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`not a non-negative integer: ${v}`);
  return n;
}

export function agentProgram(): Command {
  return new Command('anvil-agent')
    .description('Anvil deploy agent: speaks the Ironic Python Agent protocol from inside a deploy ramdisk')
    .option('--cmdline <text>', 'kernel command line to read instead of /proc/cmdline')
    .option('--cmdline-file <path>', 'file holding the kernel command line', '/proc/cmdline')
    .option('--api-url <url>', 'Ironic/Anvil API URL (overrides ipa-api-url)')
    .option('--standalone', 'serve the command API without lookup or heartbeats (ipa-standalone)')
    .option('--node-uuid <uuid>', 'node UUID hint for the lookup')
    .option('--agent-token <token>', 'agent token known before lookup (ipa-agent-token)')
    .option('--advertise-host <address>', 'address put in callback_url (default: the source address towards the API)')
    .option('--advertise-port <port>', 'port put in callback_url (default: the listen port)', positiveInt)
    .option('--listen-host <address>', 'address the command API listens on', '::')
    .option('--listen-port <port>', 'port of the command API', positiveInt)
    .option('--no-tls', 'serve the command API over plain HTTP (no automatic TLS)')
    .option('--insecure', 'do not verify the API server certificate (ipa-insecure=1)')
    .option('--api-ca-file <path>', 'extra CA bundle for the API server certificate')
    .option('--lookup-timeout <s>', 'give up the lookup after this many seconds', positiveInt)
    .option('--lookup-interval <s>', 'first wait between lookup attempts', positiveInt)
    .option('--inspection-callback-url <url>', 'post the inventory here before lookup (ipa-inspection-callback-url)')
    .option('--power-off-command <cmd>', 'shell command for standby.power_off', 'poweroff -f')
    .option('--reboot-command <cmd>', 'shell command for standby.run_image', 'reboot -f')
    .addOption(new Option('--block-device <path>', 'consider only this block device (repeatable)')
      .argParser((v: string, prev: string[] = []) => [...prev, v]))
    .option('--dev-dir <dir>', 'device directory; other than /dev, every block device node in it is considered (loop included)', '/dev')
    .option('--min-disk-size <size>', 'smallest disk picked without root device hints (kernel: anvil-min-disk-size)')
    .option('--tmp-dir <dir>', 'where qcow2 images are downloaded before conversion (default: the system temp dir)')
    .option('--rescue-password-file <path>', 'where finalize_rescue writes the password hash', '/etc/ipa-rescue-config/ipa-rescue-password')
    .option('--no-rescue-user', 'finalize_rescue only writes the hash file, without creating/updating the rescue user')
    .option('--skip-bmc-detect', 'do not ask ipmitool for the BMC address')
    .option('--agent-version <version>', 'agent_version to report', AGENT_VERSION)
    .option('--debug', 'debug logging (ipa-debug=1)');
}

export function readKernelParams(o: { cmdline?: string; cmdlineFile?: string }): KernelParams {
  if (o.cmdline !== undefined) return parseCmdline(o.cmdline);
  try {
    return parseCmdline(readFileSync(o.cmdlineFile ?? '/proc/cmdline', 'utf8'));
  } catch (err) {
    throw new Error(`cannot read the kernel command line from ${o.cmdlineFile}: ${(err as Error).message}`);
  }
}

/** Flags win over `ipa-*` parameters; both over the defaults. @throws Error on an unusable value. */
export function resolveOptions(o: Record<string, unknown>, k: KernelParams): AgentOptions {
  const str = (flagValue: unknown, param: string): string | null =>
    typeof flagValue === 'string' && flagValue !== '' ? flagValue : k.get(param) || null;
  const num = (flagValue: unknown, param: string, dflt: number): number => {
    if (typeof flagValue === 'number') return flagValue;
    const v = k.get(param);
    return v ? positiveInt(v) : dflt;
  };
  const apiUrl = str(o.apiUrl, 'ipa-api-url');
  const standalone = o.standalone === true || flag(k, 'ipa-standalone') === true;
  const listenPort = num(o.listenPort, 'ipa-listen-port', 9999);
  const options: AgentOptions = {
    apiUrls: apiUrl ? apiUrl.split(',').map((u) => u.trim()).filter(Boolean) : [],
    bootif: parseBootif(k.get('BOOTIF')),
    globalRequestId: str(undefined, 'ipa-global-request-id'),
    insecure: o.insecure === true || flag(k, 'ipa-insecure') === true,
    apiCaFile: str(o.apiCaFile, 'ipa-cafile'),
    debug: o.debug === true || flag(k, 'ipa-debug') === true,
    standalone,
    advertiseHost: str(o.advertiseHost, 'ipa-advertise-host'),
    advertisePort: num(o.advertisePort, 'ipa-advertise-port', listenPort),
    listenHost: str(o.listenHost === '::' ? undefined : o.listenHost, 'ipa-listen-host') ?? '::',
    listenPort,
    tls: o.tls !== false && flag(k, 'ipa-enable-auto-tls') !== false,
    lookupTimeoutS: num(o.lookupTimeout, 'ipa-lookup-timeout', 600),
    lookupIntervalS: Math.max(1, num(o.lookupInterval, 'ipa-lookup-interval', 1)),
    nodeUuid: str(o.nodeUuid, 'ipa-node-uuid'),
    agentToken: str(o.agentToken, 'ipa-agent-token'),
    inspectionCallbackUrl: str(o.inspectionCallbackUrl, 'ipa-inspection-callback-url'),
    powerOffCommand: String(o.powerOffCommand ?? 'poweroff -f'),
    rebootCommand: String(o.rebootCommand ?? 'reboot -f'),
    blockDevices: (o.blockDevice as string[] | undefined) ?? [],
    devDir: String(o.devDir ?? '/dev'),
    minDiskBytes: sizeBytes(str(o.minDiskSize, 'anvil-min-disk-size') ?? '4G'),
    tmpDir: typeof o.tmpDir === 'string' ? o.tmpDir : null,
    rescuePasswordFile: String(o.rescuePasswordFile ?? '/etc/ipa-rescue-config/ipa-rescue-password'),
    rescueUser: o.rescueUser !== false,
    agentVersion: String(o.agentVersion ?? AGENT_VERSION),
    skipBmcDetect: o.skipBmcDetect === true,
  };
  if (!options.standalone && options.apiUrls.length === 0 && !options.inspectionCallbackUrl) {
    throw new Error('no API URL: give ipa-api-url on the kernel command line, --api-url, or --standalone');
  }
  for (const u of options.apiUrls) {
    if (!/^https?:\/\/[^/\s]+/i.test(u)) throw new Error(`ipa-api-url must be an http(s) URL, got ${u}`);
  }
  return Object.freeze(options);
}
