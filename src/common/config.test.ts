import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, SETTINGS, envName, flagName, loadConfig } from './config.js';

describe('configuration', () => {
  it('defaults to 127.0.0.1:6385 and a SQLite file under the state directory', () => {
    const c = loadConfig({ env: {} });
    expect(c.host).toBe('127.0.0.1');
    expect(c.port).toBe(6385);
    expect(c.databaseUrl).toMatch(/^sqlite:\/\/\/.*\/var\/anvil\.db$/);
  });

  it('layers file < environment < flags', () => {
    const dir = mkdtempSync(join(tmpdir(), 'anvil-cfg-'));
    const file = join(dir, 'anvil.yaml');
    writeFileSync(file, 'port: 7000\nhost: 127.0.0.2\nenabledHardwareTypes: [ipmi]\n');
    const c = loadConfig({ file, env: { ANVIL_PORT: '7001', ANVIL_DATABASE_URL: 'postgresql://x@127.0.0.1/db' }, flags: { host: '127.0.0.3' } });
    expect(c.port).toBe(7001);
    expect(c.host).toBe('127.0.0.3');
    expect(c.enabledHardwareTypes).toEqual(['ipmi']);
    expect(c.databaseUrl).toBe('postgresql://x@127.0.0.1/db');
  });

  it('refuses unknown settings and bad values with a clear message', () => {
    const dir = mkdtempSync(join(tmpdir(), 'anvil-cfg-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'prot: 1\n');
    expect(() => loadConfig({ file, env: {} })).toThrow(ConfigError);
    expect(() => loadConfig({ env: { ANVIL_PORT: 'eighty' } })).toThrow(/ANVIL_PORT must be an integer/);
    expect(() => loadConfig({ env: { ANVIL_DEBUG: 'sure' } })).toThrow(/true or false/);
  });

  it('names environment variables and flags after the setting', () => {
    expect(envName('databaseUrl')).toBe('ANVIL_DATABASE_URL');
    expect(flagName('databaseUrl')).toBe('--database-url');
    expect(Object.keys(SETTINGS)).toContain('encryptionKey');
  });
});
