// Top-level collections beyond nodes/ports/portgroups/chassis/drivers/conductors.
import { Hono } from 'hono';
import type { ApiEnv } from '../context.js';

export function moreCollectionRoutes(): Hono<ApiEnv> {
  return new Hono<ApiEnv>({ strict: false });
}
