// Who the dashboard acts as when the service runs `http_basic`: the user name and password typed into the login
// form, as the Basic `Authorization` value the API checks, kept in this tab's sessionStorage (gone when the tab
// closes; another tab logs in on its own; never on disk) and sent by the dashboard itself with every API request
// and with the event stream. Requests go out with fetch's credentials 'omit', so a refused password comes back
// to the login form instead of raising the browser's own password prompt. With `noauth` nothing is ever asked.
import { useSyncExternalStore } from 'react';

const KEY = 'anvil.dashboard.auth';

interface Credentials {
  readonly user: string;
  readonly authorization: string;
}

export interface AuthState {
  /** Who is logged in through the form, or null (not logged in, or the service asks for nobody). */
  readonly user: string | null;
  /** Set when the service refused a request for want of credentials: the login form shows instead of the views. */
  readonly loginNeeded: { readonly reason: string | null } | null;
}

function stored(): Credentials | null {
  try {
    const v = JSON.parse(sessionStorage.getItem(KEY) ?? 'null') as Credentials | null;
    return v && typeof v.user === 'string' && typeof v.authorization === 'string' ? v : null;
  } catch {
    return null;
  }
}

let state: AuthState = { user: stored()?.user ?? null, loginNeeded: null };
const listeners = new Set<() => void>();

function set(next: AuthState): void {
  state = next;
  for (const l of listeners) l();
}

/** RFC 7617: base64 of the UTF-8 bytes of "user:password". */
export function basicAuthorization(user: string, password: string): string {
  const bytes = new TextEncoder().encode(`${user}:${password}`);
  return `Basic ${btoa(Array.from(bytes, (b) => String.fromCharCode(b)).join(''))}`;
}

/** The Authorization header value to send, if the user logged in. */
export const authorization = (): string | null => stored()?.authorization ?? null;

export function loggedIn(user: string, value: string): void {
  sessionStorage.setItem(KEY, JSON.stringify({ user, authorization: value } satisfies Credentials));
  set({ user, loginNeeded: null });
}

/**
 * The service answered 401: whatever was stored no longer works (or nothing was). The API's reason is worth
 * showing only when it refused a login that worked before (a changed password); on opening the page it just
 * says that credentials are needed, which the form says anyway.
 */
export function loginRequired(reason: string | null): void {
  sessionStorage.removeItem(KEY);
  if (!state.loginNeeded) set({ user: null, loginNeeded: { reason: state.user ? reason : null } });
}

export function loggedOut(): void {
  sessionStorage.removeItem(KEY);
  set({ user: null, loginNeeded: { reason: null } });
}

export function useAuth(): AuthState {
  return useSyncExternalStore((l) => {
    listeners.add(l);
    return () => listeners.delete(l);
  }, () => state);
}
