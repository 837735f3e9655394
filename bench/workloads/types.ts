// The shape every workload group follows, so `run.ts` can select groups by name (`--only api`) and new
// groups (conductor, provisioning, ...) plug in without touching the runner.
import type { HttpClient, LoadResult } from '../http-load.js';

export interface BenchContext {
  readonly client: HttpClient;
  /** Base URL of the server under test (for load generators other than `client`, e.g. wrk). */
  readonly endpoint: string;
  /** X-OpenStack-Ironic-API-Version every request carries. */
  readonly apiVersion: string;
  readonly nodes: number;
  /** Nodes for the `provision` group (`--provision-nodes`); absent means its default. */
  readonly provisionNodes?: number;
  readonly concurrency: number;
  /** Short random tag put into names and MACs so runs never collide with each other or with other users. */
  readonly runId: string;
  /** Progress lines go to stderr so stdout stays a clean Markdown table. */
  readonly progress: (line: string) => void;
}

export interface Workload {
  readonly name: string;
  run(): Promise<WorkloadOutcome>;
}

export interface WorkloadOutcome {
  readonly result: LoadResult;
  /** What a reader needs to interpret the figure, e.g. how many nodes one list response carried. */
  readonly note?: string;
}

export interface PreparedGroup {
  /** Run in order: later workloads may use what earlier ones created. */
  readonly workloads: readonly Workload[];
  /** Deletes what the workloads created; only called against external endpoints. */
  cleanup(): Promise<LoadResult>;
}

export interface WorkloadGroup {
  readonly name: string;
  readonly summary: string;
  /** False for groups that measure something other than the API (images): no server is started for them alone. */
  readonly needsApi?: boolean;
  /** Fresh state per run; nothing is sent until a workload runs. */
  prepare(ctx: BenchContext): PreparedGroup;
}
