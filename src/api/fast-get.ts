// The GET node fast path (issue 14): controllers poll every node every few seconds, and most polls find the node
// unchanged. Such a GET is answered here, at the node:http request handler, from the view cache — without
// Hono's routing and context, the fetch Request/Response/Headers adaptation and the actor's AsyncLocalStorage —
// only when the answer is exactly the one the full stack would give: noauth (a system admin: no policy read, no
// redaction), `GET /v1/nodes/{canonical uuid}` with no query string, no request body, a valid version header,
// a plain Host header, and the node's view cached at its current row version. Anything else returns false and
// the request takes the full path (which also fills the cache). test/api/fast-get.test.ts compares the two.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import { normalizeUuid } from '../common/ids.js';
import type { ApiDeps } from './context.js';
import { cachedNodeView } from './v1/nodes.js';
import { MAX_HEADER, MAX_VERSION, MIN_HEADER, MIN_VERSION, VERSION_HEADER, negotiateMinor } from './versions.js';

/** Answers the request and resolves true, or resolves false having touched nothing. */
export type FastHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

const NODE_PATH_RE = /^\/v1\/nodes\/([0-9a-f-]{36})$/;
/** Host headers whose URL form is the header itself (no case folding, default port or IDNA to apply). */
const PLAIN_HOST_RE = /^(?:[a-z0-9-]+(?:\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])(?::[1-9][0-9]{0,4})?$/;

/** How many requests the fast path answered (for tests that must know which path answered). */
export const fastGetStats = { answered: 0 };

export function fastNodeGet(deps: ApiDeps): FastHandler | null {
  const config = deps.config;
  if (config.authStrategy !== 'noauth') return null;
  const publicBase = config.publicUrl ? config.publicUrl.replace(/\/+$/, '') : null;
  const header = (req: IncomingMessage) => (name: string) => {
    const v = req.headers[name.toLowerCase()];
    return typeof v === 'string' ? v : undefined;
  };
  return async (req, res) => {
    const url = req.url;
    if (req.method !== 'GET' || url === undefined || url.length > config.maxUrlBytes) return false;
    const m = NODE_PATH_RE.exec(url);
    if (!m || normalizeUuid(m[1]!) !== m[1]) return false;
    const h = req.headers;
    if (h['content-length'] !== undefined || h['transfer-encoding'] !== undefined) return false;
    let base = publicBase;
    if (base === null) {
      const host = h.host;
      if (host === undefined || !PLAIN_HOST_RE.test(host) || /:(80|443)$/.test(host)) return false;
      base = `${(req.socket as TLSSocket).encrypted ? 'https' : 'http'}://${host}`;
    }
    let minor: number;
    try {
      minor = negotiateMinor(header(req));
    } catch {
      return false; // the full path answers the 406
    }
    const json = await cachedNodeView(deps, m[1]!, minor, base);
    if (json === undefined || res.headersSent || req.destroyed) return false;
    // The headers the app's first middleware and the node handler set, as @hono/node-server writes them:
    // lower case in a fetch Headers' (sorted) order, then its Content-Length.
    res.writeHead(200, {
      'content-type': 'application/json',
      'openstack-request-id': `req-${randomUUID()}`,
      [MAX_HEADER.toLowerCase()]: MAX_VERSION,
      [MIN_HEADER.toLowerCase()]: MIN_VERSION,
      [VERSION_HEADER.toLowerCase()]: `1.${minor}`,
      'Content-Length': json.byteLength,
    });
    res.end(json);
    fastGetStats.answered++;
    return true;
  };
}
