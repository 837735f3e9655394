// Authentication of API requests, as Ironic offers it standalone: `noauth` (everyone is a system admin) or
// `http_basic` against an htpasswd file. The identity found is stored on the request (`actor`) and in the
// async context (common/request-actor.ts) for node history. Routes registered before this middleware (version
// discovery, the ramdisk's lookup/heartbeat/continue_inspection) stay public, exactly as routed.
import type { MiddlewareHandler } from 'hono';
import { ConfigError, type Config } from '../../common/config.js';
import { UnauthorizedError } from '../../common/errors.js';
import { log } from '../../common/log.js';
import { runAs, type Actor } from '../../common/request-actor.js';
import type { ApiEnv } from '../context.js';
import { HtpasswdFile } from './htpasswd.js';
import { loadUsersFile } from './users-file.js';

const REALM = 'Baremetal API';
const NOAUTH_ACTOR: Actor = Object.freeze({ user: null, project: null, roles: Object.freeze(['admin']) });

/** True for addresses only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h) || /^::ffff:127(\.\d{1,3}){3}$/.test(h);
}

/**
 * Refuses a set-up that would let anyone on the network in: `noauth` is the zero-configuration default only on
 * a loopback bind; elsewhere it needs `insecureNoauth`, and then it is logged loudly at every start.
 */
export function checkAuthSetup(config: Config): void {
  if (config.authStrategy !== 'noauth') return;
  const exposed = [config.host, ...config.extraHosts, config.imageServeHost].filter((h) => h && !isLoopbackHost(h));
  if (exposed.length === 0) return;
  if (!config.insecureNoauth) {
    throw new ConfigError(`refusing to serve without authentication on ${exposed.join(', ')}: anyone who reaches it could read every BMC ` +
      'password and wipe every node. Set authStrategy http_basic (with httpBasicAuthUserFile), bind to 127.0.0.1, ' +
      'or accept the risk explicitly with insecureNoauth (--insecure-noauth).');
  }
  log.warn('!!! INSECURE: the bare metal API is served WITHOUT AUTHENTICATION on a non-loopback address; anyone who can reach it controls every node !!!',
    { host: config.host });
}

function unauthorized(message: string): UnauthorizedError {
  const err = new UnauthorizedError(message);
  err.headers = { 'WWW-Authenticate': `Basic realm="${REALM}"` };
  return err;
}

/** `Authorization: Basic <base64 user:password>` -> [user, password], or null when absent or malformed. */
export function parseBasicAuth(header: string | undefined): [string, string] | null {
  const m = /^\s*basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header ?? '');
  if (!m) return null;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 1) return null;
  return [decoded.slice(0, colon), decoded.slice(colon + 1)];
}

export function authMiddleware(config: Config): MiddlewareHandler<ApiEnv> {
  if (config.authStrategy === 'noauth') {
    return async (c, next) => {
      c.set('actor', NOAUTH_ACTOR);
      await runAs(NOAUTH_ACTOR, next);
    };
  }
  const file = new HtpasswdFile(config.httpBasicAuthUserFile);
  const directory = loadUsersFile(config.authUsersFile);
  return async (c, next) => {
    const creds = parseBasicAuth(c.req.header('authorization'));
    if (!creds) throw unauthorized('Authentication required: send HTTP basic credentials (--os-auth-type http_basic).');
    const [user, password] = creds;
    if (!(await file.verify(user, password))) {
      log.warn('authentication failed', { user: user.slice(0, 64) });
      throw unauthorized('Invalid credentials.');
    }
    const actor = directory(user);
    c.set('actor', actor);
    await runAs(actor, next);
  };
}
