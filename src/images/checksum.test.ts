// What instance_info may say about an image's checksum, and what is refused at validation time: bad hex,
// unknown algorithms, digests of the wrong length, MD5 when disabled, checksum URLs of other schemes.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { InvalidParameterValueError } from '../common/errors.js';
import { ChecksumMismatchError, checksumPolicy, checksumSpec, digestFromChecksumFile, StreamVerifier, type ChecksumSpec } from './checksum.js';

const MD5_OK = checksumPolicy({ allowMd5Checksum: true });
const NO_MD5 = checksumPolicy({ allowMd5Checksum: false });
const hex = (n: number) => 'ab'.repeat(n / 2);

describe('checksumSpec', () => {
  const accepted: [Record<string, unknown>, ChecksumSpec][] = [
    [{}, { kind: 'none' }],
    [{ image_checksum: '' }, { kind: 'none' }],
    [{ image_checksum: hex(32) }, { kind: 'digest', expected: { algorithm: 'md5', digest: hex(32) } }],
    [{ image_checksum: hex(64).toUpperCase() }, { kind: 'digest', expected: { algorithm: 'sha256', digest: hex(64) } }],
    [{ image_checksum: hex(128) }, { kind: 'digest', expected: { algorithm: 'sha512', digest: hex(128) } }],
    [{ image_checksum: 'https://example.com/SHA256SUMS' }, { kind: 'file', ref: { url: 'https://example.com/SHA256SUMS' } }],
    [{ image_checksum: 'file:///srv/images/SHA256SUMS' }, { kind: 'file', ref: { url: 'file:///srv/images/SHA256SUMS' } }],
    [{ image_os_hash_algo: 'sha384', image_os_hash_value: hex(96) }, { kind: 'digest', expected: { algorithm: 'sha384', digest: hex(96) } }],
    [{ image_os_hash_algo: 'SHA1', image_os_hash_value: hex(40) }, { kind: 'digest', expected: { algorithm: 'sha1', digest: hex(40) } }],
    [{ image_os_hash_algo: 'sha3-256', image_os_hash_value: hex(64) }, { kind: 'digest', expected: { algorithm: 'sha3-256', digest: hex(64) } }],
    [{ image_os_hash_algo: 'sha512', image_os_hash_value: 'http://example.com/SHA512SUMS' }, { kind: 'file', ref: { url: 'http://example.com/SHA512SUMS', algorithm: 'sha512' } }],
    // image_os_hash_* wins over image_checksum, as in Ironic.
    [{ image_checksum: hex(32), image_os_hash_algo: 'sha256', image_os_hash_value: hex(64) }, { kind: 'digest', expected: { algorithm: 'sha256', digest: hex(64) } }],
  ];
  it.each(accepted)('reads %j', (info, want) => {
    expect(checksumSpec(info, MD5_OK)).toEqual(want);
  });

  const refused: [Record<string, unknown>, RegExp][] = [
    [{ image_checksum: 'not-hex!' }, /Image checksum "not-hex!" is not a hexadecimal digest/],
    [{ image_checksum: hex(40) }, /Cannot tell the algorithm of a 40-character checksum; give 32 \(md5\), 64 \(sha256\) or 128 \(sha512\)/],
    [{ image_checksum: 12 }, /image_checksum must be a string/],
    [{ image_checksum: 'ftp://example.com/SHA256SUMS' }, /image_checksum: the checksum file URL scheme "ftp:" is not supported/],
    [{ image_os_hash_algo: 'sha256' }, /must be given together/],
    [{ image_os_hash_algo: 'whirlpool-9000', image_os_hash_value: hex(64) }, /Unsupported checksum algorithm "whirlpool-9000"/],
    [{ image_os_hash_algo: 'sha256', image_os_hash_value: 'zz' }, /image_os_hash_value "zz" is not a hexadecimal digest/],
    [{ image_os_hash_algo: 'sha256', image_os_hash_value: hex(32) }, /image_os_hash_value has 32 hex digits, but sha256 digests have 64/],
    [{ image_os_hash_algo: 'sha512', image_os_hash_value: 'gopher://x/SUMS' }, /image_os_hash_value: the checksum file URL scheme "gopher:"/],
  ];
  it.each(refused)('refuses %j', (info, want) => {
    expect(() => checksumSpec(info, MD5_OK)).toThrow(InvalidParameterValueError);
    expect(() => checksumSpec(info, MD5_OK)).toThrow(want);
  });

  it('refuses MD5 in every form when allowMd5Checksum is off', () => {
    expect(() => checksumSpec({ image_checksum: hex(32) }, NO_MD5)).toThrow(/MD5 image checksums are disabled on this service/);
    expect(() => checksumSpec({ image_os_hash_algo: 'md5', image_os_hash_value: hex(32) }, NO_MD5)).toThrow(/MD5 image checksums are disabled/);
    expect(() => digestFromChecksumFile(`${hex(32)}  a.img\n`, 'a.img', NO_MD5)).toThrow(/MD5 image checksums are disabled/);
    expect(checksumSpec({ image_checksum: hex(64) }, NO_MD5).kind).toBe('digest');
  });
});

describe('digestFromChecksumFile', () => {
  const sums = [`${hex(64)}  other.img`, `${'cd'.repeat(32)} *images/a.img`, '# comment', ''].join('\n');
  it('picks the line of the image by its last path segment', () => {
    expect(digestFromChecksumFile(sums, 'a.img', MD5_OK)).toEqual({ algorithm: 'sha256', digest: 'cd'.repeat(32) });
    expect(digestFromChecksumFile(`${hex(128)}\n`, 'whatever.img', MD5_OK)).toEqual({ algorithm: 'sha512', digest: hex(128) });
    expect(() => digestFromChecksumFile(sums, 'missing.img', MD5_OK)).toThrow(/no entry for missing\.img/);
  });

  it('checks the entry against a declared algorithm', () => {
    expect(() => digestFromChecksumFile(sums, 'a.img', MD5_OK, 'sha512')).toThrow(/entry for a\.img has 64 hex digits, but sha512 digests have 128/);
  });
});

describe('StreamVerifier', () => {
  it('names algorithm, expected and actual digest on a mismatch', () => {
    const good = createHash('sha256').update('abc').digest('hex');
    const v = new StreamVerifier({ algorithm: 'sha256', digest: good });
    v.update(Buffer.from('abc'));
    expect(v.verify('http://x/a.img')).toBe(good);
    const bad = new StreamVerifier({ algorithm: 'sha256', digest: hex(64) });
    bad.update(Buffer.from('abc'));
    expect(() => bad.verify('http://x/a.img')).toThrow(ChecksumMismatchError);
    expect(() => new StreamVerifier({ algorithm: 'sha256', digest: hex(64) }).verify('a')).toThrow(`sha256 checksum mismatch for a: expected ${hex(64)}, got `);
  });
});
