// Turns a node's driver_info into the settings of an ipmitool run, and those settings into an argument
// vector plus environment. Secrets never go into the argument vector (world-readable in /proc/*/cmdline):
// the password travels in IPMI_PASSWORD (`-E`), the Kg key in IPMI_KGKEY (`-K`).
import { InvalidParameterValueError, MissingParameterValueError } from '../../common/errors.js';

export type Bridging =
  | { readonly kind: 'no' }
  | { readonly kind: 'single'; readonly targetChannel: string; readonly targetAddress: string; readonly localAddress: string | null }
  | {
      readonly kind: 'dual'; readonly transitChannel: string; readonly transitAddress: string;
      readonly targetChannel: string; readonly targetAddress: string; readonly localAddress: string | null;
    };

export interface IpmiSettings {
  readonly address: string;
  readonly port: number | null;
  readonly username: string | null;
  readonly password: string | null;
  readonly privLevel: 'ADMINISTRATOR' | 'CALLBACK' | 'OPERATOR' | 'USER';
  readonly protocolVersion: '1.5' | '2.0';
  readonly cipherSuite: number | null;
  /** Decoded Kg key (trailing zero bytes dropped: the BMC pads the key with zeros anyway). */
  readonly kgKey: Buffer | null;
  readonly bridging: Bridging;
  /** Seconds one ipmitool process may run before it is killed. */
  readonly commandTimeoutS: number;
  /** Seconds during which transient failures (no answer, BMC busy) are retried. */
  readonly retryTimeoutS: number;
  readonly disableBootTimeout: boolean;
}

export const DEFAULT_COMMAND_TIMEOUT_S = 15;
// Ironic's [ipmi]command_retry_timeout: how long a flaky BMC is given before the action fails.
export const DEFAULT_RETRY_TIMEOUT_S = 60;

const PRIV_LEVELS = ['ADMINISTRATOR', 'CALLBACK', 'OPERATOR', 'USER'] as const;
const TRUE_WORDS = ['1', 't', 'true', 'on', 'y', 'yes'];
const FALSE_WORDS = ['0', 'f', 'false', 'off', 'n', 'no'];

type Info = Readonly<Record<string, unknown>>;

function present(info: Info, key: string): boolean {
  return info[key] !== undefined && info[key] !== null && info[key] !== '';
}

function text(info: Info, key: string): string | null {
  return present(info, key) ? String(info[key]) : null;
}

function bool(info: Info, key: string, fallback: boolean): boolean {
  if (!present(info, key)) return fallback;
  const v = info[key];
  if (typeof v === 'boolean') return v;
  const word = String(v).trim().toLowerCase();
  if (TRUE_WORDS.includes(word)) return true;
  if (FALSE_WORDS.includes(word)) return false;
  throw new InvalidParameterValueError(`${key} must be a boolean, got ${JSON.stringify(v)}.`);
}

function seconds(info: Info, key: string, fallback: number): number {
  if (!present(info, key)) return fallback;
  const n = Number(info[key]);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidParameterValueError(`${key} must be a positive number of seconds, got ${JSON.stringify(info[key])}.`);
  return n;
}

// Channels and IPMB addresses are bytes, written in decimal or 0x-hex (Ironic passes them to ipmitool as-is).
function byteValue(info: Info, key: string): string {
  const v = text(info, key);
  if (v === null) throw new MissingParameterValueError(`${key} is required when ipmi_bridging is "${String(info.ipmi_bridging)}".`);
  if (!/^(0x[0-9a-f]{1,2}|\d{1,3})$/i.test(v) || Number(v) > 255) {
    throw new InvalidParameterValueError(`${key} must be a byte value (decimal or 0x-hex), got ${JSON.stringify(v)}.`);
  }
  return v;
}

function kgKey(info: Info): Buffer | null {
  const hex = text(info, 'ipmi_hex_kg_key');
  if (hex === null) return null;
  // The value itself stays out of the message: it is a secret.
  if (!/^([0-9a-f]{2})+$/i.test(hex) || hex.length > 40) {
    throw new InvalidParameterValueError('ipmi_hex_kg_key must be an even number of hexadecimal digits, at most 40 (20 bytes).');
  }
  const key = Buffer.from(hex, 'hex');
  let end = key.length;
  while (end > 0 && key[end - 1] === 0) end--;
  return end === 0 ? null : key.subarray(0, end);
}

function bridging(info: Info): Bridging {
  const kind = text(info, 'ipmi_bridging') ?? 'no';
  const localAddress = present(info, 'ipmi_local_address') ? byteValue(info, 'ipmi_local_address') : null;
  switch (kind) {
    case 'no': return { kind };
    case 'single':
      return { kind, targetChannel: byteValue(info, 'ipmi_target_channel'), targetAddress: byteValue(info, 'ipmi_target_address'), localAddress };
    case 'dual':
      return {
        kind, transitChannel: byteValue(info, 'ipmi_transit_channel'), transitAddress: byteValue(info, 'ipmi_transit_address'),
        targetChannel: byteValue(info, 'ipmi_target_channel'), targetAddress: byteValue(info, 'ipmi_target_address'), localAddress,
      };
    default:
      throw new InvalidParameterValueError(`ipmi_bridging must be one of no, single, dual; got ${kind}.`);
  }
}

/**
 * Reads and checks every ipmitool driver_info key. Cheap (no I/O), so validation calls it too.
 * @throws MissingParameterValueError / InvalidParameterValueError with messages free of secrets.
 */
export function parseIpmiSettings(info: Info): IpmiSettings {
  const address = text(info, 'ipmi_address');
  if (address === null) throw new MissingParameterValueError("Missing the following IPMI credentials in node's driver_info: ipmi_address.");
  let port: number | null = null;
  if (present(info, 'ipmi_port')) {
    port = Number(info.ipmi_port);
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new InvalidParameterValueError(`IPMI port must be an integer between 1 and 65535, got ${JSON.stringify(info.ipmi_port)}.`);
    }
  }
  const priv = text(info, 'ipmi_priv_level') ?? 'ADMINISTRATOR';
  if (!(PRIV_LEVELS as readonly string[]).includes(priv)) {
    throw new InvalidParameterValueError(`Invalid privilege level value: ${priv}; valid values are ${PRIV_LEVELS.join(', ')}.`);
  }
  const proto = text(info, 'ipmi_protocol_version') ?? '2.0';
  if (proto !== '1.5' && proto !== '2.0') {
    throw new InvalidParameterValueError(`Invalid IPMI protocol version value ${proto}; supported versions are 1.5, 2.0.`);
  }
  let cipherSuite: number | null = null;
  if (present(info, 'ipmi_cipher_suite')) {
    cipherSuite = Number(info.ipmi_cipher_suite);
    if (!Number.isInteger(cipherSuite) || cipherSuite < 0 || cipherSuite > 255) {
      throw new InvalidParameterValueError(`ipmi_cipher_suite must be an integer, got ${JSON.stringify(info.ipmi_cipher_suite)}.`);
    }
  }
  return {
    address, port, privLevel: priv as IpmiSettings['privLevel'], protocolVersion: proto, cipherSuite,
    username: text(info, 'ipmi_username'),
    password: text(info, 'ipmi_password'),
    kgKey: kgKey(info),
    bridging: bridging(info),
    commandTimeoutS: seconds(info, 'ipmi_command_timeout', DEFAULT_COMMAND_TIMEOUT_S),
    retryTimeoutS: seconds(info, 'ipmi_command_retry_timeout', DEFAULT_RETRY_TIMEOUT_S),
    disableBootTimeout: bool(info, 'ipmi_disable_boot_timeout', true),
  };
}

/** How ipmitool itself retransmits within one run (-R tries, -N seconds apart); our retries come on top. */
export interface TransportTuning {
  readonly retries: number;
  readonly retransmitS: number;
}

export const DEFAULT_TUNING: TransportTuning = Object.freeze({ retries: 1, retransmitS: 1 });

/** What to spawn: `file` with `args`, adding `env` to a scrubbed copy of our environment. */
export interface IpmitoolInvocation {
  readonly file: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
}

// Sets IPMI_KGKEY from octal escapes, then becomes ipmitool. Node can only put UTF-8 text into a child's
// environment, so a key with bytes >= 0x80 has to be assembled by printf; the trailing "x" keeps command
// substitution from eating a final newline byte.
const KG_WRAPPER = 'k=$(printf "$ANVIL_IPMI_KG"; printf x); IPMI_KGKEY=${k%x}; export IPMI_KGKEY; unset ANVIL_IPMI_KG k; exec "$@"';

/** The session options of `settings`: everything before the ipmitool command words. */
export function sessionArgs(settings: IpmiSettings, tuning: TransportTuning = DEFAULT_TUNING): string[] {
  const args = ['-I', settings.protocolVersion === '1.5' ? 'lan' : 'lanplus', '-H', settings.address];
  if (settings.port !== null) args.push('-p', String(settings.port));
  args.push('-L', settings.privLevel);
  if (settings.username !== null) args.push('-U', settings.username);
  if (settings.cipherSuite !== null && settings.protocolVersion === '2.0') args.push('-C', String(settings.cipherSuite));
  const b = settings.bridging;
  if (b.kind !== 'no' && b.localAddress !== null) args.push('-m', b.localAddress);
  if (b.kind === 'dual') args.push('-B', b.transitChannel, '-T', b.transitAddress);
  if (b.kind !== 'no') args.push('-b', b.targetChannel, '-t', b.targetAddress);
  // -v makes ipmitool say why a session failed ("RAKP 2 HMAC is invalid"), which is how a wrong password
  // is told apart from a BMC that does not answer: both end in the same "Unable to establish" line.
  args.push('-R', String(tuning.retries), '-N', String(tuning.retransmitS), '-v');
  if (settings.password !== null) args.push('-E');
  return args;
}

/** True when the Kg key cannot travel through the environment (a zero byte inside it ends a C string). */
export function kgKeyNeedsArgv(key: Buffer): boolean {
  return key.includes(0);
}

export function buildInvocation(binary: string, settings: IpmiSettings, command: readonly string[],
  tuning: TransportTuning = DEFAULT_TUNING): IpmitoolInvocation {
  const args = sessionArgs(settings, tuning);
  const env: Record<string, string> = {};
  if (settings.password !== null) env.IPMI_PASSWORD = settings.password;
  const kg = settings.kgKey;
  if (kg === null) return { file: binary, args: [...args, ...command], env };
  if (kgKeyNeedsArgv(kg)) {
    // No other way in: -K and the environment stop at the first zero byte. Documented in the properties.
    return { file: binary, args: [...args, '-y', kg.toString('hex'), ...command], env };
  }
  env.ANVIL_IPMI_KG = [...kg].map((byte) => '\\' + byte.toString(8).padStart(3, '0')).join('');
  return { file: '/bin/sh', args: ['-c', KG_WRAPPER, 'ipmitool', binary, ...args, '-K', ...command], env };
}

/** The strings that must never leave this module in a message or a log line. */
export function secretsOf(settings: IpmiSettings): string[] {
  const out: string[] = [];
  if (settings.password) out.push(settings.password);
  if (settings.kgKey) out.push(settings.kgKey.toString('hex'), settings.kgKey.toString('hex').toUpperCase(), settings.kgKey.toString('latin1'));
  return out;
}
