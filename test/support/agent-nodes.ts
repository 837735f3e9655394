// Puts a node where a deploy agent may look itself up, for the agent's own tests: straight in the database
// of a running Anvil process (the boot interfaces that take a node there through the API are built in
// parallel, and the tests play the conductor themselves), in maintenance so no conductor logic acts on the
// agent's heartbeats. Also reads the agent token the API masks, as a conductor has it.
import { openStore } from '../../src/db/database.js';
import { tables } from '../../src/db/tables.js';

async function withTables<T>(databaseUrl: string, fn: (t: ReturnType<typeof tables>) => Promise<T>): Promise<T> {
  const store = await openStore(databaseUrl);
  try {
    return await fn(tables(store));
  } finally {
    await store.close();
  }
}

export function placeNode(databaseUrl: string, uuid: string, provisionState: string, targetProvisionState: string | null, maintenance = true): Promise<void> {
  return withTables(databaseUrl, async (t) => {
    const rec = await t.nodes.findBy('uuid', uuid);
    if (!rec) throw new Error(`no node ${uuid}`);
    await t.nodes.update(rec.id, { provisionState, targetProvisionState, maintenance, maintenanceReason: maintenance ? 'agent test drives the agent' : null });
  });
}

export function agentToken(databaseUrl: string, uuid: string): Promise<string> {
  return withTables(databaseUrl, async (t) => String((await t.nodes.findBy('uuid', uuid))?.driverInternalInfo.agent_secret_token));
}

/** Polls `fn` every 100 ms until it returns something truthy. @throws naming `what` after `timeoutMs` */
export async function waitFor<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** JSON request to an Anvil API at the newest version. */
export async function apiCall(base: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(base + path, {
    method, headers: { 'X-OpenStack-Ironic-API-Version': '1.89', 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}
