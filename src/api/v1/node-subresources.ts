// Node sub-resources that are not enrolment fields or state changes (filled in by the node extras work).
import { Hono } from 'hono';
import type { ApiEnv } from '../context.js';

export function nodeSubresourceRoutes(): Hono<ApiEnv> {
  return new Hono<ApiEnv>({ strict: false });
}
