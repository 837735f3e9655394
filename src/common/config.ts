// Every setting of the service, declared once as data: default, environment variable, command-line flag and
// documentation come from this table (docs/configuration.md is checked against it by a test).
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';

type Kind = 'string' | 'integer' | 'boolean' | 'list';

interface SettingSpec {
  readonly kind: Kind;
  readonly default: () => unknown;
  readonly doc: string;
  /** Hidden from `--help` listings/log dumps because it is a secret. */
  readonly secret?: boolean;
}

export const SETTINGS = {
  host: { kind: 'string', default: () => '127.0.0.1', doc: 'Address the API listens on.' },
  port: { kind: 'integer', default: () => 6385, doc: 'TCP port the API listens on.' },
  stateDir: {
    kind: 'string', default: () => resolve('var'),
    doc: 'Directory for local state (the default SQLite database, image cache). Relative paths are resolved from the working directory.',
  },
  databaseUrl: {
    kind: 'string', default: () => '',
    doc: '`sqlite:///abs/path.db` or `postgresql://user@host:port/db`. Empty means `sqlite://<stateDir>/anvil.db`.',
  },
  publicUrl: {
    kind: 'string', default: () => '',
    doc: 'Base URL used in `links` and `Location` headers. Empty means the scheme and Host header of each request.',
  },
  conductorHostname: { kind: 'string', default: () => hostname(), doc: 'Name this conductor registers under (`/v1/conductors`, node `reservation`).' },
  conductorGroup: { kind: 'string', default: () => '', doc: 'Conductor group of this process.' },
  enabledHardwareTypes: {
    kind: 'list', default: () => ['ipmi', 'fake-hardware', 'manual-management'],
    doc: 'Hardware types (drivers) nodes may use, comma separated.',
  },
  maxLimit: { kind: 'integer', default: () => 1000, doc: 'Largest page size for list requests (Ironic `[api]max_limit`).' },
  maxBodyBytes: { kind: 'integer', default: () => 16 * 1024 * 1024, doc: 'Largest accepted request body in bytes; bigger bodies get 413.' },
  allowDeletingAvailableNodes: { kind: 'boolean', default: () => true, doc: 'Allow deleting nodes in the `available` state.' },
  encryptionKey: {
    kind: 'string', default: () => '', secret: true,
    doc: 'Base64 of a 32-byte key. When set, secret driver_info/instance_info values are stored encrypted (AES-256-GCM).',
  },
  encryptionKeyFile: { kind: 'string', default: () => '', doc: 'File holding the encryption key (alternative to `encryptionKey`).' },
  workers: { kind: 'integer', default: () => 100, doc: 'Background actions (deploys, power changes, …) run at once by this conductor; more wait in a queue.' },
  automatedClean: { kind: 'boolean', default: () => true, doc: 'Clean nodes on provide and after undeploy unless the node says `automated_clean: false`.' },
  deployCallbackTimeout: { kind: 'integer', default: () => 1800, doc: 'Seconds a node may wait in `wait call-back` for its agent before the deploy fails.' },
  cleanCallbackTimeout: { kind: 'integer', default: () => 1800, doc: 'Seconds a node may wait in `clean wait` before cleaning fails.' },
  inspectWaitTimeout: { kind: 'integer', default: () => 1800, doc: 'Seconds a node may wait in `inspect wait` before inspection fails.' },
  rescueCallbackTimeout: { kind: 'integer', default: () => 1800, doc: 'Seconds a node may wait in `rescue wait` before rescue fails.' },
  serviceCallbackTimeout: { kind: 'integer', default: () => 1800, doc: 'Seconds a node may wait in `service wait` before servicing fails.' },
  powerStateSyncInterval: { kind: 'integer', default: () => 60, doc: 'Seconds between power state syncs of all nodes (0 disables).' },
  powerStateSyncMaxRetries: { kind: 'integer', default: () => 3, doc: 'Consecutive failed BMC reads after which a node goes into maintenance with fault `power failure`.' },
  powerFailureRecoveryInterval: { kind: 'integer', default: () => 300, doc: 'Seconds between re-probes of nodes in maintenance for a power failure; an answer clears it.' },
  syncPowerStateWorkers: { kind: 'integer', default: () => 8, doc: 'BMCs queried at once by the power state sync.' },
  periodicCheckInterval: { kind: 'integer', default: () => 15, doc: 'Seconds between checks for timed-out wait states and stale reservations.' },
  powerActionTimeout: { kind: 'integer', default: () => 60, doc: 'Default seconds a power action may take before it fails (soft power off: 600).' },
  debug: { kind: 'boolean', default: () => false, doc: 'Put stack traces in `debuginfo` of 5xx error bodies and log at debug level.' },
  logLevel: { kind: 'string', default: () => 'info', doc: 'One of debug, info, warn, error.' },
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

export interface ConfigSources {
  /** Path of a YAML/JSON config file; also taken from ANVIL_CONFIG. */
  file?: string;
  env?: NodeJS.ProcessEnv;
  /** Values given on the command line, highest precedence. */
  flags?: Partial<Record<SettingName, unknown>>;
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
      if (!(key in SETTINGS)) throw new ConfigError(`unknown setting "${key}" in ${file}`);
    }
  }
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(SETTINGS) as [SettingName, SettingSpec][]) {
    let value: unknown = spec.default();
    if (name in fromFile) value = coerce(name, spec.kind, fromFile[name], file!);
    const e = env[envName(name)];
    if (e !== undefined && e !== '') value = coerce(name, spec.kind, e, envName(name));
    const f = sources.flags?.[name];
    if (f !== undefined) value = coerce(name, spec.kind, f, flagName(name));
    out[name] = value;
  }
  const cfg = out as Config;
  if (cfg.port < 0 || cfg.port > 65535) throw new ConfigError(`port must be between 0 and 65535, got ${cfg.port}`);
  if (!cfg.databaseUrl) out.databaseUrl = `sqlite://${resolve(cfg.stateDir, 'anvil.db')}`;
  if (cfg.encryptionKeyFile && !cfg.encryptionKey) {
    out.encryptionKey = readFileSync(cfg.encryptionKeyFile, 'utf8').trim();
  }
  return Object.freeze(out) as Config;
}
