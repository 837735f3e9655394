// The `api` group: plain REST traffic an operator's tooling generates — enrol nodes, add ports, read and
// patch them. Fake hardware only, so the figures measure the API and database, never a BMC.
import type { HttpResponse, LoadResult } from '../http-load.js';
import { runLoad } from '../http-load.js';
import type { BenchContext, PreparedGroup, WorkloadGroup } from './types.js';

/** GETs of single nodes per created node; 5 x 1,000 = 5,000 requests at the default size. */
const SHOWS_PER_NODE = 5;
/** Each detailed list carries every node, so a few dozen requests are plenty. */
const LIST_REQUESTS = 40;

interface Created {
  readonly nodes: string[];
  readonly ports: string[];
}

function uuidOf(res: HttpResponse): string {
  const uuid = (JSON.parse(res.body) as { uuid?: unknown }).uuid;
  if (typeof uuid !== 'string') throw new Error(`2xx answer without a uuid: ${res.body.slice(0, 200)}`);
  return uuid;
}

/** Locally administered unicast MAC (02:...): 3 bytes from the run id, 2 from the index. */
function macFor(runId: string, i: number): string {
  const hex = (runId.slice(0, 6) + (i & 0xffff).toString(16).padStart(4, '0')).match(/../g) ?? [];
  return ['02', ...hex].join(':');
}

/** Index into the created list round-robin, so every node is read/patched about equally often. */
function pick(list: readonly string[], i: number): string {
  const item = list[i % list.length];
  if (item === undefined) throw new Error('no nodes were created; cannot continue');
  return item;
}

function prepare(ctx: BenchContext): PreparedGroup {
  const created: Created = { nodes: [], ports: [] };
  const { client, concurrency } = ctx;

  return {
    workloads: [
      {
        name: 'node create',
        run: async () => ({
          result: await runLoad(client, {
            count: ctx.nodes,
            concurrency,
            makeRequest: (i) => ({
              method: 'POST',
              path: '/v1/nodes',
              body: {
                name: `bench-${ctx.runId}-${i}`,
                driver: 'fake-hardware',
                // ipmi_* keys so the secret-masking path (ipmi_password -> "******") is part of the work.
                driver_info: {
                  ipmi_address: `192.0.2.${i % 250}`,
                  ipmi_username: 'admin',
                  ipmi_password: 'bench-secret',
                },
                properties: { cpus: 8, memory_mb: 32768, local_gb: 500, cpu_arch: 'x86_64' },
              },
            }),
            onSuccess: (_i, res) => created.nodes.push(uuidOf(res)),
          }),
        }),
      },
      {
        name: 'port create',
        run: async () => ({
          result: await runLoad(client, {
            count: created.nodes.length,
            concurrency,
            makeRequest: (i) => ({
              method: 'POST',
              path: '/v1/ports',
              body: { address: macFor(ctx.runId, i), node_uuid: pick(created.nodes, i) },
            }),
            onSuccess: (_i, res) => created.ports.push(uuidOf(res)),
          }),
        }),
      },
      {
        name: 'node show',
        run: async () => ({
          result: await runLoad(client, {
            count: created.nodes.length * SHOWS_PER_NODE,
            concurrency,
            makeRequest: (i) => ({ method: 'GET', path: `/v1/nodes/${pick(created.nodes, i)}` }),
          }),
        }),
      },
      {
        name: 'node list detail',
        run: async () => {
          // Parse one answer only: parsing every 2 MB body would spend the load generator's CPU, which
          // shares the machine with the server.
          let perPage = -1;
          const result = await runLoad(client, {
            count: LIST_REQUESTS,
            concurrency,
            makeRequest: () => ({ method: 'GET', path: '/v1/nodes?detail=True' }),
            onSuccess: (i, res) => {
              if (i === 0) perPage = (JSON.parse(res.body) as { nodes?: unknown[] }).nodes?.length ?? -1;
            },
          });
          return { result, note: `${perPage} nodes per response` };
        },
      },
      {
        name: 'node patch',
        run: async () => ({
          result: await runLoad(client, {
            count: created.nodes.length,
            concurrency,
            makeRequest: (i) => ({
              method: 'PATCH',
              path: `/v1/nodes/${pick(created.nodes, i)}`,
              body: [{ op: 'add', path: '/extra/k', value: 'v' }],
            }),
          }),
        }),
      },
    ],

    async cleanup(): Promise<LoadResult> {
      // Ports first: deleting them explicitly does not rely on the server cascading node deletes.
      const targets = [
        ...created.ports.map((u) => `/v1/ports/${u}`),
        ...created.nodes.map((u) => `/v1/nodes/${u}`),
      ];
      const portCount = created.ports.length;
      const portsDone = await runLoad(client, {
        count: portCount, concurrency,
        makeRequest: (i) => ({ method: 'DELETE', path: targets[i] ?? '' }),
      });
      const nodesDone = await runLoad(client, {
        count: targets.length - portCount, concurrency,
        makeRequest: (i) => ({ method: 'DELETE', path: targets[portCount + i] ?? '' }),
      });
      return mergeResults(portsDone, nodesDone);
    },
  };
}

function mergeResults(a: LoadResult, b: LoadResult): LoadResult {
  const statusCounts: Record<string, number> = { ...a.statusCounts };
  for (const [k, v] of Object.entries(b.statusCounts)) statusCounts[k] = (statusCounts[k] ?? 0) + v;
  return {
    requests: a.requests + b.requests,
    errors: a.errors + b.errors,
    durationMs: a.durationMs + b.durationMs,
    latenciesMs: [...a.latenciesMs, ...b.latenciesMs],
    statusCounts,
    errorSamples: [...a.errorSamples, ...b.errorSamples].slice(0, 5),
    clientCpuMs: a.clientCpuMs + b.clientCpuMs,
  };
}

export const apiGroup: WorkloadGroup = {
  name: 'api',
  summary: 'REST CRUD on nodes and ports (fake-hardware)',
  prepare,
};
