// The dashboard's only way to the service: the public Ironic API at its newest microversion, exactly as a
// script would use it. Errors keep the API's own message (faultstring), which the views show as given.
import { authorization, loginRequired } from './auth';

export const API_VERSION = 'latest';

export class ApiError extends Error {
  constructor(readonly status: number, message: string, readonly method: string, readonly path: string) {
    super(message);
  }
}

/** Ironic's error body: {"error_message": "<JSON string with faultstring>"}. */
function faultOf(status: number, text: string): string {
  try {
    const body = JSON.parse(text) as { error_message?: unknown };
    const inner = typeof body.error_message === 'string' ? JSON.parse(body.error_message) as { faultstring?: string } : body.error_message as { faultstring?: string };
    if (inner?.faultstring) return inner.faultstring;
  } catch {
    // Not Ironic's format (a proxy in between): show what came back.
  }
  return text.trim() || `HTTP ${status}`;
}

export type Json = Record<string, unknown>;

/**
 * One API request with the logged-in user's credentials. A 401 sends the page to the login form, except when the
 * caller passes `authorization` itself (the login form trying a password).
 */
export async function api<T = Json>(method: string, path: string, body?: unknown, opts: { authorization?: string } = {}): Promise<T> {
  const headers: Record<string, string> = { 'X-OpenStack-Ironic-API-Version': API_VERSION, Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const auth = opts.authorization ?? authorization();
  if (auth) headers.Authorization = auth;
  // credentials 'omit': a 401 reaches this code, not the browser's own password prompt (see auth.ts).
  const res = await fetch(path, { method, headers, credentials: 'omit', body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) {
    const err = new ApiError(res.status, faultOf(res.status, text), method, path);
    if (res.status === 401 && opts.authorization === undefined) loginRequired(err.message);
    throw err;
  }
  return (text ? JSON.parse(text) : {}) as T;
}

export const get = <T = Json>(path: string) => api<T>('GET', path);

export function query(params: Record<string, string | number | boolean | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

export interface Node {
  uuid: string;
  name: string | null;
  provision_state: string;
  target_provision_state: string | null;
  power_state: string | null;
  target_power_state: string | null;
  maintenance: boolean;
  maintenance_reason: string | null;
  fault: string | null;
  conductor: string | null;
  conductor_group: string;
  resource_class: string | null;
  owner: string | null;
  last_error: string | null;
  driver: string;
  reservation: string | null;
  updated_at: string | null;
  provision_updated_at: string | null;
  deploy_step: Json | null;
  clean_step: Json | null;
  driver_internal_info: Json;
  [k: string]: unknown;
}

/** The list columns; the live feed sends the same fields. */
export const LIST_FIELDS = ['uuid', 'name', 'provision_state', 'target_provision_state', 'power_state', 'target_power_state',
  'maintenance', 'maintenance_reason', 'fault', 'conductor', 'conductor_group', 'resource_class', 'owner', 'last_error',
  'driver', 'reservation', 'updated_at', 'provision_updated_at'];
