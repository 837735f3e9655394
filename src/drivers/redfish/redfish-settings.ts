// Turns a node's driver_info into the settings of a Redfish connection, with Ironic's keys and rules: an
// address with an optional scheme (https when left out) and port, an optional system id, credentials,
// certificate verification (true, false, or a CA bundle file/directory) and the authentication method.
import { statSync } from 'node:fs';
import { InvalidParameterValueError, MissingParameterValueError } from '../../common/errors.js';

export type RedfishAuthType = 'basic' | 'session' | 'auto';
export const AUTH_TYPES: readonly RedfishAuthType[] = ['basic', 'session', 'auto'];

export interface RedfishSettings {
  /** scheme://host[:port], no trailing slash, no path. */
  readonly origin: string;
  /** The ComputerSystem's @odata.id, or null when the service is to have exactly one system. */
  readonly systemId: string | null;
  readonly username: string | null;
  readonly password: string | null;
  /** true: verify against the system roots; false: no verification; a string: CA file or directory. */
  readonly verifyCa: boolean | string;
  readonly authType: RedfishAuthType;
}

type Info = Readonly<Record<string, unknown>>;

const TRUE_WORDS = new Set(['1', 't', 'true', 'on', 'y', 'yes']);
const FALSE_WORDS = new Set(['0', 'f', 'false', 'off', 'n', 'no']);

const given = (info: Info, key: string): string | null => {
  const v = info[key];
  return v === undefined || v === null || v === '' ? null : String(v);
};

function parseAddress(raw: string): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `https://${raw}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new InvalidParameterValueError(`Invalid redfish_address ${JSON.stringify(raw)}: not a host name, address or URL.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new InvalidParameterValueError(`Invalid redfish_address ${JSON.stringify(raw)}: the scheme must be https or http.`);
  }
  if (!url.hostname) throw new InvalidParameterValueError(`Invalid redfish_address ${JSON.stringify(raw)}: it names no host.`);
  // Credentials in the URL would be shown wherever the address is; they belong in redfish_username/password.
  if (url.username || url.password) {
    throw new InvalidParameterValueError('Invalid redfish_address: put credentials in redfish_username and redfish_password, not in the address.');
  }
  // Resource links (@odata.id) are absolute paths on the host, so a path prefix could never be honoured.
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) {
    throw new InvalidParameterValueError(`Invalid redfish_address ${JSON.stringify(raw)}: give only the scheme, host and port (the service root is always /redfish/v1).`);
  }
  return url.origin;
}

function parseSystemId(raw: string | null): string | null {
  if (raw === null) return null;
  // Ironic's value is the system's path; a bare member id is accepted as a convenience.
  const path = raw.startsWith('/') ? raw : `/redfish/v1/Systems/${raw}`;
  if (!/^\/redfish\/v1\/[^\s?#]+$/.test(path) || path.split('/').includes('..')) {
    throw new InvalidParameterValueError(`Invalid redfish_system_id ${JSON.stringify(raw)}: expected the system's path, e.g. /redfish/v1/Systems/1.`);
  }
  return path.replace(/\/+$/, '');
}

function parseVerifyCa(v: unknown): boolean | string {
  if (v === undefined || v === null || v === '') return true;
  if (typeof v === 'boolean') return v;
  const word = String(v).trim();
  if (TRUE_WORDS.has(word.toLowerCase())) return true;
  if (FALSE_WORDS.has(word.toLowerCase())) return false;
  let isUsable = false;
  try {
    const st = statSync(word);
    isUsable = st.isFile() || st.isDirectory();
  } catch {
    isUsable = false;
  }
  if (!isUsable) {
    throw new InvalidParameterValueError(`Invalid value ${JSON.stringify(word)} for redfish_verify_ca: expected a boolean or the path of an existing CA bundle file or directory.`);
  }
  return word;
}

/**
 * Cheap, local checks only (a stat of a CA path). @throws MissingParameterValueError / InvalidParameterValueError
 * with a reason safe to show (never the password).
 */
export function parseRedfishSettings(info: Info, defaultAuthType: RedfishAuthType = 'auto'): RedfishSettings {
  const address = given(info, 'redfish_address');
  if (address === null) throw new MissingParameterValueError('Missing the following Redfish properties in node\'s driver_info: redfish_address');
  const authRaw = given(info, 'redfish_auth_type')?.toLowerCase() ?? defaultAuthType;
  if (!(AUTH_TYPES as readonly string[]).includes(authRaw)) {
    throw new InvalidParameterValueError(`Invalid value ${JSON.stringify(authRaw)} for redfish_auth_type: expected one of ${AUTH_TYPES.join(', ')}.`);
  }
  return {
    origin: parseAddress(address.trim()),
    systemId: parseSystemId(given(info, 'redfish_system_id')),
    username: given(info, 'redfish_username'),
    password: given(info, 'redfish_password'),
    verifyCa: parseVerifyCa(info.redfish_verify_ca),
    authType: authRaw as RedfishAuthType,
  };
}
