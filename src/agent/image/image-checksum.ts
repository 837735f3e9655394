// The digest an image must have, from `image_info` as Ironic sends it: `os_hash_algo` + `os_hash_value`
// win over the legacy `checksum` (algorithm from its length: 32 md5, 64 sha256, 128 sha512); either value
// may instead be the URL of a checksum file (sha256sum format). MD5 follows the lookup's
// `agent_md5_checksum_enable`. The parsing rules are the service's (src/images/checksum.ts), shared.
import { algorithmForDigest, digestFromChecksumFile, supportedAlgorithm, type ExpectedChecksum } from '../../images/checksum.js';
import { InvalidCommandParamsError } from '../errors.js';
import { fetchBuffer, type FetchSettings } from './fetch.js';

const isUrl = (v: string) => /^https?:\/\//i.test(v);

/** Rejects image_info that cannot be verified (IPA's validator). @throws InvalidCommandParamsError */
export function validateImageInfo(info: unknown, md5Allowed: boolean): asserts info is Record<string, unknown> {
  if (!info || typeof info !== 'object' || Array.isArray(info)) throw new InvalidCommandParamsError('image_info must be an object.');
  const i = info as Record<string, unknown>;
  for (const f of ['id', 'urls']) if (!(f in i)) throw new InvalidCommandParamsError(`Image is missing '${f}' field.`);
  if (!Array.isArray(i.urls) || !i.urls.length || !i.urls.every((u) => typeof u === 'string')) {
    throw new InvalidCommandParamsError("Image 'urls' must be a list with at least one element.");
  }
  const algo = i.os_hash_algo;
  const value = i.os_hash_value;
  if (algo || value) {
    if (typeof algo !== 'string' || !algo) throw new InvalidCommandParamsError("Image 'os_hash_algo' must be a non-empty string.");
    if (typeof value !== 'string' || !value) throw new InvalidCommandParamsError("Image 'os_hash_value' must be a non-empty string.");
    if (!supportedAlgorithm(algo)) throw new InvalidCommandParamsError(`Image 'os_hash_algo' ${algo} is not a hash algorithm this agent knows.`);
    if (algo.toLowerCase() === 'md5' && !md5Allowed) throw new InvalidCommandParamsError('MD5 support is disabled by the conductor (agent_md5_checksum_enable).');
    return;
  }
  const checksum = i.checksum;
  if (checksum !== undefined && checksum !== null) {
    if (typeof checksum !== 'string' || !checksum) throw new InvalidCommandParamsError("Image 'checksum' must be a non-empty string.");
    if (isUrl(checksum) || checksum.length > 32 || md5Allowed) return;
  }
  throw new InvalidCommandParamsError("Image checksum is not available, either the 'checksum' field or the 'os_hash_algo' and 'os_hash_value' fields pair must be set for image verification.");
}

function fileNameOf(url: string): string {
  try {
    return new URL(url).pathname.split('/').pop() ?? '';
  } catch {
    return '';
  }
}

/** The expected digest, fetching a checksum file if the value is a URL. @throws Error with a clear message */
export async function expectedChecksum(i: Record<string, unknown>, md5Allowed: boolean, fetch: FetchSettings): Promise<ExpectedChecksum> {
  const policy = { allowMd5: md5Allowed };
  const imageName = fileNameOf(String((i.urls as string[])[0]));
  const fromFile = async (url: string, algorithm?: string) => {
    const text = (await fetchBuffer(url, fetch, 1 << 20)).toString('utf8');
    return digestFromChecksumFile(text, imageName, policy, algorithm);
  };
  if (typeof i.os_hash_algo === 'string' && typeof i.os_hash_value === 'string' && i.os_hash_algo && i.os_hash_value) {
    const algorithm = supportedAlgorithm(i.os_hash_algo)!;
    if (isUrl(i.os_hash_value)) return fromFile(i.os_hash_value, algorithm);
    return { algorithm, digest: i.os_hash_value.trim().toLowerCase() };
  }
  const checksum = String(i.checksum);
  if (isUrl(checksum)) return fromFile(checksum);
  return { algorithm: algorithmForDigest(checksum, policy), digest: checksum.trim().toLowerCase() };
}
