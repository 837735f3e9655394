// Turns load results into the figures we publish: one Markdown table per run, a JSON file for later
// comparison, and a side-by-side table of two JSON files (`--compare anvil.json ironic.json`).
import { readFileSync } from 'node:fs';
import type { LoadResult } from './http-load.js';
import { summarize } from './stats.js';

export interface WorkloadRow {
  readonly group: string;
  readonly workload: string;
  readonly requests: number;
  readonly errors: number;
  readonly durationS: number;
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly meanMs: number;
  readonly maxMs: number;
  readonly statusCounts: Readonly<Record<string, number>>;
  /** Load generator CPU as % of one core over the run; near 100 means the client, not the server, limits. */
  readonly clientCpuPct: number;
  readonly note?: string;
}

export interface BenchReport {
  readonly label: string;
  readonly endpoint: string;
  readonly startedAt: string;
  readonly options: { readonly nodes: number; readonly concurrency: number; readonly apiVersion: string };
  readonly machine: { readonly cpus: number; readonly cpuModel: string; readonly node: string; readonly os: string };
  readonly rows: readonly WorkloadRow[];
}

export function toRow(group: string, workload: string, r: LoadResult, note?: string): WorkloadRow {
  // wrk reports percentiles from its own histogram instead of every latency.
  const q = (r as { quantilesMs?: { p50: number; p99: number; mean: number; max: number } }).quantilesMs;
  const s = q ? { p50Ms: q.p50, p99Ms: q.p99, meanMs: q.mean, maxMs: q.max } : summarize(r.latenciesMs);
  const durationS = r.durationMs / 1000;
  return {
    group, workload, requests: r.requests, errors: r.errors, durationS,
    rps: durationS > 0 ? r.requests / durationS : Number.NaN,
    p50Ms: s.p50Ms, p99Ms: s.p99Ms, meanMs: s.meanMs, maxMs: s.maxMs,
    statusCounts: r.statusCounts,
    clientCpuPct: r.durationMs > 0 ? (100 * r.clientCpuMs) / r.durationMs : Number.NaN,
    ...(note === undefined ? {} : { note }),
  };
}

/** 3 significant digits at most: more would pretend a precision that run-to-run noise does not have. */
export function fmt(n: number): string {
  if (!Number.isFinite(n)) return 'n/a';
  if (n >= 100) return Math.round(n).toLocaleString('en-US');
  if (n >= 10) return n.toFixed(1);
  return n.toFixed(2);
}

export function markdownTable(report: BenchReport): string {
  const o = report.options;
  const lines = [
    `### ${report.label} — ${report.endpoint}`,
    '',
    `${o.nodes} nodes, concurrency ${o.concurrency}, API version ${o.apiVersion}, ${report.startedAt}`,
    '',
    '| workload | requests | errors | req/s | p50 ms | p99 ms | note |',
    '|---|--:|--:|--:|--:|--:|---|',
    ...report.rows.map((r) =>
      `| ${r.workload} | ${r.requests} | ${r.errors} | ${fmt(r.rps)} | ${fmt(r.p50Ms)} | ${fmt(r.p99Ms)} | ${r.note ?? ''} |`),
  ];
  return lines.join('\n');
}

function loadReport(file: string): BenchReport {
  return JSON.parse(readFileSync(file, 'utf8')) as BenchReport;
}

/** `x` = how many times A beats B: throughput A/B, latency B/A, so bigger is always better for A. */
export function compareTables(fileA: string, fileB: string): string {
  const a = loadReport(fileA);
  const b = loadReport(fileB);
  const ratio = (n: number, d: number): string => (d > 0 && Number.isFinite(n / d) ? `${fmt(n / d)}×` : 'n/a');
  const lines = [
    `| workload | ${a.label} req/s | ${b.label} req/s | req/s ${a.label}/${b.label} | ${a.label} p50 ms | ${b.label} p50 ms | ${a.label} p99 ms | ${b.label} p99 ms | p50 ${b.label}/${a.label} |`,
    '|---|--:|--:|--:|--:|--:|--:|--:|--:|',
  ];
  for (const ra of a.rows) {
    const rb = b.rows.find((r) => r.group === ra.group && r.workload === ra.workload);
    if (!rb) continue;
    // Failed requests are often fast 4xx answers: a ratio over them would flatter the failing side.
    const failed = [ra, rb].filter((r) => r.errors > 0).map((r) => `${r === ra ? a.label : b.label}: ${r.errors} errors`);
    const speedup = failed.length ? `n/a (${failed.join(', ')})` : `**${ratio(ra.rps, rb.rps)}**`;
    const latency = failed.length ? 'n/a' : ratio(rb.p50Ms, ra.p50Ms);
    lines.push(`| ${ra.workload} | ${fmt(ra.rps)} | ${fmt(rb.rps)} | ${speedup} | ${fmt(ra.p50Ms)} | ` +
      `${fmt(rb.p50Ms)} | ${fmt(ra.p99Ms)} | ${fmt(rb.p99Ms)} | ${latency} |`);
  }
  return lines.join('\n');
}
