// Closed-loop HTTP load generator: N workers share one keep-alive Agent and each sends its next request as
// soon as the previous one answers, so throughput is the server's, not a fixed arrival rate we chose.
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';

export interface RequestSpec {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path below the endpoint, e.g. `/v1/nodes`. */
  readonly path: string;
  readonly body?: unknown;
}

export interface HttpResponse {
  /** 0 when no HTTP answer arrived (connection refused/reset, timeout). */
  readonly status: number;
  readonly body: string;
  readonly ms: number;
}

export interface LoadResult {
  readonly requests: number;
  /** Requests without a 2xx answer. */
  readonly errors: number;
  readonly durationMs: number;
  readonly latenciesMs: readonly number[];
  /** `"200": 990, "409": 10` — kept so a report can say *which* failures happened. */
  readonly statusCounts: Readonly<Record<string, number>>;
  /** The first few failures verbatim (request line, status, start of body). */
  readonly errorSamples: readonly string[];
  /** CPU this process spent generating the load: it shares the machine with the server under test. */
  readonly clientCpuMs: number;
}

export interface ClientOptions {
  readonly concurrency: number;
  readonly apiVersion: string;
  readonly timeoutMs?: number;
}

const MAX_ERROR_SAMPLES = 5;

export class HttpClient {
  readonly #agent: Agent;
  readonly #base: URL;
  readonly #prefix: string;
  readonly #headers: Readonly<Record<string, string>>;
  readonly #timeoutMs: number;

  constructor(endpoint: string, opts: ClientOptions) {
    this.#base = new URL(endpoint);
    if (this.#base.protocol !== 'http:') throw new Error(`only http:// endpoints are supported, got ${endpoint}`);
    // Ironic may be mounted below a prefix (e.g. /baremetal behind uwsgi); keep it.
    this.#prefix = this.#base.pathname.replace(/\/+$/, '');
    // One socket per worker: more would only queue inside the Agent, fewer would serialise workers.
    this.#agent = new Agent({ keepAlive: true, maxSockets: opts.concurrency });
    this.#headers = {
      'Accept': 'application/json',
      'Content-Type': 'application/json',
      'X-OpenStack-Ironic-API-Version': opts.apiVersion,
    };
    this.#timeoutMs = opts.timeoutMs ?? 120_000;
  }

  send(spec: RequestSpec): Promise<HttpResponse> {
    const payload = spec.body === undefined ? undefined : Buffer.from(JSON.stringify(spec.body));
    const headers: Record<string, string> = { ...this.#headers };
    if (payload) headers['Content-Length'] = String(payload.length);
    const started = performance.now();
    return new Promise((resolve) => {
      const req = request({
        agent: this.#agent,
        host: this.#base.hostname,
        port: this.#base.port || 80,
        method: spec.method,
        path: this.#prefix + spec.path,
        headers,
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({
          status: res.statusCode ?? 0,
          body: Buffer.concat(chunks).toString('utf8'),
          ms: performance.now() - started,
        }));
        res.on('error', (err) => resolve({ status: 0, body: String(err), ms: performance.now() - started }));
      });
      req.setTimeout(this.#timeoutMs, () => req.destroy(new Error(`timed out after ${this.#timeoutMs} ms`)));
      req.on('error', (err) => resolve({ status: 0, body: String(err), ms: performance.now() - started }));
      req.end(payload);
    });
  }

  close(): void {
    this.#agent.destroy();
  }
}

export interface LoadPlan {
  readonly count: number;
  readonly concurrency: number;
  readonly makeRequest: (i: number) => RequestSpec;
  /** Sees every 2xx answer, e.g. to collect the UUIDs of created resources. */
  readonly onSuccess?: (i: number, res: HttpResponse) => void;
}

export async function runLoad(client: HttpClient, plan: LoadPlan): Promise<LoadResult> {
  const latenciesMs: number[] = [];
  const statusCounts: Record<string, number> = {};
  const errorSamples: string[] = [];
  let errors = 0;
  let next = 0;

  const worker = async (): Promise<void> => {
    // `next++` is safe without a lock: workers only interleave at `await`.
    while (next < plan.count) {
      const i = next++;
      const spec = plan.makeRequest(i);
      const res = await client.send(spec);
      latenciesMs.push(res.ms);
      const key = String(res.status);
      statusCounts[key] = (statusCounts[key] ?? 0) + 1;
      if (res.status >= 200 && res.status < 300) {
        plan.onSuccess?.(i, res);
      } else {
        errors++;
        if (errorSamples.length < MAX_ERROR_SAMPLES) {
          errorSamples.push(`${spec.method} ${spec.path} -> ${res.status} ${res.body.slice(0, 400)}`);
        }
      }
    }
  };

  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  await Promise.all(Array.from({ length: Math.min(plan.concurrency, plan.count) }, worker));
  const cpu = process.cpuUsage(cpuBefore);
  return {
    requests: latenciesMs.length,
    errors,
    durationMs: performance.now() - started,
    latenciesMs,
    statusCounts,
    errorSamples,
    clientCpuMs: (cpu.user + cpu.system) / 1000,
  };
}
