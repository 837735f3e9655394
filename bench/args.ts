// Command-line options of `npm run bench`. Validated up front so a typo fails before minutes of load.
import { parseArgs } from 'node:util';

export interface BenchOptions {
  /** Undefined: start a private Anvil. */
  readonly endpoint: string | undefined;
  readonly label: string;
  readonly nodes: number;
  /** Nodes the `provision` group drives through manage → provide → deploy. */
  readonly provisionNodes: number;
  readonly concurrency: number;
  readonly apiVersion: string;
  readonly json: string | undefined;
  /** Group names to run; empty means all. */
  readonly only: readonly string[];
  readonly skipBuild: boolean;
  /** Two JSON files to print side by side instead of running anything. */
  readonly compare: readonly string[];
}

export const USAGE = `Usage: npm run bench -- [options]
  --endpoint URL       benchmark a running server (default: start a private Anvil)
  --label NAME         name in the table and JSON (default: anvil, or the endpoint's host:port)
  --nodes N            nodes (and ports) to create (default 1000)
  --provision-nodes N  nodes the provision group drives to active (default 1000)
  --concurrency N      parallel keep-alive connections (default 8)
  --api-version V      X-OpenStack-Ironic-API-Version to send (default 1.78)
  --only GROUP[,GROUP] workload groups to run (default: all)
  --json FILE          also write the results as JSON
  --skip-build         do not run npm run build even if dist/ looks stale
  --compare A.json --compare B.json   print two earlier results side by side and exit`;

function positiveInt(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got ${raw}`);
  return n;
}

export function parseBenchArgs(argv: readonly string[]): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      'endpoint': { type: 'string' },
      'label': { type: 'string' },
      'nodes': { type: 'string' },
      'provision-nodes': { type: 'string' },
      'concurrency': { type: 'string' },
      'api-version': { type: 'string' },
      'json': { type: 'string' },
      'only': { type: 'string', multiple: true },
      'skip-build': { type: 'boolean' },
      'compare': { type: 'string', multiple: true },
      'help': { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) return 'help';
  const endpoint = values.endpoint?.replace(/\/+$/, '');
  const compare = values.compare ?? [];
  if (compare.length !== 0 && compare.length !== 2) throw new Error('--compare takes exactly two JSON files');
  const nodes = positiveInt('nodes', values.nodes, 1000);
  // MACs carry the node index in two bytes.
  if (nodes > 0xffff) throw new Error('--nodes must be at most 65535');
  const apiVersion = values['api-version'] ?? '1.78';
  if (!/^1\.\d+$/.test(apiVersion)) throw new Error(`--api-version must look like 1.78, got ${apiVersion}`);
  return {
    endpoint,
    label: values.label ?? (endpoint ? new URL(endpoint).host : 'anvil'),
    nodes,
    provisionNodes: positiveInt('provision-nodes', values['provision-nodes'], 1000),
    concurrency: positiveInt('concurrency', values.concurrency, 8),
    apiVersion,
    json: values.json,
    only: (values.only ?? []).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean),
    skipBuild: values['skip-build'] ?? false,
    compare,
  };
}
