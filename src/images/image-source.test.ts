// Image URL parsing and the file:// confinement: schemes, bare paths, forbidden directories, allowed roots,
// symlink and `..` escapes, non-regular files, and roots refused by the configuration itself.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, type Config } from '../common/config.js';
import { InvalidParameterValueError } from '../common/errors.js';
import { openFileSource, parseImageSource, resolveFileSource } from './image-source.js';

const F = 'instance_info.image_source';

describe('parseImageSource', () => {
  const accepted: [string, ReturnType<typeof parseImageSource>][] = [
    ['http://example.com/img.qcow2', { kind: 'http', url: 'http://example.com/img.qcow2' }],
    ['HTTPS://Example.COM:8443/a/b.raw?sig=1', { kind: 'http', url: 'https://example.com:8443/a/b.raw?sig=1' }],
    ['http://user:pw@[::1]/x.raw', { kind: 'http', url: 'http://user:pw@[::1]/x.raw' }],
    ['file:///var/lib/anvil/images/a.raw', { kind: 'file', path: '/var/lib/anvil/images/a.raw' }],
    ['file://localhost/srv/images/a.raw', { kind: 'file', path: '/srv/images/a.raw' }],
    ['file:///srv/images/with%20space.raw', { kind: 'file', path: '/srv/images/with space.raw' }],
  ];
  it.each(accepted)('accepts %s', (value, want) => {
    expect(parseImageSource(value, F)).toEqual(want);
  });

  const refused: [unknown, RegExp][] = [
    ['ftp://example.com/a.raw', /^instance_info\.image_source: the URL scheme "ftp:" .* is not supported; give an http:\/\/, https:\/\/ or file:\/\/\/ URL$/],
    ['nfs://server/export/a.raw', /scheme "nfs:"/],
    ['glance://uuid', /scheme "glance:"/],
    ['/var/lib/anvil/images/a.raw', /is a bare path, not a URL; .*write it as file:\/\/\/var\/lib\/anvil\/images\/a\.raw/],
    ['images/a.raw', /is a bare path, not a URL/],
    ['0b2a1c52-2f5c-4f3e-9e0f-0d8f0b1f7a11', /is a bare path/],
    ['', /must be an http:\/\/, https:\/\/ or file:\/\/\/ URL, got ""/],
    [42, /must be an http:\/\/, https:\/\/ or file:\/\/\/ URL, got 42/],
    [null, /got null/],
    [' http://example.com/a', /blanks or control characters/],
    ['http://example.com/a\n', /blanks or control characters/],
    ['http:example.com/a', /not a well-formed URL/],
    ['file:/srv/a.raw', /not a well-formed URL/],
    ['http://', /not a well-formed URL/],
    ['file://fileserver/share/a.raw', /names the host "fileserver"; file:\/\/ images must be local paths/],
    ['file:///srv/a.raw?x=1', /query or fragment/],
    ['file:///etc/shadow', /^instance_info\.image_source: "file:\/\/\/etc\/shadow" is under \/etc, where file:\/\/ images may never come from$/],
    ['file://localhost/etc/shadow', /is under \/etc/],
    ['file:///srv/images/../../etc/shadow', /is under \/etc/],
    ['file:///srv/images/%2e%2e/%2E%2E/etc/passwd', /is under \/etc/],
    ['file:///dev/sda', /is under \/dev/],
    ['file:///proc/self/environ', /is under \/proc/],
    ['file:///sys/firmware/efi', /is under \/sys/],
    ['file:///boot/vmlinuz', /is under \/boot/],
    ['file:///run/secrets/x', /is under \/run/],
    ['file:///srv/a%2fb.raw', /not a usable file path/],
    ['file:///srv/a%00.raw', /NUL/],
  ];
  it.each(refused)('refuses %j', (value, want) => {
    expect(() => parseImageSource(value, F)).toThrow(InvalidParameterValueError);
    expect(() => parseImageSource(value, F)).toThrow(want);
  });

  it('does not repeat credentials of a refused URL', () => {
    expect(() => parseImageSource('ftp://user:hunter2@example.com/a', F)).toThrow(/ftp:\/\/\*\*\*@example\.com/);
    expect(() => parseImageSource('ftp://user:hunter2@example.com/a', F)).not.toThrow(/hunter2/);
  });

  it('keeps /etc, /etc2 and /etcetera apart', () => {
    expect(parseImageSource('file:///etcetera/a.raw', F)).toEqual({ kind: 'file', path: '/etcetera/a.raw' });
  });
});

describe('resolveFileSource', () => {
  let base: string;
  let images: string;
  let shared: string;
  let outside: string;
  let config: Config;

  beforeAll(() => {
    base = mkdtempSync(join(tmpdir(), 'anvil-src-'));
    images = join(base, 'images');
    shared = join(base, 'shared');
    outside = join(base, 'outside');
    for (const d of [images, join(images, 'sub'), shared, outside]) mkdirSync(d, { recursive: true });
    writeFileSync(join(images, 'ok.raw'), 'image bytes');
    writeFileSync(join(images, 'sub', 'deep.raw'), 'deeper');
    writeFileSync(join(shared, 'other.raw'), 'shared bytes');
    writeFileSync(join(outside, 'secret'), 'not for nodes');
    symlinkSync(join(outside, 'secret'), join(images, 'escape.raw'));
    symlinkSync('../outside/secret', join(images, 'relative-escape.raw'));
    symlinkSync(join(outside), join(images, 'linked-dir'));
    symlinkSync('ok.raw', join(images, 'alias.raw'));
    symlinkSync(join(shared, 'other.raw'), join(images, 'to-shared.raw'));
    symlinkSync('/etc/passwd', join(images, 'passwd.raw'));
    symlinkSync('/dev/null', join(images, 'null.raw'));
    symlinkSync('loop2', join(images, 'loop1'));
    symlinkSync('loop1', join(images, 'loop2'));
    execFileSync('mkfifo', [join(images, 'pipe.raw')]);
    // A root given through a symlink: paths may name either the link or its target.
    symlinkSync(shared, join(base, 'shared-link'));
    config = loadConfig({ env: {}, flags: { fileUrlAllowedPaths: [images, join(base, 'shared-link')] } });
  });
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  it('returns the real path of a regular file inside a root', async () => {
    expect(await resolveFileSource(join(images, 'ok.raw'), config)).toBe(join(images, 'ok.raw'));
    expect(await resolveFileSource(join(images, 'sub', 'deep.raw'), config)).toBe(join(images, 'sub', 'deep.raw'));
    expect(await resolveFileSource(join(images, 'alias.raw'), config)).toBe(join(images, 'ok.raw'));
    expect(await resolveFileSource(join(images, 'to-shared.raw'), config)).toBe(join(shared, 'other.raw'));
    expect(await resolveFileSource(join(base, 'shared-link', 'other.raw'), config)).toBe(join(shared, 'other.raw'));
    expect(await resolveFileSource(join(shared, 'other.raw'), config)).toBe(join(shared, 'other.raw'));
  });

  const refusals: [string, (d: { images: string; outside: string }) => string, RegExp][] = [
    ['a symlink out of the root', (d) => join(d.images, 'escape.raw'), /escape\.raw resolves to .*\/outside\/secret, outside the directories allowed for file:\/\/ images/],
    ['a relative symlink out of the root', (d) => join(d.images, 'relative-escape.raw'), /resolves to .*\/outside\/secret, outside/],
    ['a file through a symlinked directory', (d) => join(d.images, 'linked-dir', 'secret'), /resolves to .*\/outside\/secret, outside/],
    ['a symlink to /etc/passwd', (d) => join(d.images, 'passwd.raw'), /resolves to \/etc\/passwd, under \/etc, where file:\/\/ images may never come from/],
    ['a symlink to a device', (d) => join(d.images, 'null.raw'), /resolves to \/dev\/null, under \/dev/],
    ['a `..` escape', (d) => `${d.images}/../outside/secret`, /\/outside\/secret is not inside a directory allowed for file:\/\/ images \(.*; setting fileUrlAllowedPaths\)/],
    ['a path outside every root, existing or not', (d) => join(d.outside, 'secret'), /is not inside a directory allowed/],
    ['/etc/shadow', () => '/etc/shadow', /^instance_info\.image_source: \/etc\/shadow is under \/etc, where file:\/\/ images may never come from$/],
    ['a missing file', (d) => join(d.images, 'missing.raw'), /missing\.raw does not exist$/],
    ['a directory', (d) => join(d.images, 'sub'), /sub is a directory; a file:\/\/ image must be a regular file/],
    ['a FIFO', (d) => join(d.images, 'pipe.raw'), /pipe\.raw is a FIFO; a file:\/\/ image must be a regular file/],
    ['a symlink loop', (d) => join(d.images, 'loop1'), /is a symlink loop/],
    ['a relative path', () => 'images/ok.raw', /is not an absolute path/],
  ];
  it.each(refusals)('refuses %s', async (_label, path, want) => {
    await expect(resolveFileSource(path({ images, outside }), config, F)).rejects.toThrow(want);
  });

  it('refuses /dev/null even when a hand-built configuration allows /dev', async () => {
    await expect(resolveFileSource('/dev/null', { fileUrlAllowedPaths: ['/dev'] })).rejects.toThrow(/\/dev\/null is under \/dev/);
  });

  it('opens the checked file and re-checks what it opened', async () => {
    const opened = await openFileSource(join(images, 'alias.raw'), config);
    try {
      expect(opened.path).toBe(join(images, 'ok.raw'));
      expect(opened.size).toBe('image bytes'.length);
      expect((await opened.handle.readFile()).toString()).toBe('image bytes');
    } finally {
      await opened.handle.close();
    }
    await expect(openFileSource(join(images, 'escape.raw'), config)).rejects.toThrow(/outside/);
  });
});

describe('fileUrlAllowedPaths configuration', () => {
  it('defaults to the images directory under stateDir', () => {
    expect(loadConfig({ env: {}, flags: { stateDir: '/srv/anvil' } }).fileUrlAllowedPaths).toEqual(['/srv/anvil/images']);
  });

  it('resolves relative roots from the working directory', () => {
    expect(loadConfig({ env: { ANVIL_FILE_URL_ALLOWED_PATHS: 'a/b,/srv/x' } }).fileUrlAllowedPaths).toEqual([join(process.cwd(), 'a/b'), '/srv/x']);
  });

  const bad: [string, RegExp][] = [
    ['/dev', /fileUrlAllowedPaths entry \/dev is not allowed: file:\/\/ images may never come from \/dev, \/sys, \/proc, \/boot, \/etc, \/run/],
    ['/etc/anvil', /entry \/etc\/anvil is not allowed.*\(\/etc\)/],
    ['/proc/1', /\(\/proc\)/],
    ['/run', /\(\/run\)/],
    ['/', /entry \/ is not allowed: .* or a directory containing them/],
    ['/srv/../etc', /entry \/srv\/\.\.\/etc \(\/etc\) is not allowed/],
  ];
  it.each(bad)('refuses %s at start-up', (root, want) => {
    expect(() => loadConfig({ env: {}, flags: { fileUrlAllowedPaths: ['/srv/images', root] } })).toThrow(ConfigError);
    expect(() => loadConfig({ env: {}, flags: { fileUrlAllowedPaths: ['/srv/images', root] } })).toThrow(want);
  });

  it('refuses a root that is a symlink into a forbidden directory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'anvil-root-'));
    try {
      symlinkSync('/etc', join(dir, 'innocent'));
      expect(() => loadConfig({ env: {}, flags: { fileUrlAllowedPaths: [join(dir, 'innocent')] } })).toThrow(/innocent \(\/etc\) is not allowed/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
