// The endpoints the ramdisk agent calls without credentials: GET /v1/lookup and POST /v1/heartbeat/{node}.
import { Hono } from 'hono';
import { InvalidError, InvalidParameterValueError, NotFoundError } from '../../common/errors.js';
import { maskSecrets } from '../../common/secrets.js';
import { continueInspection, lookupNode, recordHeartbeat } from '../../conductor/agent-callbacks.js';
import { links, type ApiEnv, type Ctx } from '../context.js';
import { readJson } from '../request.js';
import { rateLimit, type RateLimiter } from '../rate-limit.js';

/**
 * Heartbeat body fields and the version that introduced each; agent_token is taken from 1.22 on because every
 * lookup issues one (as Ironic does for every agent), whatever version the agent speaks.
 */
const HEARTBEAT_FIELDS: Record<string, number> = { callback_url: 22, agent_token: 22, agent_version: 36, agent_verify_ca: 68, agent_status: 72, agent_status_message: 72 };

function requireRamdiskApi(c: Ctx): void {
  if (c.get('minor') < 22) throw new NotFoundError('The ramdisk endpoints are available from API version 1.22.');
}

/** `limiter`: the per-address budget shared by all three endpoints (and both mounts, /v1 and /). */
export function ramdiskRoutes(limiter: RateLimiter | null): Hono<ApiEnv> {
  const r = new Hono<ApiEnv>({ strict: false });
  const limited = rateLimit(limiter);

  r.get('/lookup', limited, async (c) => {
    requireRamdiskApi(c);
    const { node, token } = await lookupNode(c.get('deps'), c.req.query('addresses'), c.req.query('node_uuid'));
    const config: Record<string, unknown> = {
      heartbeat_timeout: c.get('deps').config.agentHeartbeatTimeout,
      agent_md5_checksum_enable: true,
      permitted_image_formats: ['raw', 'gpt', 'qcow2', 'iso'],
      disable_deep_image_inspection: false,
    };
    Object.assign(config, { agent_token: token, agent_token_required: true });
    return c.json({
      node: {
        uuid: node.uuid, provision_state: node.provisionState, properties: node.properties, instance_info: maskSecrets(node.instanceInfo),
        driver_internal_info: maskSecrets(node.driverInternalInfo), links: links(c.get('base'), `nodes/${node.uuid}`),
      },
      config,
    });
  });

  r.post('/heartbeat/:node', limited, async (c) => {
    requireRamdiskApi(c);
    const minor = c.get('minor');
    const body = await readJson(c);
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new InvalidError('Schema error for heartbeat: the body must be a JSON object');
    const b = body as Record<string, unknown>;
    for (const [k, v] of Object.entries(b)) {
      const since = HEARTBEAT_FIELDS[k];
      if (since === undefined) throw new InvalidError(`Schema error for heartbeat: Additional properties are not allowed ('${k}' was unexpected)`);
      if (since > minor) throw new InvalidParameterValueError(`Field "${k}" is not supported in API version 1.${minor}; it needs 1.${since}.`);
      if (v !== null && typeof v !== 'string') throw new InvalidParameterValueError(`Field "${k}" must be a string.`);
    }
    if (typeof b.callback_url !== 'string') throw new InvalidParameterValueError("Schema error for heartbeat: 'callback_url' is a required property");
    if (minor >= 36 && typeof b.agent_version !== 'string') throw new InvalidParameterValueError("Schema error for heartbeat: 'agent_version' is a required property");
    await recordHeartbeat(c.get('deps'), c.req.param('node'), {
      callbackUrl: b.callback_url, agentToken: b.agent_token as string | undefined, agentVersion: b.agent_version as string | undefined,
      agentVerifyCa: b.agent_verify_ca as string | undefined, agentStatus: b.agent_status as string | undefined,
      agentStatusMessage: b.agent_status_message as string | undefined,
    });
    return c.body(null, 202);
  });
  r.post('/continue_inspection', limited, async (c) => {
    if (c.get('minor') < 84) throw new NotFoundError('The continue_inspection endpoint is available from API version 1.84.');
    const body = await readJson(c);
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new InvalidError('Schema error for inspection data: the body must be a JSON object');
    const data = body as Record<string, unknown>;
    const token = c.req.query('agent_token') ?? (typeof data.agent_token === 'string' ? data.agent_token : undefined);
    const node = await continueInspection(c.get('deps'), c.req.query('node_uuid'), data, token);
    return c.json({ uuid: node.uuid }, 202);
  });
  return r;
}
