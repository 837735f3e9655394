// Node sub-resources that are not enrolment fields or provision/power changes, plus the two top-level
// resources that go with them (/v1/shards, /v1/events). Each group lives in its own file under node-sub/.
import { Hono } from 'hono';
import type { ApiEnv } from '../context.js';
import { biosRoutes } from './node-sub/bios.js';
import { globalRoutes } from './node-sub/global.js';
import { managementRoutes } from './node-sub/management.js';
import { nodeDataRoutes } from './node-sub/node-data.js';
import { raidRoutes } from './node-sub/raid.js';
import { vifRoutes } from './node-sub/vifs.js';

export function nodeSubresourceRoutes(): Hono<ApiEnv> {
  const r = new Hono<ApiEnv>({ strict: false });
  for (const group of [raidRoutes, vifRoutes, biosRoutes, managementRoutes, nodeDataRoutes, globalRoutes]) r.route('/', group());
  return r;
}
