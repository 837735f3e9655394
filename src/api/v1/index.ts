// The v1 resources other than nodes, gathered in one router.
import { Hono } from 'hono';
import type { ApiEnv } from '../context.js';
import { chassisRoutes } from './chassis.js';
import { conductorRoutes } from './conductors.js';
import { driverRoutes } from './drivers.js';
import { portgroupRoutes } from './portgroups.js';
import { portRoutes } from './ports.js';

export function v1ExtraRoutes(): Hono<ApiEnv> {
  const r = new Hono<ApiEnv>({ strict: false });
  r.route('/', portRoutes());
  r.route('/', portgroupRoutes());
  r.route('/', chassisRoutes());
  r.route('/', driverRoutes());
  r.route('/', conductorRoutes());
  return r;
}
