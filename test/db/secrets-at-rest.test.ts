// Secrets at rest on both stores: with a key configured the raw rows hold only ciphertext, drivers still
// read the clear value, and `rekey` moves every node to a new key.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { DIALECTS } from '../support/databases.js';
import { startTestApi, type TestApi } from '../support/api-client.js';
import { SecretBox } from '../../src/common/secrets.js';
import { openStore } from '../../src/db/database.js';
import { tables } from '../../src/db/tables.js';
import { rekeyStore } from '../../src/cli/service/rekey.js';

describe.each(DIALECTS)('secrets at rest on %s', (dialect) => {
  const key = SecretBox.generateKey();
  let api: TestApi;
  beforeAll(async () => { api = await startTestApi(dialect, { encryptionKey: key }); });
  afterAll(async () => { await api?.close(); });

  it('stores only ciphertext and rotates to a new key', async () => {
    const created = await api.post('/v1/nodes', { driver: 'ipmi', driver_info: { ipmi_address: 'bmc1', ipmi_password: 'Sup3r-Secret' }, instance_info: { image_url: 'http://u:p@host/x' } });
    expect(created.status).toBe(201);
    expect(created.body.driver_info.ipmi_password).toBe('******');
    const raw = await sql<{ driver_info: string; instance_info: string }>`select driver_info, instance_info from nodes`.execute(api.store.db);
    const text = JSON.stringify(raw.rows);
    expect(text).not.toContain('Sup3r-Secret');
    expect(text).not.toContain('u:p@host');
    expect(text).toContain('bmc1');
    expect((await api.tables.nodes.findBy('uuid', created.body.uuid))?.driverInfo.ipmi_password).toBe('Sup3r-Secret');

    const newKey = new SecretBox(SecretBox.generateKey());
    expect(await rekeyStore(api.config.databaseUrl, new SecretBox(key), newKey)).toBe(1);
    const reopened = await openStore(api.config.databaseUrl, { secretBox: newKey });
    try {
      const node = await tables(reopened).nodes.findBy('uuid', created.body.uuid);
      expect(node?.driverInfo.ipmi_password).toBe('Sup3r-Secret');
      expect(node?.instanceInfo.image_url).toBe('http://u:p@host/x');
      const stale = await openStore(api.config.databaseUrl, { secretBox: new SecretBox(key) });
      await expect(tables(stale).nodes.findBy('uuid', created.body.uuid)).rejects.toThrow(/encrypted with key/);
      await stale.close();
    } finally {
      await reopened.close();
    }
  });
});
