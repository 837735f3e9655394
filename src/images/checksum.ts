// Expected image digests: from instance_info (`image_checksum` as a bare digest or as the URL of a checksum
// file, or `image_os_hash_algo` + `image_os_hash_value`), and the hasher that checks them while the bytes
// stream past — the image is never read a second time to verify it.
import { createHash, getHashes, type Hash } from 'node:crypto';
import type { Config } from '../common/config.js';
import { InvalidParameterValueError } from '../common/errors.js';

export interface ExpectedChecksum {
  /** Node crypto algorithm name, lower case (md5, sha256, sha512, sha3-256, …). */
  readonly algorithm: string;
  readonly digest: string;
}

/** A checksum still to be fetched from a checksum file (sha256sum format) next to the image. */
export interface ChecksumFileRef {
  readonly url: string;
  /** Algorithm implied by the file, when known from `image_os_hash_algo`; otherwise from the digest length. */
  readonly algorithm?: string;
}

export type ChecksumSpec = { kind: 'digest'; expected: ExpectedChecksum } | { kind: 'file'; ref: ChecksumFileRef } | { kind: 'none' };

const BY_LENGTH: Record<number, string> = { 32: 'md5', 64: 'sha256', 128: 'sha512' };

export interface ChecksumPolicy {
  /** Ironic's [agent]allow_md5_checksum: MD5 stays accepted by default for old deployments. */
  readonly allowMd5: boolean;
}

/** The policy a service configuration sets. */
export function checksumPolicy(config: Pick<Config, 'allowMd5Checksum'>): ChecksumPolicy {
  return { allowMd5: config.allowMd5Checksum };
}

export function supportedAlgorithm(name: string): string | null {
  const n = name.trim().toLowerCase();
  return getHashes().includes(n) ? n : null;
}

function checkAlgorithm(algorithm: string, policy: ChecksumPolicy): string {
  const algo = supportedAlgorithm(algorithm);
  if (!algo) throw new InvalidParameterValueError(`Unsupported checksum algorithm "${algorithm}"; supported: md5, sha1, sha256, sha384, sha512 and the others of this runtime (${getHashes().length} in all).`);
  if (algo === 'md5' && !policy.allowMd5) throw new InvalidParameterValueError('MD5 image checksums are disabled on this service; give a SHA-256 or SHA-512 checksum.');
  return algo;
}

/** Algorithm of a bare hex digest, from its length. */
export function algorithmForDigest(digest: string, policy: ChecksumPolicy): string {
  const d = digest.trim();
  if (!/^[0-9a-fA-F]+$/.test(d)) throw new InvalidParameterValueError(`Image checksum "${d}" is not a hexadecimal digest.`);
  const algo = BY_LENGTH[d.length];
  if (!algo) throw new InvalidParameterValueError(`Cannot tell the algorithm of a ${d.length}-character checksum; give 32 (md5), 64 (sha256) or 128 (sha512) hex digits, or image_os_hash_algo and image_os_hash_value.`);
  return checkAlgorithm(algo, policy);
}

/**
 * True for the URL of a checksum file. Any other `scheme://` is refused here with a message about the
 * scheme, instead of later as "not a hexadecimal digest".
 */
function isChecksumUrl(value: string, field: string): boolean {
  if (/^(https?|file):\/\//i.test(value)) return true;
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(value)?.[1];
  if (scheme) throw new InvalidParameterValueError(`${field}: the checksum file URL scheme "${scheme}:" is not supported; give a hex digest or an http://, https:// or file:/// URL.`);
  return false;
}

/** A digest of the wrong length can never match: refuse it now rather than after a download. */
function checkDigestLength(digest: string, algorithm: string, what: string): void {
  // Extendable-output functions (shake*) have no fixed length.
  if (algorithm.startsWith('shake')) return;
  const want = createHash(algorithm).digest().length * 2;
  if (digest.length !== want) {
    throw new InvalidParameterValueError(`${what} has ${digest.length} hex digits, but ${algorithm} digests have ${want}.`);
  }
}

/** Reads what instance_info says about the image's checksum. `image_os_hash_*` wins over `image_checksum`. */
export function checksumSpec(info: Record<string, unknown>, policy: ChecksumPolicy): ChecksumSpec {
  const algo = info.image_os_hash_algo;
  const value = info.image_os_hash_value;
  if (algo !== undefined || value !== undefined) {
    if (typeof algo !== 'string' || typeof value !== 'string' || !algo || !value) {
      throw new InvalidParameterValueError('image_os_hash_algo and image_os_hash_value must be given together as strings.');
    }
    const algorithm = checkAlgorithm(algo, policy);
    if (isChecksumUrl(value, 'image_os_hash_value')) return { kind: 'file', ref: { url: value, algorithm } };
    if (!/^[0-9a-fA-F]+$/.test(value)) throw new InvalidParameterValueError(`image_os_hash_value "${value}" is not a hexadecimal digest.`);
    checkDigestLength(value, algorithm, 'image_os_hash_value');
    return { kind: 'digest', expected: { algorithm, digest: value.toLowerCase() } };
  }
  const checksum = info.image_checksum;
  if (checksum === undefined || checksum === null || checksum === '') return { kind: 'none' };
  if (typeof checksum !== 'string') throw new InvalidParameterValueError('image_checksum must be a string.');
  if (isChecksumUrl(checksum, 'image_checksum')) return { kind: 'file', ref: { url: checksum } };
  return { kind: 'digest', expected: { algorithm: algorithmForDigest(checksum, policy), digest: checksum.trim().toLowerCase() } };
}

/**
 * Picks the digest for `fileName` out of a checksum file in `sha256sum` format (`<hex>  <name>` or
 * `<hex> *<name>` per line; a file with a single bare digest also counts). Paths in the file are compared by
 * their last segment.
 */
export function digestFromChecksumFile(text: string, fileName: string, policy: ChecksumPolicy, algorithm?: string): ExpectedChecksum {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const bare = lines.length === 1 && /^[0-9a-fA-F]+$/.test(lines[0]!) ? lines[0]! : null;
  let digest = bare;
  if (!digest) {
    for (const line of lines) {
      const m = /^([0-9a-fA-F]+)\s+\*?(.+)$/.exec(line);
      if (m && m[2]!.trim().split('/').pop() === fileName) {
        digest = m[1]!;
        break;
      }
    }
  }
  if (!digest) throw new InvalidParameterValueError(`The checksum file has no entry for ${fileName}.`);
  if (!algorithm) return { algorithm: algorithmForDigest(digest, policy), digest: digest.toLowerCase() };
  const algo = checkAlgorithm(algorithm, policy);
  checkDigestLength(digest, algo, `The checksum file's entry for ${fileName}`);
  return { algorithm: algo, digest: digest.toLowerCase() };
}

/** Hashes bytes as they pass; `verify()` throws a message naming algorithm, expected and actual digests. */
export class StreamVerifier {
  readonly #hash: Hash;

  constructor(readonly expected: ExpectedChecksum) {
    this.#hash = createHash(expected.algorithm);
  }

  update(chunk: Buffer): void {
    this.#hash.update(chunk);
  }

  /** @returns the actual digest. @throws ChecksumMismatchError */
  verify(what: string): string {
    const actual = this.#hash.digest('hex');
    if (actual !== this.expected.digest) throw new ChecksumMismatchError(what, this.expected, actual);
    return actual;
  }
}

export class ChecksumMismatchError extends Error {
  constructor(readonly what: string, readonly expected: ExpectedChecksum, readonly actual: string) {
    super(`${expected.algorithm} checksum mismatch for ${what}: expected ${expected.digest}, got ${actual}`);
  }
}
