// Every setting of the service, declared once as data: default, environment variable, command-line flag,
// the allowed values (validated at start by a schema built from the table, see config-schema.ts) and the
// documentation come from this table (docs/configuration.md is generated from it: `npm run docs`).
import { readFileSync, realpathSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve, sep } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { allowedText, settingsSchema, type Kind, type SettingSpec } from './config-schema.js';

export type { SettingSpec } from './config-schema.js';

export const SETTINGS = {
  host: { kind: 'string', default: () => '127.0.0.1', doc: 'Address the API listens on.' },
  port: { kind: 'integer', min: 0, max: 65535, default: () => 6385, doc: 'TCP port the API listens on (0: a free port, printed at start).' },
  extraHosts: {
    kind: 'list', default: () => [],
    doc: 'Further addresses the API also listens on, on the same port, e.g. the provisioning network\'s address (`anvil lab` uses its bridge address), so deploy agents reach the API while `host` stays on loopback.',
  },
  stateDir: {
    kind: 'string', shownDefault: './var', default: () => resolve('var'),
    doc: 'Directory for local state (the default SQLite database, image cache). Relative paths are resolved from the working directory.',
  },
  databaseUrl: {
    kind: 'string', schemes: ['sqlite', 'postgresql', 'postgres'], default: () => '',
    doc: '`sqlite:///abs/path.db` or `postgresql://user@host:port/db`. Empty means `sqlite://<stateDir>/anvil.db`.',
  },
  publicUrl: {
    kind: 'string', schemes: ['http', 'https'], default: () => '',
    doc: 'Base URL used in `links` and `Location` headers. Empty means the scheme and Host header of each request.',
  },
  conductorHostname: { kind: 'string', shownDefault: "the machine's hostname", default: () => hostname(), doc: 'Name this conductor registers under (`/v1/conductors`, node `reservation`).' },
  conductorGroup: { kind: 'string', default: () => '', doc: 'Conductor group of this process.' },
  enabledHardwareTypes: {
    kind: 'list', default: () => ['ipmi', 'redfish', 'fake-hardware', 'manual-management'],
    doc: 'Hardware types (drivers) nodes may use, comma separated.',
  },
  maxLimit: { kind: 'integer', min: 1, default: () => 1000, doc: 'Largest page size for list requests (Ironic `[api]max_limit`).' },
  maxBodyBytes: { kind: 'integer', min: 1024, default: () => 114_688, doc: 'Largest accepted request body in bytes (Ironic\'s own middleware allows 112 KiB); bigger bodies get 413. Only provisioning requests may be larger (`maxConfigDriveBodyBytes`).' },
  maxConfigDriveBodyBytes: { kind: 'integer', min: 1024, default: () => 64 * 1024 * 1024, doc: 'Largest body of `PUT /v1/nodes/{node}/states/provision`, which may carry a config drive.' },
  maxUrlBytes: { kind: 'integer', min: 256, default: () => 8192, doc: 'Longest accepted request target (path and query) in bytes; longer ones get 414.' },
  apiFastGet: { kind: 'boolean', default: () => true, doc: 'Answer unchanged `GET /v1/nodes/{uuid}` polls (noauth, no query) from the view cache below the web framework, with the same bytes and headers (issue 14). Off: every request takes the full path.' },
  maxHeaderBytes: { kind: 'integer', min: 1024, default: () => 16_384, doc: 'Largest accepted size of all request headers together; bigger ones get 431.' },
  clientHeaderTimeout: { kind: 'integer', min: 1, default: () => 20, doc: 'Seconds a client may take to send its request headers before it is answered 408 and disconnected (slow clients, "slowloris").' },
  clientRequestTimeout: { kind: 'integer', min: 1, default: () => 300, doc: 'Seconds a client may take to send a whole request, body included (at least `clientHeaderTimeout`).' },
  ramdiskRateLimit: {
    kind: 'integer', min: 0, default: () => 120,
    doc: 'Requests a minute each client address may make to the ramdisk endpoints (`/v1/lookup`, `/v1/heartbeat/{node}`, `/v1/continue_inspection`), in bursts of as many; more get 429 with `Retry-After`. 0: no limit. See docs/security.md.',
  },
  authStrategy: { kind: 'string', oneOf: ['noauth', 'http_basic'], default: () => 'noauth', doc: '`noauth` (allowed only on a loopback bind unless `insecureNoauth`) or `http_basic` (users from `httpBasicAuthUserFile`). See docs/security.md.' },
  httpBasicAuthUserFile: { kind: 'string', default: () => '', doc: 'Apache htpasswd file with bcrypt hashes (`htpasswd -B`) for `authStrategy: http_basic`; re-read when it changes.' },
  authUsersFile: { kind: 'string', default: () => '', doc: 'YAML file giving each http_basic user a project and roles (see docs/security.md). Empty: every authenticated user is a system admin, as in Ironic.' },
  insecureNoauth: { kind: 'boolean', default: () => false, doc: 'Allow `authStrategy: noauth` on a non-loopback address (anyone who reaches the port controls every node); logged as a warning at start.' },
  tlsCertFile: { kind: 'string', default: () => '', doc: 'PEM certificate (chain) for HTTPS on the API and the image server; needs `tlsKeyFile`. Empty: plain HTTP.' },
  tlsKeyFile: { kind: 'string', default: () => '', doc: 'PEM private key of `tlsCertFile`.' },
  allowDeletingAvailableNodes: { kind: 'boolean', default: () => true, doc: 'Allow deleting nodes in the `available` state.' },
  encryptionKey: {
    kind: 'string', default: () => '', secret: true, keyFile: 'encryptionKeyFile',
    doc: 'Base64 of a 32-byte key. When set, secret driver_info/instance_info values are stored encrypted (AES-256-GCM).',
  },
  encryptionKeyFile: { kind: 'string', default: () => '', doc: 'File holding the encryption key (alternative to `encryptionKey`).' },
  workers: { kind: 'integer', min: 1, default: () => 100, doc: 'Background actions (deploys, power changes, …) run at once by this conductor; more wait in a queue.' },
  gracefulShutdownTimeout: {
    kind: 'integer', min: 0, default: () => 60,
    doc: 'Seconds a stopping service (SIGTERM, SIGINT) lets running actions finish; then the locks it still holds are released, nodes in a working state moved to its failure state (Ironic `graceful_shutdown_timeout`).',
  },
  automatedClean: { kind: 'boolean', default: () => true, doc: 'Clean nodes on provide and after undeploy unless the node says `automated_clean: false`.' },
  deployCallbackTimeout: { kind: 'integer', min: 1, default: () => 1800, doc: 'Seconds a node may wait in `wait call-back` for its agent before the deploy fails.' },
  cleanCallbackTimeout: { kind: 'integer', min: 1, default: () => 1800, doc: 'Seconds a node may wait in `clean wait` before cleaning fails.' },
  inspectWaitTimeout: { kind: 'integer', min: 1, default: () => 1800, doc: 'Seconds a node may wait in `inspect wait` before inspection fails.' },
  rescueCallbackTimeout: { kind: 'integer', min: 1, default: () => 1800, doc: 'Seconds a node may wait in `rescue wait` before rescue fails.' },
  agentCommandTimeout: { kind: 'integer', min: 1, default: () => 60, doc: 'Seconds one call to a ramdisk agent\'s command API may take (Ironic `[agent]command_timeout`).' },
  agentHeartbeatTimeout: {
    kind: 'integer', min: 10, default: () => 60,
    doc: '`heartbeat_timeout` told to agents at lookup (Ironic: 300): they heartbeat every 30–60 % of it, and each heartbeat brings the write progress and the next step, so lower means fresher progress.',
  },
  agentAllowInsecureCallback: {
    kind: 'boolean', default: () => false,
    doc: 'Accept agents that call back with a plain `http://` URL (no TLS). Off: only agents with automatic TLS (a certificate sent in the heartbeat, to which every call is pinned) are driven.',
  },
  eraseDevicesMetadataPriority: { kind: 'integer', min: 0, default: () => 99, doc: 'Priority of the agent clean step `erase_devices_metadata` (partition tables and signatures) in automated cleaning; 0 disables it.' },
  eraseDevicesPriority: { kind: 'integer', min: 0, default: () => 0, doc: 'Priority of the agent clean step `erase_devices` (every byte of every disk) in automated cleaning; 0 (default) disables it.' },
  serviceCallbackTimeout: { kind: 'integer', min: 1, default: () => 1800, doc: 'Seconds a node may wait in `service wait` before servicing fails.' },
  powerStateSyncInterval: { kind: 'integer', min: 0, default: () => 60, doc: 'Seconds between power state syncs of all nodes (0 disables).' },
  powerStateSyncMaxRetries: { kind: 'integer', min: 1, default: () => 3, doc: 'Consecutive failed BMC reads after which a node goes into maintenance with fault `power failure`.' },
  powerFailureRecoveryInterval: { kind: 'integer', min: 0, default: () => 300, doc: 'Seconds between re-probes of nodes in maintenance for a power failure; an answer clears it.' },
  syncPowerStateWorkers: { kind: 'integer', min: 1, default: () => 8, doc: 'BMCs queried at once by the power state sync.' },
  periodicCheckInterval: { kind: 'integer', min: 0, default: () => 15, doc: 'Seconds between checks for timed-out wait states and stale reservations.' },
  powerActionTimeout: { kind: 'integer', min: 1, default: () => 60, doc: 'Default seconds a power action may take before it fails (soft power off: 600).' },
  redfishAuthType: {
    kind: 'string', oneOf: ['auto', 'session', 'basic'], default: () => 'auto',
    doc: 'How `redfish` nodes authenticate when their driver_info has no `redfish_auth_type`: `auto` (a session when the BMC offers one, else HTTP basic), `session` or `basic` (Ironic `[redfish]auth_type`).',
  },
  redfishConnectionAttempts: { kind: 'integer', min: 1, default: () => 5, doc: 'Tries of one Redfish call when the BMC refuses or drops the connection, times out or answers 5xx; a wrong password is never retried (Ironic `[redfish]connection_attempts`).' },
  redfishConnectionRetryInterval: { kind: 'integer', min: 0, default: () => 4, doc: 'Longest pause in seconds between those tries; pauses start at 0.5 s and double up to it (Ironic `[redfish]connection_retry_interval`).' },
  redfishRequestTimeout: { kind: 'integer', min: 1, default: () => 30, doc: 'Seconds one HTTP request to a Redfish BMC may take (connect, answer, body) before it counts as failed.' },
  consoleAddress: { kind: 'string', default: () => '127.0.0.1', doc: 'IPv4 address serial consoles (`ipmitool-socat`) listen on; console URLs name it (Ironic `[console]socat_address`).' },
  consolePortRange: { kind: 'string', default: () => '10000:20000', doc: 'TCP ports `LOW:HIGH` a console takes one from when driver_info has no `ipmi_terminal_port` (Ironic `[console]port_range`).' },
  fileUrlAllowedPaths: {
    kind: 'list', default: () => [],
    doc: 'Directories `file://` image URLs may point into (checked after resolving symlinks and `..`). Empty means `<stateDir>/images`. `/dev`, `/sys`, `/proc`, `/boot`, `/etc`, `/run` are refused at start-up.',
  },
  allowMd5Checksum: { kind: 'boolean', default: () => true, doc: 'Accept MD5 image checksums (32 hex digits, or `image_os_hash_algo: md5`).' },
  maxImageVirtualSize: {
    kind: 'integer', min: 1, default: () => 2 * 1024 ** 4,
    doc: 'Largest virtual size in bytes of an image (a qcow2/vmdk/vhd/vhdx header can claim far more than the file holds); larger images are refused.',
  },
  forceRawImages: { kind: 'boolean', default: () => true, doc: 'Convert qcow2, vmdk, vhd and vhdx images to raw (with `qemu-img`) before they are served to the agent.' },
  debug: { kind: 'boolean', default: () => false, doc: 'Put stack traces in `debuginfo` of 5xx error bodies and log at debug level.' },
  logLevel: { kind: 'string', oneOf: ['debug', 'info', 'warn', 'error'], default: () => 'info', doc: 'Least severe log level written.' },
  imageCacheDir: {
    kind: 'string', default: () => '',
    doc: 'Root of the image cache (`master/` holds one copy per image URL, `nodes/<uuid>/` hard links to it). Empty means `<stateDir>/image-cache`.',
  },
  imageCacheMaxBytes: {
    kind: 'integer', min: 0, default: () => 20 * 1024 ** 3,
    doc: 'Size limit of the image cache in bytes; least recently used images not in use are evicted beyond it (0: no limit).',
  },
  imageCacheTtl: { kind: 'integer', min: 0, default: () => 7 * 24 * 3600, doc: 'Seconds an unused cached image is kept after its last use (0: no age limit).' },
  imageConnectTimeout: { kind: 'integer', min: 1, default: () => 30, doc: 'Seconds to wait for a connection (and TLS handshake) to an image origin.' },
  imageReadTimeout: { kind: 'integer', min: 1, default: () => 60, doc: 'Seconds an image origin may stay silent (before the headers or inside the body) before the attempt fails.' },
  imageDownloadRetries: { kind: 'integer', min: 0, default: () => 3, doc: 'Further attempts after a transient image download failure (connection error, 5xx, 408, 429, truncated body), with exponential backoff.' },
  imageCaBundle: { kind: 'string', default: () => '', doc: 'PEM file of CA certificates trusted for https:// image origins, in addition to the built-in ones.' },
  imageInsecure: { kind: 'boolean', default: () => false, doc: 'Skip TLS certificate verification of https:// image origins (testing only).' },
  imageDownloadSource: {
    kind: 'string', oneOf: ['http', 'local'], default: () => 'http',
    doc: '`http`: the agent downloads http(s) images from their origin; `local`: the conductor caches them and serves them itself. A node may override it with `image_download_source` in driver_info or instance_info. `file://` images are always served by the conductor.',
  },
  imageServeHost: { kind: 'string', default: () => '', doc: 'Address the image server for deploy agents listens on. Empty means `host`.' },
  imageServePort: { kind: 'integer', min: 0, max: 65535, default: () => 0, doc: 'TCP port of the image server for deploy agents (0: a free port chosen at start).' },
  imageServeBaseUrl: {
    kind: 'string', schemes: ['http', 'https'], default: () => '',
    doc: 'Base URL agents use to reach the image server (Ironic `[deploy]http_url`). Empty means `http://<imageServeHost>:<port>`.',
  },
  imageServeUrlTtl: { kind: 'integer', min: 1, default: () => 3600, doc: 'Seconds a signed image URL handed to an agent stays valid.' },
  imageServeKey: {
    kind: 'string', default: () => '', secret: true, keyFile: 'imageServeKeyFile',
    doc: 'Key signing image URLs for agents. Empty means a random key per process (URLs then die with a restart).',
  },
  imageServeKeyFile: { kind: 'string', default: () => '', doc: 'File holding `imageServeKey` (the flag `--image-serve-key` is refused: it would show in the process list).' },
  tftpRoot: { kind: 'string', default: () => '', doc: 'Directory served over TFTP to booting machines: loaders, PXELINUX/GRUB configs, kernels and ramdisks of `pxe` nodes. Empty means `<stateDir>/tftpboot`.' },
  httpRoot: { kind: 'string', default: () => '', doc: 'Directory served over HTTP to booting machines: `boot.ipxe`, iPXE scripts, kernels and ramdisks of `ipxe` nodes. Empty means `<stateDir>/httpboot`.' },
  httpBootUrl: {
    kind: 'string', schemes: ['http', 'https'], default: () => '',
    doc: 'URL at which another web server serves `httpRoot` (Ironic `[deploy]http_url`). Empty means Anvil serves it itself on `httpBootHost`:`httpBootPort`.',
  },
  httpBootHost: { kind: 'string', default: () => '', doc: 'Address Anvil serves `httpRoot` on when `httpBootUrl` is empty. Empty means `host`.' },
  httpBootPort: { kind: 'integer', min: 0, max: 65535, default: () => 0, doc: 'TCP port Anvil serves `httpRoot` on when `httpBootUrl` is empty (0: a free port chosen at start).' },
  agentApiUrl: {
    kind: 'string', schemes: ['http', 'https'], default: () => '',
    doc: 'API URL booted agents are told to call (kernel argument `ipa-api-url`). Empty means `publicUrl`, else `http://<host>:<port>`.',
  },
  kernelAppendParams: {
    kind: 'string', default: () => 'nofb nomodeset vga=normal',
    doc: 'Kernel arguments of deploy and rescue ramdisks; a node\'s `driver_info.kernel_append_params` replaces them (`%default%` in it stands for this value).',
  },
  tftpServer: { kind: 'string', default: () => '', doc: 'TFTP server address handed out in DHCP option 66. Empty means the DHCP server\'s own address (next-server).' },
  networkBootLocalDisk: {
    kind: 'boolean', default: () => false,
    doc: 'After deploy, keep answering a node\'s network boot with a config that boots its local disk (for machines whose boot device cannot be set); otherwise its boot files and DHCP entries are removed.',
  },
  dhcpProvider: { kind: 'string', oneOf: ['dnsmasq', 'none'], default: () => 'dnsmasq', doc: '`dnsmasq`: write per-MAC host and per-node option files for dnsmasq (`dhcpDir`); `none`: another DHCP server is configured by hand.' },
  dhcpDir: { kind: 'string', default: () => '', doc: 'Where the `dnsmasq` provider writes `hosts/` (`--dhcp-hostsdir`) and `opts/` (`--dhcp-optsdir`). Empty means `<stateDir>/dhcp`.' },
  dnsmasqInterface: { kind: 'string', default: () => '', doc: 'Network interface on which `anvil serve` runs and supervises its own dnsmasq (DHCP + TFTP from `tftpRoot`, no DNS). Empty: no dnsmasq is started.' },
  dnsmasqDhcpRange: { kind: 'string', default: () => '', doc: 'dnsmasq `--dhcp-range` of the supervised dnsmasq, e.g. `10.99.0.100,10.99.0.199,255.255.255.0,1h`. Required with `dnsmasqInterface`.' },
  dnsmasqBinary: { kind: 'string', default: () => 'dnsmasq', doc: 'dnsmasq executable of the supervised dnsmasq (Debian package dnsmasq-base).' },
  dnsmasqTftp: { kind: 'boolean', default: () => true, doc: 'Let the supervised dnsmasq serve `tftpRoot` over TFTP.' },
  dnsmasqNetns: { kind: 'string', default: () => '', doc: 'Network namespace the supervised dnsmasq runs in (`ip netns exec`). Empty: the service\'s own.' },
  dnsmasqExtraArgs: { kind: 'list', default: () => [], doc: 'Further command-line flags for the supervised dnsmasq, comma separated.' },
} as const satisfies Record<string, SettingSpec>;

export type SettingName = keyof typeof SETTINGS;
type ValueOf<K extends Kind> = K extends 'integer' ? number : K extends 'boolean' ? boolean : K extends 'list' ? string[] : string;
export type Config = { readonly [K in SettingName]: ValueOf<(typeof SETTINGS)[K]['kind']> };

/** `databaseUrl` -> `ANVIL_DATABASE_URL` */
export function envName(name: SettingName): string {
  return 'ANVIL_' + name.replace(/[A-Z]/g, (c) => '_' + c).toUpperCase();
}

/** `databaseUrl` -> `--database-url` */
export function flagName(name: SettingName): string {
  return '--' + name.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
}

export class ConfigError extends Error {}

function coerce(name: string, kind: Kind, raw: unknown, source: string): unknown {
  if (kind === 'integer') {
    const n = typeof raw === 'number' ? raw : Number(String(raw).trim());
    if (!Number.isInteger(n)) throw new ConfigError(`${name} from ${source} must be an integer, got ${JSON.stringify(raw)}`);
    return n;
  }
  if (kind === 'boolean') {
    if (typeof raw === 'boolean') return raw;
    const s = String(raw).trim().toLowerCase();
    if (['1', 'true', 'yes', 'on'].includes(s)) return true;
    if (['0', 'false', 'no', 'off'].includes(s)) return false;
    throw new ConfigError(`${name} from ${source} must be true or false, got ${JSON.stringify(raw)}`);
  }
  if (kind === 'list') {
    const items = Array.isArray(raw) ? raw.map(String) : String(raw).split(',');
    return items.map((s) => s.trim()).filter(Boolean);
  }
  return String(raw);
}

/**
 * Directories no `file://` image may come from, whatever the configuration says: reading a device, kernel
 * interface or the host's own secrets through an image URL would leak them to whoever can deploy a node.
 */
export const FORBIDDEN_FILE_ROOTS: readonly string[] = ['/dev', '/sys', '/proc', '/boot', '/etc', '/run'];

/** True when `path` is `dir` or lies below it (both absolute and normalised). */
export function isWithin(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir.endsWith(sep) ? dir : dir + sep);
}

/**
 * Normalises the allowed roots and refuses dangerous ones: a root at or under a forbidden directory, or one
 * that contains a forbidden directory (`/`), also when a symlink leads there.
 */
function checkFileUrlRoots(roots: readonly string[]): string[] {
  return roots.map((root) => {
    const abs = resolve(root);
    let real = abs;
    try {
      real = realpathSync(abs);
    } catch {
      // Not created yet: the lexical check below still applies, and image-source.ts re-checks at use.
    }
    for (const p of new Set([abs, real])) {
      const bad = FORBIDDEN_FILE_ROOTS.find((f) => isWithin(p, f) || isWithin(f, p));
      if (bad) {
        throw new ConfigError(`fileUrlAllowedPaths entry ${root}${p !== root ? ` (${p})` : ''} is not allowed: file:// images may never come from ${FORBIDDEN_FILE_ROOTS.join(', ')} or a directory containing them (${bad})`);
      }
    }
    return abs;
  });
}

const SCHEMA = settingsSchema(SETTINGS);

/** Checks every value against the declared schema; one message per bad setting: name, value, source, allowed. */
function validate(values: Record<string, unknown>, origin: Record<string, string>): void {
  const result = SCHEMA.safeParse(values);
  if (result.success) return;
  const bad = [...new Set(result.error.issues.map((i) => String(i.path[0])))] as SettingName[];
  const lines = bad.map((name) =>
    `${name} = ${JSON.stringify(values[name])} (from ${origin[name]}) is not allowed: it must be ${allowedText(SETTINGS[name])}`);
  throw new ConfigError(lines.length === 1 ? lines[0]! : `invalid settings:\n  ${lines.join('\n  ')}`);
}

export interface ConfigSources {
  /** Path of a YAML/JSON config file; also taken from ANVIL_CONFIG. */
  file?: string;
  env?: NodeJS.ProcessEnv;
  /** Values given on the command line, highest precedence. */
  flags?: Partial<Record<SettingName, unknown>>;
}

/** Flags that name a secret setting: key material belongs in the environment or a file, never in argv. */
export function refuseSecretFlags(flags: Partial<Record<SettingName, unknown>>): void {
  for (const name of Object.keys(flags) as SettingName[]) {
    const spec: SettingSpec = SETTINGS[name];
    if (!spec.secret || flags[name] === undefined) continue;
    const file = spec.keyFile ? `--${spec.keyFile.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())} FILE` : 'a config file';
    throw new ConfigError(`${flagName(name)} is refused: a key on the command line is visible to every user in the process list and stays in the shell history. ` +
      `Put it in a file only you can read and pass ${file}, or set ${envName(name)}.`);
  }
}

/** Defaults < config file < environment < flags. */
export function loadConfig(sources: ConfigSources = {}): Config {
  const env = sources.env ?? process.env;
  const file = sources.file ?? env.ANVIL_CONFIG;
  let fromFile: Record<string, unknown> = {};
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new ConfigError(`cannot read config file ${file}: ${(err as Error).message}`);
    }
    const parsed: unknown = parseYaml(text);
    if (parsed != null && (typeof parsed !== 'object' || Array.isArray(parsed))) {
      throw new ConfigError(`config file ${file} must hold a mapping of setting names to values`);
    }
    fromFile = (parsed ?? {}) as Record<string, unknown>;
    for (const key of Object.keys(fromFile)) {
      if (!Object.hasOwn(SETTINGS, key)) throw new ConfigError(`unknown setting "${key}" in ${file}`);
    }
  }
  const out: Record<string, unknown> = {};
  const origin: Record<string, string> = {};
  for (const [name, spec] of Object.entries(SETTINGS) as [SettingName, SettingSpec][]) {
    let value: unknown = spec.default();
    origin[name] = 'the default';
    if (Object.hasOwn(fromFile, name)) [value, origin[name]] = [coerce(name, spec.kind, fromFile[name], file!), file!];
    const e = env[envName(name)];
    if (e !== undefined && e !== '') [value, origin[name]] = [coerce(name, spec.kind, e, envName(name)), envName(name)];
    const f = sources.flags?.[name];
    if (f !== undefined) [value, origin[name]] = [coerce(name, spec.kind, f, flagName(name)), flagName(name)];
    out[name] = value;
  }
  validate(out, origin);
  const cfg = out as Config;
  if (!cfg.databaseUrl) out.databaseUrl = `sqlite://${resolve(cfg.stateDir, 'anvil.db')}`;
  out.fileUrlAllowedPaths = checkFileUrlRoots(cfg.fileUrlAllowedPaths.length ? cfg.fileUrlAllowedPaths : [resolve(cfg.stateDir, 'images')]);
  for (const [name, spec] of Object.entries(SETTINGS) as [SettingName, SettingSpec][]) {
    const file = spec.keyFile ? out[spec.keyFile] : '';
    if (typeof file !== 'string' || file === '' || out[name]) continue;
    try {
      out[name] = readFileSync(file, 'utf8').trim();
    } catch (err) {
      throw new ConfigError(`${spec.keyFile} ${file} cannot be read: ${(err as Error).message}`);
    }
  }
  return Object.freeze(out) as Config;
}
