// Per-address rate limit of the endpoints the ramdisk calls without credentials (lookup, heartbeat,
// continue_inspection): a token bucket per client address, `ramdiskRateLimit` requests a minute with a burst
// of as many. Lookup answers a node's UUID and agent token to whoever names its MAC first, so an unlimited
// lookup lets a host on the provisioning network enumerate MACs; the limit makes that slow while a real agent
// (a lookup every few seconds at most, a heartbeat every minute or two) never meets it. Refusals are 429 with
// Retry-After in Ironic's error format. The address is the socket's peer: X-Forwarded-For is not trusted
// (anyone could send it), so behind a proxy every agent shares the proxy's budget.
// Hand-written: a token bucket is a dozen lines, and the kept limiters for Hono bring their own stores and
// key schemes this does not need.
import type { IncomingMessage } from 'node:http';
import type { MiddlewareHandler } from 'hono';
import { TooManyRequestsError } from '../common/errors.js';
import { log } from '../common/log.js';
import type { ApiEnv, Ctx } from './context.js';

/** Buckets kept at most; full (idle) ones are dropped first, then the oldest. */
const MAX_TRACKED = 10_000;

interface Bucket { tokens: number; at: number; warned: boolean }

export class RateLimiter {
  readonly #buckets = new Map<string, Bucket>();
  readonly #perMs: number;

  /** `perMinute` requests a minute per key, bursts up to as many. */
  constructor(readonly perMinute: number, readonly now: () => number = Date.now) {
    this.#perMs = perMinute / 60_000;
  }

  /** Spends one request of `key`: 0 when allowed, else the seconds until the next one is. */
  take(key: string): number {
    const t = this.now();
    let b = this.#buckets.get(key);
    if (!b) {
      this.#makeRoom(t);
      b = { tokens: this.perMinute, at: t, warned: false };
      this.#buckets.set(key, b);
    } else {
      b.tokens = Math.min(this.perMinute, b.tokens + (t - b.at) * this.#perMs);
      b.at = t;
    }
    if (b.tokens >= 1) {
      b.tokens -= 1;
      b.warned = false;
      return 0;
    }
    if (!b.warned) {
      // Once per burst of refusals, not per refused request: a flood must not flood the log too.
      b.warned = true;
      log.warn('ramdisk endpoint rate limit reached', { address: key, perMinute: this.perMinute });
    }
    return Math.max(1, Math.ceil((1 - b.tokens) / this.#perMs / 1000));
  }

  #makeRoom(t: number): void {
    if (this.#buckets.size < MAX_TRACKED) return;
    for (const [k, b] of this.#buckets) {
      if (b.tokens + (t - b.at) * this.#perMs >= this.perMinute) this.#buckets.delete(k);
    }
    for (const k of this.#buckets.keys()) {
      if (this.#buckets.size < MAX_TRACKED) break;
      this.#buckets.delete(k);
    }
  }
}

/** The peer address of the request's socket (IPv4-mapped IPv6 as plain IPv4); undefined when not from a socket. */
export function peerAddress(c: Ctx): string | undefined {
  const addr = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming?.socket?.remoteAddress;
  return addr?.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
}

/** The limit as route middleware; `perMinute` 0 switches it off. Requests not from a socket (in-process) pass. */
export function rateLimit(limiter: RateLimiter | null): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const address = limiter ? peerAddress(c) : undefined;
    if (limiter && address !== undefined) {
      const wait = limiter.take(address);
      if (wait > 0) {
        const err = new TooManyRequestsError(`Too many requests to the ramdisk endpoints from this address (at most ${limiter.perMinute} a minute); retry in ${wait} s.`);
        err.headers = { 'Retry-After': String(wait) };
        throw err;
      }
    }
    await next();
  };
}
