// The per-address limit of the ramdisk endpoints over real HTTP: a burst of `ramdiskRateLimit` lookups,
// heartbeats and inspection posts from one address, then 429 with Retry-After in Ironic's error format; the
// authenticated API and another source address (127.0.0.2) are not affected; the budget refills with time.
// The token bucket itself is checked with a clock of our own (refill, Retry-After, bounded memory).
import { Agent, fetch as undiciFetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RateLimiter } from '../../src/api/rate-limit.js';
import { startTestApi, type TestApi } from '../support/api-client.js';

// A token every 10 s: the burst is spent long before one comes back, even on a loaded machine.
const PER_MINUTE = 6;
const HEADERS = { 'X-OpenStack-Ironic-API-Version': '1.89', 'Content-Type': 'application/json' };

describe('ramdisk endpoint rate limit over HTTP (sqlite)', () => {
  let api: TestApi;
  let fast: TestApi;
  let fromOther: Agent;

  beforeAll(async () => {
    api = await startTestApi('sqlite', { ramdiskRateLimit: PER_MINUTE }, { http: true });
    fast = await startTestApi('sqlite', { ramdiskRateLimit: 60 }, { http: true });
    // Loopback has the whole 127/8: a second client address on the same machine.
    fromOther = new Agent({ localAddress: '127.0.0.2' });
  });
  afterAll(async () => {
    await fromOther?.close();
    await api?.close();
    await fast?.close();
  });

  const lookup = (dispatcher?: Agent, on = api) => undiciFetch(`${on.origin}/v1/lookup?addresses=52:54:00:00:77:01`, { headers: HEADERS, dispatcher });

  it('answers 429 with Retry-After once an address spent its burst, on all three endpoints', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < PER_MINUTE - 2; i++) statuses.push((await lookup()).status);
    // Heartbeats and inspection data draw on the same budget.
    const hb = await undiciFetch(`${api.origin}/v1/heartbeat/0b5ba3b5-3b8d-4b52-8d3e-1f1a3b1f2c9e`, {
      method: 'POST', headers: HEADERS, body: JSON.stringify({ callback_url: 'http://127.0.0.1:9999', agent_version: '9.0' }) });
    const ci = await undiciFetch(`${api.origin}/v1/continue_inspection`, { method: 'POST', headers: HEADERS, body: JSON.stringify({ inventory: {} }) });
    statuses.push(hb.status, ci.status);
    expect(statuses.filter((s) => s === 429)).toEqual([]);
    for (const res of [await lookup(),
      await undiciFetch(`${api.origin}/v1/continue_inspection`, { method: 'POST', headers: HEADERS, body: '{}' })]) {
      expect(res.status).toBe(429);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(9);
      const body = (await res.json()) as { error_message: string };
      const inner = JSON.parse(body.error_message) as Record<string, unknown>;
      expect(inner).toEqual({ faultcode: 'Client', faultstring: expect.stringMatching(/^Too many requests to the ramdisk endpoints .*at most 6 a minute.*retry in \d+ s\.$/), debuginfo: null });
    }
    // The rest of the API is not limited, and another address has its own budget.
    expect((await api.get('/v1/nodes')).status).toBe(200);
    expect((await lookup(fromOther)).status).toBe(404);
  });

  it('lets the address in again after Retry-After', async () => {
    let refused: Awaited<ReturnType<typeof lookup>> | undefined;
    for (let i = 0; i < 500 && !refused; i++) {
      const res = await lookup(undefined, fast);
      if (res.status === 429) refused = res;
    }
    expect(refused?.status).toBe(429);
    const wait = Number(refused!.headers.get('retry-after'));
    expect(wait).toBe(1);
    await new Promise((r) => setTimeout(r, wait * 1000 + 100));
    expect((await lookup(undefined, fast)).status).toBe(404);
  });
});

describe('RateLimiter', () => {
  it('refills at the configured rate and says how long to wait', () => {
    let now = 0;
    const l = new RateLimiter(6, () => now);
    for (let i = 0; i < 6; i++) expect(l.take('a')).toBe(0);
    expect(l.take('a')).toBe(10);
    now += 4_000;
    expect(l.take('a')).toBe(6);
    now += 6_000;
    expect(l.take('a')).toBe(0);
    expect(l.take('b')).toBe(0);
    // An hour idle refills to the burst, never beyond.
    now += 3_600_000;
    for (let i = 0; i < 6; i++) expect(l.take('a')).toBe(0);
    expect(l.take('a')).toBeGreaterThan(0);
  });

  it('keeps a bounded number of addresses', () => {
    let now = 0;
    const l = new RateLimiter(1, () => now);
    expect(l.take('first')).toBe(0);
    for (let i = 0; i < 10_050; i++) l.take(`10.0.${i >> 8}.${i & 255}`);
    now += 1;
    // "first" was evicted with the oldest: it starts over with a full bucket.
    expect(l.take('first')).toBe(0);
  });
});
