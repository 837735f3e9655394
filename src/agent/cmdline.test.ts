import { describe, expect, it } from 'vitest';
import { flag, parseBootif, parseCmdline } from './cmdline.js';

describe('parseCmdline', () => {
  it.each([
    ['BOOT_IMAGE=/vmlinuz ipa-api-url=http://10.0.0.1:6385 quiet', 'ipa-api-url', 'http://10.0.0.1:6385'],
    ['a=1 ipa-api-url="http://x:1" b', 'ipa-api-url', 'http://x:1'],
    ['foo="a b c" x', 'foo', 'a b c'],
    ['ipa-debug=1 ipa-debug=0', 'ipa-debug', '0'],
    ['nomodeset', 'nomodeset', ''],
    ['root=UUID=abc', 'root', 'UUID=abc'],
  ])('%s → %s=%s', (line, key, value) => {
    expect(parseCmdline(line).get(key)).toBe(value);
  });
  it('ignores surrounding whitespace and newlines', () => {
    expect([...parseCmdline('  a=1\n b=2 \n').keys()]).toEqual(['a', 'b']);
  });
});

describe('parseBootif', () => {
  it.each([
    ['01-52-54-00-12-34-56', '52:54:00:12:34:56'],
    ['52-54-00-AB-34-56', '52:54:00:ab:34:56'],
    ['52:54:00:12:34:56', '52:54:00:12:34:56'],
    ['01-52-54-00-12', null],
    ['garbage', null],
    [undefined, null],
  ])('%s → %s', (input, want) => {
    expect(parseBootif(input)).toBe(want);
  });
});

describe('flag', () => {
  const p = parseCmdline('a=1 b=0 c=True d e=off');
  it.each([['a', true], ['b', false], ['c', true], ['d', true], ['e', false], ['z', undefined]])('%s', (k, want) => {
    expect(flag(p, k)).toBe(want);
  });
});
