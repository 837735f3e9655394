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
