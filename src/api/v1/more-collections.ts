// Top-level collections beyond nodes/ports/portgroups/chassis/drivers/conductors: allocations (with a node's
// /allocation), volume connectors and targets (with a node's /volume) and deploy templates.
import { Hono } from 'hono';
import type { ApiEnv } from '../context.js';
import { allocationRoutes } from './allocations.js';
import { deployTemplateRoutes } from './deploy-templates.js';
import { volumeRoutes } from './volume.js';

export function moreCollectionRoutes(): Hono<ApiEnv> {
  const r = new Hono<ApiEnv>({ strict: false });
  r.route('/', allocationRoutes());
  r.route('/', volumeRoutes());
  r.route('/', deployTemplateRoutes());
  return r;
}
