// The audit trail of state-changing requests: after a node-related POST/PUT/PATCH/DELETE succeeds, the node's
// history gets an INFO record of what was asked (never a value that could be a secret: patch paths only, and
// only reasons and targets as values) and the conductor records who asked (common/request-actor.ts). Every such
// request is also logged with its user.
import type { MiddlewareHandler } from 'hono';
import { log } from '../common/log.js';
import { currentActor, describeActor } from '../common/request-actor.js';
import { scrubText } from '../common/secrets.js';
import { recordHistory, recordNodeAction } from '../conductor/history.js';
import type { ApiEnv, Ctx } from './context.js';

const NODE_PATH_RE = /^(?:\/v1)?\/nodes\/([^/]+)(?:\/(.*?))?\/*$/;
const PORT_PATH_RE = /^(?:\/v1)?\/(ports|portgroups)(?:\/[^/]+)?\/*$/;
const MAX_TEXT = 120;

function short(v: unknown): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v) ?? '';
  return scrubText(s.length > MAX_TEXT ? `${s.slice(0, MAX_TEXT)}…` : s);
}

async function bodyOf(c: Ctx): Promise<Record<string, unknown> | unknown[] | null> {
  try {
    // The handler already read the body; Hono hands back its cached text.
    const v: unknown = JSON.parse(await c.req.text());
    return typeof v === 'object' ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** What the request did, in words, plus Ironic's event type for it. */
async function describe(c: Ctx, sub: string | undefined): Promise<{ event: string; eventType: string }> {
  const method = c.req.method;
  const body = await bodyOf(c);
  const obj = body && !Array.isArray(body) ? body : {};
  if (sub === 'states/provision') {
    return { event: `Provision action "${short(obj.target)}" requested${obj.clean_steps ? ' with clean steps' : ''}.`, eventType: 'provisioning' };
  }
  if (sub === 'states/power') return { event: `Power state change to "${short(obj.target)}" requested.`, eventType: 'power' };
  if (sub === 'maintenance') {
    return method === 'DELETE' ? { event: 'Maintenance mode cleared.', eventType: 'maintenance' }
      : { event: `Maintenance mode set${obj.reason ? `, reason: ${short(obj.reason)}` : ''}.`, eventType: 'maintenance' };
  }
  if (sub === undefined && method === 'PATCH' && Array.isArray(body)) {
    const parts = body.map((op) => {
      const { op: o, path, value } = (op ?? {}) as { op?: unknown; path?: unknown; value?: unknown };
      // Values are left out (driver_info holds BMC passwords), except reasons, which are there to be read.
      const reason = typeof path === 'string' && /_reason$/.test(path) && o !== 'remove' ? ` = ${short(value)}` : '';
      return `${short(o)} ${short(path)}${reason}`;
    });
    return { event: `Node updated: ${parts.join(', ')}.`, eventType: 'update' };
  }
  if (sub === undefined && method === 'POST') return { event: 'Node created.', eventType: 'create' };
  return { event: `${method} ${sub ?? ''} requested.`.replace(' .', '.'), eventType: (sub ?? 'node').split('/')[0]! };
}

export function auditMiddleware(): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    await next();
    const method = c.req.method;
    if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS' || c.res.status >= 400) return;
    const path = c.req.path;
    const actor = currentActor();
    log.info('api change', { method, path: short(path), status: c.res.status, user: describeActor(actor) });
    let ident: string | undefined;
    let sub: string | undefined;
    let created = false;
    const m = NODE_PATH_RE.exec(path);
    if (m) {
      ident = decodeURIComponent(m[1]!);
      sub = m[2] || undefined;
    } else if (method === 'POST' && /^(?:\/v1)?\/nodes\/*$/.test(path)) {
      ident = c.get('createdUuid');
      created = true;
    } else if (PORT_PATH_RE.test(path) && method !== 'DELETE') {
      const res = (await c.res.clone().json().catch(() => ({}))) as { uuid?: string; node_uuid?: string };
      if (res.node_uuid) {
        await recordNodeAction(c.get('deps'), res.node_uuid, {
          severity: 'INFO', event: `${path.includes('portgroups') ? 'Port group' : 'Port'} ${res.uuid ?? ''} ${method === 'POST' ? 'created' : 'updated'}.`, eventType: 'port',
        }).catch(() => undefined);
      }
      return;
    }
    if (!ident || (method === 'DELETE' && sub === undefined)) return; // a deleted node takes its history with it
    const what = await describe(c, sub);
    // A node this request created is known to exist (its client has not even seen the UUID yet): no lookup.
    const record = created ? recordHistory(c.get('deps'), { uuid: ident }, { severity: 'INFO', ...what })
      : recordNodeAction(c.get('deps'), ident, { severity: 'INFO', ...what });
    await record.catch((err: Error) =>
      log.warn('could not record node history', { node: short(ident), error: err.message }));
  };
}
