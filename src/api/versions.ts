// Microversion negotiation: which API version a request is served at, and the version headers every
// response carries. Fields and parameters are gated on the negotiated minor version elsewhere.
import { NotAcceptableError } from '../common/errors.js';

export const MIN_MINOR = 1;
/**
 * Highest microversion advertised. Every addition up to it must be served (see docs/api-versions.md for
 * the table of what each version adds and where Anvil stands).
 */
export const MAX_MINOR = 89;

export const MIN_VERSION = `1.${MIN_MINOR}`;
export const MAX_VERSION = `1.${MAX_MINOR}`;

export const VERSION_HEADER = 'X-OpenStack-Ironic-API-Version';
export const MIN_HEADER = 'X-OpenStack-Ironic-API-Minimum-Version';
export const MAX_HEADER = 'X-OpenStack-Ironic-API-Maximum-Version';

function rangeText(): string {
  return `The supported version range is: [${MIN_VERSION}, ${MAX_VERSION}].`;
}

function notAcceptable(message: string): NotAcceptableError {
  const err = new NotAcceptableError(message);
  err.headers = { [MIN_HEADER]: MIN_VERSION, [MAX_HEADER]: MAX_VERSION };
  return err;
}

/**
 * Minor version requested by the headers. No header means the minimum (1.1), as Ironic does; `latest`
 * means the maximum. Also reads the generic `OpenStack-API-Version: baremetal 1.N` header.
 * @throws NotAcceptableError (406) for malformed or out-of-range versions.
 */
export function negotiateMinor(get: (name: string) => string | undefined): number {
  let raw = get(VERSION_HEADER);
  if (raw === undefined) {
    const generic = get('OpenStack-API-Version');
    const m = generic ? /(?:^|,)\s*baremetal\s+(\S+)/i.exec(generic) : null;
    if (m) raw = m[1];
  }
  if (raw === undefined) return MIN_MINOR;
  const value = raw.trim();
  if (value.toLowerCase() === 'latest') return MAX_MINOR;
  const m = /^(\d+)\.(\d+)$/.exec(value);
  if (!m) throw notAcceptable(`Invalid value for ${VERSION_HEADER} header`);
  const major = Number(m[1]);
  const minor = Number(m[2]);
  if (major !== 1) {
    throw notAcceptable(`Mutually exclusive versions requested. Version ${value} requested but not supported by this service. ${rangeText()}`);
  }
  if (minor < MIN_MINOR || minor > MAX_MINOR) {
    throw notAcceptable(`Version ${value} was requested but the minor version is not supported by this service. ${rangeText()}`);
  }
  return minor;
}
