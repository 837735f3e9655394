// The `api` group: the REST traffic of an operator's tooling and of controllers polling a fleet, driven by wrk
// (bench/wrk.ts) so that the server, not the load generator, is what is measured. Fake hardware only, so the
// figures measure the API and database, never a BMC. In the same run a bare `node:http` server answering the
// same bytes as GET node gives the ceiling every figure is shown against.
import { createServer, Agent } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HttpResponse, LoadResult } from '../http-load.js';
import { runLoad } from '../http-load.js';
import { pollingMix, rawGet, walkList } from '../raw-readers.js';
import { runWrk, type WrkResult } from '../wrk.js';
import type { BenchContext, PreparedGroup, WorkloadGroup } from './types.js';

/** Seconds each wrk workload runs. */
const WRK_SECONDS = Number(process.env.BENCH_WRK_SECONDS ?? 8);
/** Full detailed lists (all pages) timed one after the other. */
const LIST_WALKS = 5;

function uuidOf(res: HttpResponse): string {
  const uuid = (JSON.parse(res.body) as { uuid?: unknown }).uuid;
  if (typeof uuid !== 'string') throw new Error(`2xx answer without a uuid: ${res.body.slice(0, 200)}`);
  return uuid;
}

const nodeBody = (name: string, i: number) => ({
  name, driver: 'fake-hardware',
  // ipmi_* keys so the secret-masking path (ipmi_password -> "******") is part of the work.
  driver_info: { ipmi_address: `192.0.2.${i % 250}`, ipmi_username: 'admin', ipmi_password: 'bench-secret' },
  properties: { cpus: 8, memory_mb: 32768, local_gb: 500, cpu_arch: 'x86_64' },
});

function fromLatencies(latenciesMs: number[], durationMs: number, errors = 0): LoadResult {
  return { requests: latenciesMs.length, errors, durationMs, latenciesMs, statusCounts: { '200': latenciesMs.length }, errorSamples: [], clientCpuMs: Number.NaN };
}

/** A bare node:http server answering every request with `body` (the GET node answer, same headers that matter). */
async function bareServer(body: Buffer): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': body.length, 'X-OpenStack-Ironic-API-Version': '1.78' });
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

function prepare(ctx: BenchContext): PreparedGroup {
  const { client, concurrency, endpoint } = ctx;
  const uuids: string[] = [];
  const prefix = `bench-${ctx.runId}`;
  const headers = { 'Accept': 'application/json', 'Content-Type': 'application/json', 'X-OpenStack-Ironic-API-Version': ctx.apiVersion };
  let ceiling: WrkResult | undefined;
  const share = (r: WrkResult) => (ceiling ? `${((100 * r.requests / r.durationMs) / (ceiling.requests / ceiling.durationMs)).toFixed(1)}% of the bare-server ceiling` : '');
  const wrk = (method: 'GET' | 'POST' | 'PATCH', paths: string[], luaBody?: string, connections = concurrency) =>
    runWrk({ endpoint, method, headers, paths, luaBody, connections, durationS: WRK_SECONDS });

  return {
    workloads: [
      {
        name: 'seed nodes (fetch client, not a figure)',
        run: async () => {
          const result = await runLoad(client, {
            count: ctx.nodes, concurrency,
            makeRequest: (i) => ({ method: 'POST', path: '/v1/nodes', body: nodeBody(`${prefix}-s${i}`, i) }),
            onSuccess: (_i, res) => uuids.push(uuidOf(res)),
          });
          return { result, note: `${uuids.length} nodes to read, patch and list` };
        },
      },
      {
        name: 'bare node:http ceiling (GET, same body as GET node)',
        run: async () => {
          const sample = await rawGet(new Agent(), `${endpoint}/v1/nodes/${uuids[0]}`, headers);
          const bare = await bareServer(sample.body);
          try {
            ceiling = await runWrk({ endpoint: bare.url, method: 'GET', headers, paths: ['/v1/nodes/x'], connections: concurrency, durationS: WRK_SECONDS });
          } finally {
            await bare.close();
          }
          return { result: ceiling, note: `${sample.body.length}-byte body` };
        },
      },
      {
        name: 'node create',
        run: async () => {
          // A unique name per request: the Lua body is the JSON text around the counter `n`.
          const [before, after] = JSON.stringify(nodeBody('@@', 0)).split('"@@"') as [string, string];
          const result = await wrk('POST', ['/v1/nodes'], `${JSON.stringify(`${before}"${prefix}-w`)} .. n .. ${JSON.stringify(`"${after}`)}`);
          return { result, note: share(result) };
        },
      },
      {
        name: 'node show (round robin)',
        run: async () => {
          const result = await wrk('GET', uuids.map((u) => `/v1/nodes/${u}`));
          return { result, note: share(result) };
        },
      },
      {
        name: 'node patch (round robin)',
        run: async () => {
          const result = await wrk('PATCH', uuids.map((u) => `/v1/nodes/${u}`), `'[{"op":"add","path":"/extra/k","value":"v' .. n .. '"}]'`);
          return { result, note: share(result) };
        },
      },
      {
        name: 'node list detail, one page of 1,000',
        run: async () => {
          // One connection: a 2.5 MB answer keeps the server busy, more connections would only queue behind it.
          const result = await wrk('GET', ['/v1/nodes?detail=True&limit=1000'], undefined, 1);
          return { result, note: share(result) };
        },
      },
      {
        name: 'node list detail, every node (all pages)',
        run: async () => {
          const agent = new Agent({ keepAlive: true, maxSockets: 1 });
          const walks = [];
          try {
            for (let i = 0; i < LIST_WALKS; i++) walks.push(await walkList(agent, `${endpoint}/v1/nodes?detail=True`, headers));
          } finally {
            agent.destroy();
          }
          const total = walks.reduce((a, w) => a + w.ms, 0);
          const w = walks[0]!;
          return { result: fromLatencies(walks.map((x) => x.ms), total), note: `${w.pages} pages, ${(w.bytes / 1e6).toFixed(1)} MB per walk; p50 = median walk` };
        },
      },
      {
        name: 'polling mix: 100 clients GET 1/s + full list every 10 s',
        run: async () => {
          const r = await pollingMix(endpoint, uuids, headers, { clients: 100, seconds: 20, listEveryS: 10 });
          const listed = r.listMs.map((m) => m.toFixed(0)).join(', ');
          return { result: fromLatencies(r.getMs, 20_000, r.errors), note: `GET latencies; full lists took ${listed} ms` };
        },
      },
    ],

    async cleanup(): Promise<LoadResult> {
      // Everything this run created carries the prefix (wrk's creates included): list by name, delete.
      const mine: string[] = [];
      let path: string | null = '/v1/nodes?fields=uuid,name&limit=1000';
      while (path) {
        const res = await client.send({ method: 'GET', path });
        const page = JSON.parse(res.body) as { nodes: { uuid: string; name: string | null }[]; next?: string };
        mine.push(...page.nodes.filter((n) => n.name?.startsWith(prefix)).map((n) => n.uuid));
        path = page.next ? new URL(page.next).pathname.replace(/^.*\/v1\//, '/v1/') + new URL(page.next).search : null;
      }
      return runLoad(client, { count: mine.length, concurrency, makeRequest: (i) => ({ method: 'DELETE', path: `/v1/nodes/${mine[i]}` }) });
    },
  };
}

export const apiGroup: WorkloadGroup = {
  name: 'api',
  summary: 'REST traffic on nodes (fake-hardware) under wrk, against a bare node:http ceiling',
  prepare,
};
