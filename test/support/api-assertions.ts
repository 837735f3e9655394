// Assertions shared by the API tests: Ironic's error body, and "a refused request changed nothing".
import { expect } from 'vitest';
import type { ApiResponse, TestApi } from './api-client.js';
import type { RecordedExchange } from './fixtures.js';

/** A 4xx in Ironic's format: `error_message` is a JSON *string* holding faultcode/faultstring/debuginfo. */
export function expectIronicError(res: ApiResponse, status: number, faultstring?: string | RegExp): void {
  expect(res.status, res.text).toBe(status);
  expect(typeof res.body?.error_message).toBe('string');
  const inner = JSON.parse(res.body.error_message);
  expect(inner).toEqual({ faultcode: status < 500 ? 'Client' : 'Server', faultstring: expect.any(String), debuginfo: null });
  if (typeof faultstring === 'string') expect(inner.faultstring).toBe(faultstring);
  else if (faultstring) expect(inner.faultstring).toMatch(faultstring);
}

/** Every row of the resource tables, to compare before and after a refused request. */
export async function storeSnapshot(api: TestApi): Promise<string> {
  const t = api.tables;
  const [nodes, ports, portgroups, chassis, allocations, volumeConnectors, volumeTargets, deployTemplates] = await Promise.all([
    t.nodes.list(), t.ports.list(), t.portgroups.list(), t.chassis.list(),
    t.allocations.list(), t.volumeConnectors.list(), t.volumeTargets.list(), t.deployTemplates.list()]);
  // A node's row version counts writes (a refused request may still take and release the lock); it is no data.
  const data = nodes.map(({ version: _v, ...rest }) => rest);
  return JSON.stringify({ nodes: data, ports, portgroups, chassis, allocations, volumeConnectors, volumeTargets, deployTemplates });
}

/** Runs `request`, checks it was refused with `status` (and message), and that the store did not change. */
export async function expectRefused(api: TestApi, request: () => Promise<ApiResponse>, status: number, faultstring?: string | RegExp): Promise<ApiResponse> {
  const before = await storeSnapshot(api);
  const res = await request();
  expectIronicError(res, status, faultstring);
  expect(await storeSnapshot(api)).toBe(before);
  return res;
}

/** faultstring inside a recorded Ironic error body (test/fixtures/ironic). */
export function recordedFault(x: RecordedExchange): string {
  return JSON.parse(x.response.body.error_message).faultstring as string;
}
