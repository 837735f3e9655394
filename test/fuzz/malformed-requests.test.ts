// Generated malformed requests (test/fuzz/malformed-cases.ts) against a real Anvil process, per dialect.
// Every answer must be a 4xx in Ironic's error format (never a 5xx, never a dropped connection; a few odd but
// harmless read-only queries may also succeed). A refused oversized body must not break the client's
// keep-alive connection. Afterwards the server must still answer, must not have logged an internal error or
// a secret, and the nodes, ports and traits that existed before must read back exactly as they did.
// The seed is printed; FUZZ_SEED=<n> replays a run, FUZZ_COUNT=<n> changes its size.
import { Agent } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { startAnvilProcess, type AnvilProcess } from '../support/anvil-process.js';
import { mapLimit, rawRequest, type RawResponse } from '../support/raw-http.js';
import { TEMPLATE_NAMES, generateRequests, type Baseline, type FuzzRequest } from './malformed-cases.js';

const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : (Date.now() ^ (process.pid << 16)) >>> 0;
const COUNT = Number(process.env.FUZZ_COUNT ?? 1200);
const CONCURRENCY = 8;
const MAX_BODY_BYTES = 64 * 1024;
const SECRET = 'fuzz-Secret-77x';
const JSON_HEADERS = { 'X-OpenStack-Ironic-API-Version': 'latest', 'Content-Type': 'application/json', Accept: 'application/json' };

console.log(`malformed-requests: seed ${SEED}, ${COUNT} requests per dialect (replay with FUZZ_SEED=${SEED})`);

interface Outcome {
  readonly req: FuzzRequest;
  readonly res?: RawResponse;
  readonly error?: string;
}

/** Why a response breaks the rules, or null when it is a proper Ironic client error. */
function problem(o: Outcome): string | null {
  if (!o.res) return `no response: ${o.error}`;
  const { status, headers, body } = o.res;
  if (o.req.mayPass && status < 400) return null;
  if (status < 400 || status > 499) return `status ${status}`;
  const text = body.toString('utf8');
  if (text.includes(SECRET)) return 'the stored secret appears in the response';
  if (!String(headers['content-type'] ?? '').startsWith('application/json')) return `content type ${headers['content-type']}`;
  if (!headers['x-openstack-ironic-api-minimum-version'] || !headers['x-openstack-ironic-api-maximum-version']) return 'no min/max version headers';
  let outer: any;
  try {
    outer = JSON.parse(text);
  } catch {
    return 'body is not JSON';
  }
  if (typeof outer?.error_message !== 'string') return 'no error_message string';
  let inner: any;
  try {
    inner = JSON.parse(outer.error_message);
  } catch {
    return 'error_message does not hold JSON';
  }
  if (inner?.faultcode !== 'Client') return `faultcode ${JSON.stringify(inner?.faultcode)}`;
  if (typeof inner.faultstring !== 'string' || inner.faultstring.trim() === '') return 'empty faultstring';
  return null;
}

function describeRequest(req: FuzzRequest): string {
  const version = req.headers?.['X-OpenStack-Ironic-API-Version'] ?? req.headers?.['OpenStack-API-Version'] ?? '(none)';
  const type = req.headers?.['Content-Type'] ? ` content-type=${req.headers['Content-Type']}` : '';
  let body = '';
  if (req.body) {
    const shown = req.body.length > 160 ? `${req.body.subarray(0, 160).toString('latin1')}… (${req.body.length} bytes)` : req.body.toString('latin1');
    body = ` body${req.chunked ? '(chunked)' : ''}=${JSON.stringify(shown)}`;
  }
  return `${req.method} ${req.path.length > 160 ? req.path.slice(0, 160) + '…' : req.path} version=${version}${type}${body}`;
}

/** Drops volatile fields so two reads of an unchanged object compare equal. */
function stable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stable);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([k]) => k !== 'updated_at').map(([k, v]) => [k, stable(v)]));
  }
  return value;
}

describe.each(DIALECTS)('malformed requests against an Anvil process (%s)', (dialect) => {
  let anvil: AnvilProcess;
  let agent: Agent;
  let baseline: Baseline;
  let snapshotPaths: string[] = [];
  let before = new Map<string, { status: number; body: unknown }>();
  let outcomes: Outcome[] = [];

  const call = (method: string, path: string, body?: unknown) => rawRequest(anvil.url, {
    method, path, headers: JSON_HEADERS, body: body === undefined ? undefined : Buffer.from(JSON.stringify(body)),
  }, { agent });

  async function snapshot(): Promise<Map<string, { status: number; body: unknown }>> {
    const out = new Map<string, { status: number; body: unknown }>();
    for (const path of snapshotPaths) {
      const res = await call('GET', path);
      const text = res.body.toString('utf8');
      out.set(path, { status: res.status, body: stable(text ? JSON.parse(text) : null) });
    }
    return out;
  }

  beforeAll(async () => {
    anvil = await startAnvilProcess(dialect, { args: ['--max-body-bytes', String(MAX_BODY_BYTES)] });
    // A fresh connection per request, so a failure belongs to the request that caused it (reuse of
    // keep-alive connections has its own test below).
    agent = new Agent({ keepAlive: false });
    const v1 = await call('GET', '/v1');
    const maxMinor = Number(String(v1.headers['x-openstack-ironic-api-maximum-version']).split('.')[1]);
    expect(maxMinor, 'maximum microversion header of GET /v1').toBeGreaterThanOrEqual(1);

    const nodes: { uuid: string; name: string }[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await call('POST', '/v1/nodes', {
        driver: i === 0 ? 'ipmi' : 'fake-hardware', name: `fuzz-node-${i}`, description: `baseline ${i}`,
        driver_info: { ipmi_address: `10.0.0.${i + 1}`, ipmi_username: 'admin', ipmi_password: SECRET },
        properties: { cpus: 4 + i, memory_mb: 1024 }, extra: { keep: `me-${i}` }, resource_class: 'fuzz',
      });
      expect(res.status, `creating baseline node ${i}: ${res.body}`).toBe(201);
      const uuid = JSON.parse(res.body.toString('utf8')).uuid as string;
      const traits = await call('PUT', `/v1/nodes/${uuid}/traits`, { traits: ['CUSTOM_BASELINE', `CUSTOM_N${i}`] });
      expect(traits.status, `setting traits of baseline node ${i}: ${traits.body}`).toBe(204);
      nodes.push({ uuid, name: `fuzz-node-${i}` });
    }
    baseline = { nodes, ports: [], maxBodyBytes: MAX_BODY_BYTES, maxMinor };
    snapshotPaths = ['/v1/nodes?detail=true', '/v1/ports?detail=true', '/v1/portgroups?detail=true', '/v1/chassis?detail=true',
      ...nodes.flatMap((n) => [`/v1/nodes/${n.uuid}`, `/v1/nodes/${n.uuid}/traits`, `/v1/nodes/${n.uuid}/states`])];
  });

  afterAll(async () => {
    agent?.destroy();
    await anvil?.stop();
  });

  it('creates the baseline ports that duplicate-MAC and port-patch cases aim at', async () => {
    const ports: { uuid: string; address: string }[] = [];
    for (let i = 0; i < 2; i++) {
      const address = `52:54:00:fa:00:0${i}`;
      const res = await call('POST', '/v1/ports', { address, node_uuid: baseline.nodes[i]!.uuid, extra: { keep: i } });
      expect(res.status, `POST /v1/ports: ${res.body}`).toBe(201);
      ports.push({ uuid: JSON.parse(res.body.toString('utf8')).uuid, address });
    }
    baseline = { ...baseline, ports };
    snapshotPaths.push(...ports.map((p) => `/v1/ports/${p.uuid}`));
  });

  it(`answers ${COUNT} malformed requests with Ironic-format 4xx errors`, async () => {
    before = await snapshot();
    const requests = generateRequests(SEED, COUNT, baseline);
    expect(new Set(requests.map((r) => r.label))).toEqual(new Set(TEMPLATE_NAMES));
    outcomes = await mapLimit(requests, CONCURRENCY, async (req) => {
      try {
        return { req, res: await rawRequest(anvil.url, req, { agent }) };
      } catch (err) {
        return { req, error: (err as Error).message };
      }
    });
    const bad = outcomes.map((o) => ({ o, why: problem(o) })).filter((x) => x.why !== null);
    const byLabel = new Map<string, number>();
    for (const { o } of bad) byLabel.set(o.req.label, (byLabel.get(o.req.label) ?? 0) + 1);
    const report = [`${bad.length} of ${outcomes.length} requests were mishandled (seed ${SEED}, ${dialect}).`,
      ...[...byLabel].map(([label, n]) => `  ${n} × ${label}`),
      ...bad.slice(0, 25).map(({ o, why }) => `- [${o.req.label}] ${describeRequest(o.req)}\n    -> ${why}: ${o.res ? `${o.res.status} ${o.res.body.toString('utf8').slice(0, 300)}` : ''}`)];
    expect(bad.length, report.join('\n')).toBe(0);
  }, 120_000);

  it('keeps a keep-alive connection usable after refusing an oversized body', async () => {
    const one = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const big = Buffer.from(JSON.stringify({ driver: 'fake-hardware', extra: { pad: 'x'.repeat(4 * MAX_BODY_BYTES) } }));
      const first = await rawRequest(anvil.url, { method: 'POST', path: '/v1/nodes', headers: JSON_HEADERS, body: big }, { agent: one });
      expect(first.status).toBe(413);
      // Longer than the 500 ms after which @hono/node-server gives up draining an unread body.
      const until = Date.now() + 800;
      const problems: string[] = [];
      for (let n = 0; Date.now() < until && problems.length === 0; n++) {
        const res = await rawRequest(anvil.url, { method: 'POST', path: '/v1/nodes', headers: JSON_HEADERS, body: Buffer.from('{"bogus":1}') },
          { agent: one }).catch((err: Error) => err);
        if (res instanceof Error) problems.push(`request ${n} after the 413 on the same connection got no answer: ${res.message}`);
        else if (res.status !== 400) problems.push(`request ${n} after the 413 got status ${res.status}`);
      }
      expect(problems, 'after a 413 the server must close the connection (Connection: close) or drain it, not drop a later request')
        .toEqual([]);
    } finally {
      one.destroy();
    }
  });

  it('uses more than one kind of 4xx (the fuzzing reached past the first check)', () => {
    const statuses = new Set(outcomes.map((o) => o.res?.status));
    for (const s of [400, 404, 405, 406, 409, 413, 415]) expect(statuses, `no ${s} answer at all`).toContain(s);
  });

  it('still serves GET /v1 and logged no internal error or secret', async () => {
    const res = await call('GET', '/v1');
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body.toString('utf8')).id).toBe('v1');
    expect(anvil.running()).toBe(true);
    const log = anvil.logLines();
    // One short line per internal error: message and the first frames of its stack.
    const errors = log.filter((l) => /"level":"error"/.test(l)).map((l) => {
      const e = JSON.parse(l) as { msg: string; error?: string; stack?: string };
      return `${e.msg}: ${e.error} ${(e.stack ?? '').split('\n').slice(1, 4).map((f) => f.trim()).join(' < ')}`;
    });
    expect(errors, `${errors.length} internal errors logged:\n${[...new Set(errors)].join('\n')}`).toEqual([]);
    expect(log.filter((l) => l.includes(SECRET))).toEqual([]);
  });

  it('left the objects that existed before unchanged', async () => {
    expect(before.size, 'no snapshot was taken before fuzzing').toBeGreaterThan(0);
    const after = await snapshot();
    for (const [path, was] of before) expect(after.get(path), `GET ${path}`).toEqual(was);
    const nodes = (after.get('/v1/nodes?detail=true')?.body as { nodes: { name: string }[] }).nodes;
    expect(nodes.map((n) => n.name).sort()).toEqual(baseline.nodes.map((n) => n.name).sort());
  });
});
