// The GET node fast path (src/api/fast-get.ts) against the full stack: two services on one database, one with
// apiFastGet off; every request of the matrix must get the same status, header lines (in order) and bytes,
// request id and Date aside, and the fast path must really have answered the plain polls.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from 'node:net';
import { startDashboardService, type DashboardService } from '../support/dashboard-service.js';
import { fastGetStats } from '../../src/api/fast-get.js';
import { DIALECTS } from '../support/databases.js';

/** One raw HTTP/1.1 exchange; returns the answer's status line, header lines and body, port-neutral. */
function raw(url: string, method: string, path: string, headers: Record<string, string> = {}): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const s = connect(Number(port), hostname, () => {
      const lines = Object.entries({ Host: `${hostname}:${port}`, Connection: 'close', ...headers }).map(([k, v]) => `${k}: ${v}\r\n`).join('');
      s.write(`${method} ${path} HTTP/1.1\r\n${lines}\r\n`);
    });
    const chunks: Buffer[] = [];
    s.on('data', (d) => chunks.push(d));
    s.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')
      .replaceAll(`:${port}`, ':PORT').replace(/req-[0-9a-f-]{36}/g, 'req-ID').replace(/^Date: .*$/m, 'Date: D').replace(/"(created_at|updated_at)":"[^"]*"/g, '"$1":"T"')));
    s.on('error', reject);
  });
}

for (const dialect of DIALECTS) {
  describe(`GET node fast path = full stack (${dialect})`, () => {
    let fast: DashboardService;
    let full: DashboardService;
    let uuid = '';
    beforeAll(async () => {
      fast = await startDashboardService(dialect);
      full = await startDashboardService(dialect, { apiFastGet: false });
    }, 60_000);
    afterAll(async () => {
      await fast?.stop();
      await full?.stop();
    });

    it('answers every request of the matrix with the same bytes', async () => {
      const created = await fetch(`${fast.url}/v1/nodes`, {
        method: 'POST', headers: { 'Content-Type': 'application/json', 'X-OpenStack-Ironic-API-Version': '1.78' },
        body: JSON.stringify({ name: 'fastget-1', driver: 'fake-hardware', driver_info: { ipmi_password: 'secret-fastget' } }),
      });
      expect(created.status).toBe(201);
      uuid = ((await created.json()) as { uuid: string }).uuid;
      // The second service shares no database here: it gets the same node, under the same UUID, in its own store.
      const again = await fetch(`${full.url}/v1/nodes`, {
        method: 'POST', headers: { 'Content-Type': 'application/json', 'X-OpenStack-Ironic-API-Version': '1.78' },
        body: JSON.stringify({ uuid, name: 'fastget-1', driver: 'fake-hardware', driver_info: { ipmi_password: 'secret-fastget' } }),
      });
      expect(again.status).toBe(201);
      const v = (x: string) => ({ 'X-OpenStack-Ironic-API-Version': x });
      const matrix: [string, string, Record<string, string>][] = [
        ['GET', `/v1/nodes/${uuid}`, {}], ['GET', `/v1/nodes/${uuid}`, v('1.1')], ['GET', `/v1/nodes/${uuid}`, v('1.78')],
        ['GET', `/v1/nodes/${uuid}`, v('latest')], ['GET', `/v1/nodes/${uuid}`, v('1.99')], ['GET', `/v1/nodes/${uuid}`, v('abc')],
        ['GET', `/v1/nodes/${uuid}`, { 'OpenStack-API-Version': 'baremetal 1.60' }],
        ['GET', `/v1/nodes/${uuid}?fields=uuid,name`, v('1.78')], ['GET', `/v1/nodes/${uuid}/`, v('1.78')],
        ['GET', `/v1/nodes/${uuid.toUpperCase()}`, v('1.78')], ['GET', '/v1/nodes/fastget-1', v('1.78')],
        ['GET', '/v1/nodes/00000000-0000-4000-8000-000000000000', v('1.78')], ['HEAD', `/v1/nodes/${uuid}`, v('1.78')],
      ];
      const before = fastGetStats.answered;
      for (const [method, path, headers] of matrix) {
        // Twice: the first fills the view cache, the second may be answered by the fast path.
        for (let i = 0; i < 2; i++) {
          const a = await raw(fast.url, method, path, headers);
          const b = await raw(full.url, method, path, headers);
          expect(a, `${method} ${path} ${JSON.stringify(headers)}`).toBe(b);
        }
      }
      expect(await raw(fast.url, 'GET', `/v1/nodes/${uuid}`, v('1.78'))).toContain('"uuid":');
      // The plain GETs at valid versions (5 headers' worth) were answered from the fast path at least once each.
      expect(fastGetStats.answered - before).toBeGreaterThanOrEqual(5);
    }, 60_000);
  });
}
