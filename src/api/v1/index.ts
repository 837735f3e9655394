// The v1 resources other than nodes, gathered in one router.
import { Hono } from 'hono';
import type { ApiEnv } from '../context.js';

export function v1ExtraRoutes(): Hono<ApiEnv> {
  const r = new Hono<ApiEnv>({ strict: false });
  return r;
}
