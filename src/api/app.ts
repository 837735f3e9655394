// The HTTP application: version negotiation and headers on every response, base URL for links, request ids,
// body limits, Ironic-format errors for everything (unknown paths and methods included), then the routes.
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { randomUUID } from 'node:crypto';
import { MethodNotAllowedError, NotFoundError, PayloadTooLargeError, UriTooLongError } from '../common/errors.js';
import { errorBody, renderError } from './error-body.js';
import { MAX_HEADER, MAX_VERSION, MIN_HEADER, MIN_VERSION, VERSION_HEADER, negotiateMinor } from './versions.js';
import type { ApiDeps, ApiEnv } from './context.js';
import { rootRoutes } from './v1/root.js';
import { nodeRoutes } from './v1/nodes.js';
import { v1ExtraRoutes } from './v1/index.js';
import { nodeStateRoutes } from './v1/node-states.js';
import { nodeSubresourceRoutes } from './v1/node-subresources.js';
import { moreCollectionRoutes } from './v1/more-collections.js';
import { ramdiskRoutes } from './v1/ramdisk.js';
import { RateLimiter } from './rate-limit.js';
import { authMiddleware } from './auth/authenticate.js';
import { auditMiddleware } from './audit.js';
import { dashboardEvents, dashboardPage } from './dashboard/routes.js';
import { authorizeMiddleware } from './auth/authorize.js';

export function createApp(deps: ApiDeps): Hono<ApiEnv> {
  const app = new Hono<ApiEnv>({ strict: false });
  const debug = deps.config.debug;

  app.onError((err, c) => {
    const r = renderError(err, debug);
    return c.body(r.body, r.status as 400, { ...r.headers, 'Content-Type': 'application/json' });
  });

  app.notFound((c) => c.body(errorBody(404, `The resource could not be found.`), 404, { 'Content-Type': 'application/json' }));

  app.use('*', async (c, next) => {
    const requestId = `req-${randomUUID()}`;
    c.header('Openstack-Request-Id', requestId);
    c.header(MIN_HEADER, MIN_VERSION);
    c.header(MAX_HEADER, MAX_VERSION);
    c.set('deps', deps);
    const url = new URL(c.req.url);
    c.set('base', deps.config.publicUrl ? deps.config.publicUrl.replace(/\/+$/, '') : `${url.protocol}//${url.host}`);
    const minor = negotiateMinor((name) => c.req.header(name));
    c.set('minor', minor);
    c.header(VERSION_HEADER, `1.${minor}`);
    // The request target as sent (path and query), before any decoding.
    const target = c.req.url.length - url.origin.length;
    if (target > deps.config.maxUrlBytes) throw new UriTooLongError(`The request URL is longer than the limit of ${deps.config.maxUrlBytes} bytes.`);
    await next();
  });

  // Only a provisioning request may carry a config drive; every other body stays small (Ironic: 112 KiB).
  const limitTo = (maxSize: number) => bodyLimit({
    maxSize,
    onError: () => {
      const err = new PayloadTooLargeError(`The request body is larger than the limit of ${maxSize} bytes.`);
      // The unread rest of the body makes the connection unusable; say so rather than let the next request hang.
      err.headers = { Connection: 'close' };
      throw err;
    },
  });
  const ordinaryBody = limitTo(deps.config.maxBodyBytes);
  const configDriveBody = limitTo(Math.max(deps.config.maxBodyBytes, deps.config.maxConfigDriveBodyBytes));
  app.use('*', (c, next) => {
    const method = c.req.method;
    // The HTTP adapter gives GET and HEAD requests no body, and asking bodyLimit to look builds a full fetch
    // Request (with an AbortSignal) for every such request, the most frequent kind (issue 14's profile).
    if (method === 'GET' || method === 'HEAD') return next();
    return (method === 'PUT' && /\/states\/provision\/*$/.test(c.req.path) ? configDriveBody : ordinaryBody)(c, next);
  });

  // Public routes first: a route answered before the authentication middleware never reaches it (Ironic keeps
  // version discovery and the ramdisk endpoints open; the agent has no credentials, only its token; the
  // dashboard's page holds no data and logs in itself).
  app.route('/', dashboardPage());
  app.route('/', rootRoutes());
  const ramdiskLimiter = deps.config.ramdiskRateLimit > 0 ? new RateLimiter(deps.config.ramdiskRateLimit) : null;
  for (const prefix of ['/v1', '/']) app.route(prefix, ramdiskRoutes(ramdiskLimiter));
  app.use('*', authMiddleware(deps.config));
  app.use('*', authorizeMiddleware());
  app.use('*', auditMiddleware());
  // The dashboard's live events need the same credentials as the API (the page logs in and sends them).
  app.route('/', dashboardEvents());
  for (const prefix of ['/v1', '/']) {
    app.route(prefix, nodeRoutes());
    app.route(prefix, nodeStateRoutes());
    app.route(prefix, nodeSubresourceRoutes());
    app.route(prefix, moreCollectionRoutes());
    app.route(prefix, v1ExtraRoutes());
  }

  // A known path with another method is 405, an unknown one 404 — both in Ironic's error format.
  app.all('*', (c) => {
    throw knownPath(app, c.req.path) ? new MethodNotAllowedError(`The method ${c.req.method} is not allowed for this resource.`)
      : new NotFoundError('The resource could not be found.');
  });
  return app;
}

function knownPath(app: Hono<ApiEnv>, path: string): boolean {
  const clean = path.replace(/\/+$/, '') || '/';
  return app.routes.some((r) => r.method !== 'ALL' && routeMatches(r.path, clean));
}

function routeMatches(pattern: string, path: string): boolean {
  const re = new RegExp('^' + pattern.replace(/\/+$/, '').replace(/:[^/]+/g, '[^/]+') + '/?$');
  return re.test(path);
}
