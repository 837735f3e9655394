// Clients for the API workloads wrk cannot express: a full detailed list that follows `next` links (read as
// bytes; only the `next` URL near the end of each page is located, the JSON is never parsed, so the client
// costs little next to the server), and the polling mix of a controller fleet (many clients each GETting its
// node every second while an operator lists everything every few seconds).
import { Agent, request } from 'node:http';

export interface RawGet {
  readonly status: number;
  readonly body: Buffer;
  readonly ms: number;
}

export function rawGet(agent: Agent, url: string, headers: Readonly<Record<string, string>>): Promise<RawGet> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), ms: performance.now() - started }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

const NEXT = Buffer.from('"next"');

/** The `next` link of a collection page, found in its bytes (it is the last member Anvil and Ironic write). */
export function nextLink(body: Buffer): string | null {
  const at = body.lastIndexOf(NEXT);
  if (at < 0) return null;
  const open = body.indexOf(0x22, body.indexOf(0x3a, at + NEXT.length) + 1); // the quote after the colon
  const close = body.indexOf(0x22, open + 1);
  return open > 0 && close > open ? body.subarray(open + 1, close).toString('utf8').replace(/\\\//g, '/') : null;
}

export interface ListWalk {
  readonly pages: number;
  readonly bytes: number;
  readonly ms: number;
}

/** GETs `firstUrl` and every page its `next` links lead to. @throws on a non-200 page */
export async function walkList(agent: Agent, firstUrl: string, headers: Readonly<Record<string, string>>): Promise<ListWalk> {
  const started = performance.now();
  let url: string | null = firstUrl;
  let pages = 0;
  let bytes = 0;
  while (url) {
    const res = await rawGet(agent, url, headers);
    if (res.status !== 200) throw new Error(`GET ${url} answered ${res.status}: ${res.body.subarray(0, 300).toString()}`);
    pages++;
    bytes += res.body.length;
    url = nextLink(res.body);
  }
  return { pages, bytes, ms: performance.now() - started };
}

export interface PollingResult {
  readonly getMs: number[];
  readonly listMs: number[];
  errors: number;
}

/**
 * `clients` pollers, each GETting its own node once a second (spread over the second), plus one full detailed
 * list (all pages) every `listEveryS` seconds, for `seconds` seconds.
 */
export async function pollingMix(endpoint: string, uuids: readonly string[], headers: Readonly<Record<string, string>>,
  o: { clients: number; seconds: number; listEveryS: number }): Promise<PollingResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: o.clients + 1 });
  const out: PollingResult = { getMs: [], listMs: [], errors: 0 };
  const until = performance.now() + o.seconds * 1000;
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));
  const poller = async (i: number) => {
    await sleep((1000 * i) / o.clients);
    for (let tick = performance.now(); tick < until; tick += 1000) {
      const res = await rawGet(agent, `${endpoint}/v1/nodes/${uuids[i % uuids.length]}`, headers).catch(() => null);
      if (res?.status === 200) out.getMs.push(res.ms);
      else out.errors++;
      await sleep(tick + 1000 - performance.now());
    }
  };
  const lister = async () => {
    for (let tick = performance.now(); tick < until; tick += o.listEveryS * 1000) {
      try {
        out.listMs.push((await walkList(agent, `${endpoint}/v1/nodes?detail=True`, headers)).ms);
      } catch {
        out.errors++;
      }
      await sleep(tick + o.listEveryS * 1000 - performance.now());
    }
  };
  try {
    await Promise.all([...Array.from({ length: o.clients }, (_, i) => poller(i)), lister()]);
  } finally {
    agent.destroy();
  }
  return out;
}
