// The web dashboard, served by the API process: its built assets (dist/dashboard, made by `npm run build`)
// under /dashboard, the single-page fallback for the dashboard's own paths, the redirect of browsers asking
// for `/` (API clients asking for JSON keep version discovery), and the live event stream. The page and its
// assets hold no data and are public, like version discovery: with http_basic the page shows its own login
// form and sends the credentials with every API request; the event stream sits behind authentication.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Hono } from 'hono';
import { serveStatic } from '@hono/node-server/serve-static';
import { NotFoundError } from '../../common/errors.js';
import type { ApiEnv } from '../context.js';
import { liveEvents } from './live-events.js';

/** <root>/dist/dashboard, from src/api/dashboard (tests) and dist/api/dashboard (the package) alike. */
export const DASHBOARD_DIR = fileURLToPath(new URL('../../../dist/dashboard/', import.meta.url));

/** Browsers send Accept: text/html first; API clients send JSON or nothing. */
const wantsHtml = (accept: string | undefined) => /^\s*text\/html\b/.test(accept ?? '');

/** Public: a browser opening the service's root is sent to the dashboard; the page itself, which holds no data. */
export function dashboardPage(): Hono<ApiEnv> {
  const r = new Hono<ApiEnv>({ strict: false });
  r.get('/', async (c, next) => (wantsHtml(c.req.header('Accept')) ? c.redirect('/dashboard/', 302) : next()));
  const assets = serveStatic<ApiEnv>({ root: DASHBOARD_DIR, rewriteRequestPath: (p) => p.replace(/^\/dashboard/, '') });
  const page = serveStatic<ApiEnv>({ root: DASHBOARD_DIR, path: 'index.html' });
  r.get('/dashboard/*', async (c, next) => {
    // The event stream is data: it goes on to authentication and dashboardEvents().
    if (EVENTS_PATH.test(c.req.path)) return next();
    // Relative asset URLs need the trailing slash (the router is not strict, so both spellings land here).
    if (new URL(c.req.url).pathname === '/dashboard') return c.redirect('/dashboard/', 301);
    if (!existsSync(DASHBOARD_DIR)) throw new NotFoundError('The dashboard is not built: run `npm run build`.');
    // Hashed asset names never change content: browsers may keep them; the page itself is always revalidated.
    if (c.req.path.startsWith('/dashboard/assets/')) {
      const found = await assets(c, async () => undefined);
      if (!found) throw new NotFoundError('The resource could not be found.');
      found.headers.set('Cache-Control', 'public, max-age=31536000, immutable');
      return found;
    }
    c.header('Cache-Control', 'no-cache');
    // Every other dashboard path is a client-side route: the page decides what to show.
    return (await assets(c, async () => undefined)) ?? page(c, next);
  });
  return r;
}

const EVENTS_PATH = /^\/dashboard\/events\/?$/;

/** Behind authentication, with the credentials the page sends. */
export function dashboardEvents(): Hono<ApiEnv> {
  const r = new Hono<ApiEnv>({ strict: false });
  r.get('/dashboard/events', liveEvents);
  return r;
}
