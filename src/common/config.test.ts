import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, SETTINGS, envName, flagName, loadConfig } from './config.js';
import { Command } from 'commander';
import { addSettingFlags, configFromOptions } from '../cli/service/settings-options.js';

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

  it.each([
    [{ ANVIL_WORKERS: '0' }, /workers = 0 \(from ANVIL_WORKERS\) is not allowed: it must be an integer of at least 1/],
    [{ ANVIL_LOG_LEVEL: 'verbose' }, /logLevel = "verbose" \(from ANVIL_LOG_LEVEL\) is not allowed: it must be one of `debug`, `info`, `warn`, `error`/],
    [{ ANVIL_IMAGE_DOWNLOAD_SOURCE: 'ftp' }, /imageDownloadSource = "ftp" .* must be one of `http`, `local`/],
    [{ ANVIL_MAX_LIMIT: '-5' }, /maxLimit = -5 .* must be an integer of at least 1/],
    [{ ANVIL_PORT: '70000' }, /port = 70000 .* must be an integer from 0 to 65535/],
    [{ ANVIL_PUBLIC_URL: 'ftp://example.test/' }, /publicUrl = "ftp:\/\/example.test\/" .* URL with scheme `http:\/\/`, `https:\/\/`/],
    [{ ANVIL_DATABASE_URL: 'mysql://root@127.0.0.1/db' }, /databaseUrl = "mysql:/],
    [{ ANVIL_IMAGE_SERVE_PORT: '-1' }, /imageServePort = -1/],
  ])('refuses %o naming the setting, the value and what is allowed', (env, message) => {
    expect(() => loadConfig({ env })).toThrow(ConfigError);
    expect(() => loadConfig({ env })).toThrow(message);
  });

  it('lists every bad setting at once, naming the config file as the source', () => {
    const dir = mkdtempSync(join(tmpdir(), 'anvil-cfg-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'workers: 0\nlogLevel: verbose\n');
    expect(() => loadConfig({ file, env: {} })).toThrow(new RegExp(`invalid settings:\\n  workers = 0 \\(from ${file}\\).*\\n  logLevel = "verbose"`));
  });

  it('accepts the edge values of each range', () => {
    const c = loadConfig({ env: { ANVIL_WORKERS: '1', ANVIL_PORT: '0', ANVIL_PERIODIC_CHECK_INTERVAL: '0', ANVIL_PUBLIC_URL: 'https://bm.example.test:6385/' } });
    expect([c.workers, c.port, c.periodicCheckInterval, c.publicUrl]).toEqual([1, 0, 0, 'https://bm.example.test:6385/']);
  });

  it('stops `anvil serve` before it opens anything when a setting is not allowed', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/anvil.ts', 'serve', '--workers', '0', '--state-dir', mkdtempSync(join(tmpdir(), 'anvil-cfg-'))],
      { encoding: 'utf8', timeout: 30_000, env: { ...process.env, ANVIL_CONFIG: '' } });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/workers = 0 \(from --workers\) is not allowed: it must be an integer of at least 1/);
    expect(r.stdout).not.toMatch(/serving/);
  });

  it('refuses key material as a command-line flag, saying how to pass it instead', () => {
    expect(() => configFromOptions({ encryptionKey: 'a2V5' })).toThrow(ConfigError);
    expect(() => configFromOptions({ encryptionKey: 'a2V5' })).toThrow(/--encryption-key is refused: .*process list.*--encryption-key-file FILE, or set ANVIL_ENCRYPTION_KEY/);
    expect(() => configFromOptions({ imageServeKey: 'k' })).toThrow(/--image-serve-key is refused: .*--image-serve-key-file FILE, or set ANVIL_IMAGE_SERVE_KEY/);
    expect(configFromOptions({ port: '7002' }).port).toBe(7002);
  });

  it('shows each flag with its environment variable and default, and takes booleans as plain switches with a --no- form', () => {
    const cmd = addSettingFlags(new Command('serve').exitOverride());
    const help = cmd.helpInformation();
    expect(help).toMatch(/--port <value> +TCP port .*\(env ANVIL_PORT; default: 6385\)/);
    expect(help).toMatch(/--automated-clean +Clean nodes .*\(env ANVIL_AUTOMATED_CLEAN; default: true\)/);
    expect(help).toMatch(/--no-automated-clean +turn --automated-clean off/);
    expect(help).not.toMatch(/--(automated-clean|insecure-noauth) <value>/);
    const opts = cmd.parse(['--insecure-noauth', '--no-automated-clean', '--port', '7003'], { from: 'user' }).opts();
    expect(configFromOptions(opts)).toMatchObject({ insecureNoauth: true, automatedClean: false, port: 7003 });
    // Neither form given: the environment (or file, or default) decides, not the parser.
    const none = addSettingFlags(new Command('serve')).parse([], { from: 'user' }).opts();
    expect(none.automatedClean).toBeUndefined();
    expect(() => addSettingFlags(new Command('serve').exitOverride().configureOutput({ writeErr: () => {} }))
      .parse(['--automated-clean', 'false'], { from: 'user' })).toThrow(/too many arguments|unknown/i);
  });

  it('reads key material from the environment or from the named file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'anvil-cfg-'));
    writeFileSync(join(dir, 'serve.key'), 'signing-key\n');
    expect(loadConfig({ env: { ANVIL_IMAGE_SERVE_KEY_FILE: join(dir, 'serve.key') } }).imageServeKey).toBe('signing-key');
    expect(loadConfig({ env: { ANVIL_IMAGE_SERVE_KEY: 'from-env' } }).imageServeKey).toBe('from-env');
    expect(() => loadConfig({ env: { ANVIL_ENCRYPTION_KEY_FILE: join(dir, 'missing') } })).toThrow(/encryptionKeyFile .*missing cannot be read/);
  });
});
