// /v1/conductors on every store: shapes compared with the recorded Ironic responses, version gate, fields,
// pagination by hostname, and `alive` derived from the heartbeat.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { startTestApi, type TestApi } from '../support/api-client.js';
import { expectIronicError } from '../support/api-assertions.js';
import { FIXTURE_VERSION, keysOf, fixture } from '../support/fixtures.js';

const at = (v: string) => ({ 'X-OpenStack-Ironic-API-Version': v });

describe.each(DIALECTS)('conductors API (%s)', (dialect) => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startTestApi(dialect);
    const long = '2020-01-01T00:00:00.000000+00:00';
    await api.tables.conductors.insert({ hostname: 'zz-dead', conductorGroup: 'rack2', online: true, drivers: ['ipmi'], createdAt: long, updatedAt: long });
  });
  afterAll(() => api.close());

  it('matches the recorded list and detail shapes at 1.82 (51, 52)', async () => {
    const list = await api.get('/v1/conductors', at(FIXTURE_VERSION));
    const me = list.body.conductors.find((c: { hostname: string }) => c.hostname === 'test-conductor');
    expect(keysOf(me)).toEqual(keysOf(fixture('51-get-conductors').response.body.conductors[0]));
    expect(Object.keys(me)).toEqual(Object.keys(fixture('51-get-conductors').response.body.conductors[0]));
    expect(me).toMatchObject({ conductor_group: '', alive: true });
    expect(me.links).toEqual([
      { href: 'http://127.0.0.1:6385/v1/conductors/test-conductor', rel: 'self' },
      { href: 'http://127.0.0.1:6385/conductors/test-conductor', rel: 'bookmark' }]);
    const detail = await api.get('/v1/conductors?detail=True', at(FIXTURE_VERSION));
    const full = detail.body.conductors.find((c: { hostname: string }) => c.hostname === 'test-conductor');
    expect(Object.keys(full)).toEqual(Object.keys(fixture('52-get-conductors-detail').response.body.conductors[0]));
    expect([...full.drivers].sort()).toEqual(['fake-hardware', 'ipmi', 'manual-management', 'redfish']);
    expect((await api.get('/v1/conductors/test-conductor', at(FIXTURE_VERSION))).body).toEqual(full);
  });

  it('reports a conductor whose heartbeat is old as not alive', async () => {
    const dead = await api.get('/v1/conductors/zz-dead');
    expect(dead.body).toMatchObject({ hostname: 'zz-dead', conductor_group: 'rack2', alive: false, drivers: ['ipmi'] });
  });

  it('exists from 1.49', async () => {
    expectIronicError(await api.get('/v1/conductors', at('1.48')), 404);
    expectIronicError(await api.get('/v1/conductors/test-conductor', at('1.48')), 404);
    expect((await api.get('/v1/conductors', at('1.49'))).status).toBe(200);
  });

  it('pages by hostname, sorts, and selects fields', async () => {
    const first = await api.get('/v1/conductors?limit=1&sort_key=hostname');
    expect(first.body.conductors.map((c: { hostname: string }) => c.hostname)).toEqual(['test-conductor']);
    expect(first.body.next).toBe('http://127.0.0.1:6385/v1/conductors?sort_key=hostname&limit=1&marker=test-conductor');
    const second = await api.get('/v1/conductors?sort_key=hostname&limit=1&marker=test-conductor');
    expect(second.body.conductors.map((c: { hostname: string }) => c.hostname)).toEqual(['zz-dead']);
    const desc = await api.get('/v1/conductors?sort_key=hostname&sort_dir=desc');
    expect(desc.body.conductors.map((c: { hostname: string }) => c.hostname)).toEqual(['zz-dead', 'test-conductor']);
    expect((await api.get('/v1/conductors?fields=hostname,alive')).body.conductors.map(keysOf))
      .toEqual([['alive', 'hostname', 'links'], ['alive', 'hostname', 'links']]);
    expectIronicError(await api.get('/v1/conductors?sort_key=alive'), 400);
    expectIronicError(await api.get('/v1/conductors?sort_key=drivers'), 400);
    expectIronicError(await api.get('/v1/conductors?fields=uuid'), 400, 'Field uuid is not a valid field.');
    expectIronicError(await api.get('/v1/conductors?marker=no-such-host'), 400);
    expectIronicError(await api.get('/v1/conductors/no-such-host'), 404, 'Conductor no-such-host could not be found.');
    expectIronicError(await api.get('/v1/conductors/a%00b'), 404);
  });
});
