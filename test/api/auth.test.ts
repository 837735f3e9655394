// http_basic authentication in-process: 401 with WWW-Authenticate in Ironic's error format for missing,
// malformed and wrong credentials (unknown users too), public version discovery and ramdisk endpoints, and the
// start-up refusal of noauth on a non-loopback address.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkAuthSetup, isLoopbackHost, parseBasicAuth } from '../../src/api/auth/authenticate.js';
import { loadConfig } from '../../src/common/config.js';
import { startTestApi, type TestApi } from '../support/api-client.js';
import { writeHtpasswd } from '../support/htpasswd.js';

const basic = (user: string, password: string) => ({ Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });

describe('http_basic authentication (in-process)', () => {
  let api: TestApi;
  let dir: string;
  let htpasswd: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'anvil-auth-'));
    htpasswd = join(dir, 'htpasswd');
    writeHtpasswd(htpasswd, { alice: 'wonder-Land1', bob: 'builder:with:colons' });
    api = await startTestApi('sqlite', { authStrategy: 'http_basic', httpBasicAuthUserFile: htpasswd });
  });
  afterAll(async () => {
    await api?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    ['no credentials', {}],
    ['a wrong password', basic('alice', 'wrong')],
    ['an unknown user', basic('mallory', 'wonder-Land1')],
    ['a bearer token', { Authorization: 'Bearer abc' }],
    ['garbage after Basic', { Authorization: 'Basic !!!' }],
    ['no colon in the pair', { Authorization: `Basic ${Buffer.from('alice').toString('base64')}` }],
  ])('answers 401 with WWW-Authenticate to %s', async (_label, headers) => {
    const r = await api.get('/v1/nodes', headers);
    expect(r.status).toBe(401);
    expect(r.headers.get('www-authenticate')).toBe('Basic realm="Baremetal API"');
    expect(JSON.parse(r.body.error_message).faultcode).toBe('Client');
    expect(r.error).toBeTruthy();
  });

  it('serves an authenticated user, also with colons in the password', async () => {
    expect((await api.get('/v1/nodes', basic('alice', 'wonder-Land1'))).status).toBe(200);
    expect((await api.get('/v1/nodes', basic('bob', 'builder:with:colons'))).status).toBe(200);
    // The second check of the same pair comes from the verified cache: still the same answer.
    expect((await api.get('/v1/drivers', basic('alice', 'wonder-Land1'))).status).toBe(200);
    expect((await api.get('/v1/drivers', basic('alice', 'wonder-Land1x'))).status).toBe(401);
  });

  it('refuses writes without credentials and stores nothing', async () => {
    const r = await api.post('/v1/nodes', { driver: 'fake-hardware', name: 'sneaky' });
    expect(r.status).toBe(401);
    expect((await api.tables.nodes.list()).some((n) => n.name === 'sneaky')).toBe(false);
  });

  it('keeps version discovery and the ramdisk endpoints public', async () => {
    expect((await api.get('/')).status).toBe(200);
    expect((await api.get('/v1')).status).toBe(200);
    expect((await api.get('/v1/')).status).toBe(200);
    // Public means "not 401": the lookup itself finds no node for this address.
    const lookup = await api.get('/v1/lookup?addresses=52:54:00:00:00:99');
    expect(lookup.status).toBe(404);
    const hb = await api.post('/v1/heartbeat/0b5ba3b5-3b8d-4b52-8d3e-1f1a3b1f2c9e', { callback_url: 'http://127.0.0.1:9999' });
    expect(hb.status).not.toBe(401);
    const ci = await api.post('/v1/continue_inspection', { inventory: {} });
    expect(ci.status).not.toBe(401);
  });

  it('does not open other methods or sub-paths of the public routes', async () => {
    expect((await api.del('/v1/lookup')).status).toBe(401);
    expect((await api.get('/v1/lookup/../nodes')).status).toBe(401);
    expect((await api.get('/v1/%6eodes')).status).toBe(401);
  });

  it('picks up a user added to the htpasswd file without a restart', async () => {
    expect((await api.get('/v1/nodes', basic('carol', 'later-On'))).status).toBe(401);
    writeHtpasswd(join(dir, 'next'), { alice: 'wonder-Land1', carol: 'later-On' });
    // Same path, new content and a new mtime.
    const { readFileSync } = await import('node:fs');
    await new Promise((r) => setTimeout(r, 20));
    writeFileSync(htpasswd, readFileSync(join(dir, 'next')));
    expect((await api.get('/v1/nodes', basic('carol', 'later-On'))).status).toBe(200);
    expect((await api.get('/v1/nodes', basic('bob', 'builder:with:colons'))).status).toBe(401);
  });
});

describe('authentication set-up checks', () => {
  const cfg = (flags: Record<string, unknown>) => loadConfig({ env: {}, flags: { databaseUrl: 'sqlite:///tmp/unused.db', ...flags } });

  it('knows loopback addresses', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', '::ffff:127.0.0.1']) expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ['0.0.0.0', '::', '10.0.0.1', '192.168.1.1', 'example.org', '']) expect(isLoopbackHost(h), h).toBe(false);
  });

  it('refuses noauth on a non-loopback bind unless insecureNoauth is set', () => {
    expect(() => checkAuthSetup(cfg({ host: '0.0.0.0' }))).toThrow(/refusing to serve without authentication on 0\.0\.0\.0/);
    expect(() => checkAuthSetup(cfg({ host: '127.0.0.1', imageServeHost: '0.0.0.0' }))).toThrow(/without authentication/);
    expect(() => checkAuthSetup(cfg({ host: '0.0.0.0', insecureNoauth: true }))).not.toThrow();
    expect(() => checkAuthSetup(cfg({ host: '127.0.0.1' }))).not.toThrow();
    expect(() => checkAuthSetup(cfg({ host: '0.0.0.0', authStrategy: 'http_basic' }))).not.toThrow();
    expect(() => cfg({ authStrategy: 'keystone' })).toThrow(/authStrategy/);
  });

  it('parses Basic credentials strictly', () => {
    expect(parseBasicAuth(`Basic ${Buffer.from('u:p:q').toString('base64')}`)).toEqual(['u', 'p:q']);
    expect(parseBasicAuth(`basic ${Buffer.from('u:').toString('base64')}`)).toEqual(['u', '']);
    expect(parseBasicAuth(`Basic ${Buffer.from(':p').toString('base64')}`)).toBeNull();
    expect(parseBasicAuth(undefined)).toBeNull();
    expect(parseBasicAuth('Digest x')).toBeNull();
  });
});
