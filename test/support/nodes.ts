// Small node fixtures shared by the API tests: create a fake-hardware node, reserve it as another conductor.
import { expect } from 'vitest';
import type { TestApi } from './api-client.js';

/** Request headers for one microversion. */
export const at = (version: string) => ({ 'X-OpenStack-Ironic-API-Version': version });

export async function createNode(api: TestApi, body: Record<string, unknown> = {}): Promise<string> {
  const res = await api.post('/v1/nodes', { driver: 'fake-hardware', ...body });
  expect(res.status, res.text).toBe(201);
  return res.body.uuid as string;
}

/** Sets the node's reservation behind the API's back, as if another conductor held its lock (null frees it). */
export async function reserveNode(api: TestApi, uuid: string, holder: string | null = 'other-host'): Promise<void> {
  const rec = (await api.tables.nodes.findBy('uuid', uuid))!;
  await api.tables.nodes.update(rec.id, { reservation: holder });
}
