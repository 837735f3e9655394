// Turns a checksum spec into the digest to verify against, fetching checksum files (image_checksum given as
// a URL) when needed. They are small and asked for by every node deploying the image at once, so each file is
// fetched once and kept for a minute — long enough for a burst of deploys, short enough to see an update.
import { InvalidParameterValueError } from '../common/errors.js';
import { digestFromChecksumFile, type ChecksumPolicy, type ChecksumSpec, type ExpectedChecksum } from './checksum.js';
import { fetchText, type DownloadSettings } from './download.js';
import { openFileSource, parseImageSource, type FileRootsConfig } from './image-source.js';

const KEEP_MS = 60_000;
const MAX_CHECKSUM_FILE_BYTES = 1 << 20;

/** The image's file name as checksum files list it: the last path segment of its URL, decoded. */
export function imageFileName(url: string): string {
  const last = new URL(url).pathname.split('/').pop() ?? '';
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
}

export class ChecksumResolver {
  readonly #texts = new Map<string, { at: number; text: Promise<string> }>();

  constructor(
    private readonly download: DownloadSettings,
    private readonly fileRoots: FileRootsConfig,
    private readonly policy: ChecksumPolicy,
  ) {}

  /** The digest the image at `imageUrl` must have, or null when none was given. */
  async expected(spec: ChecksumSpec | undefined, imageUrl: string): Promise<ExpectedChecksum | null> {
    if (!spec || spec.kind === 'none') return null;
    if (spec.kind === 'digest') return spec.expected;
    const text = await this.#text(spec.ref.url);
    return digestFromChecksumFile(text, imageFileName(imageUrl), this.policy, spec.ref.algorithm);
  }

  #text(url: string): Promise<string> {
    const now = Date.now();
    for (const [key, entry] of this.#texts) if (now - entry.at > KEEP_MS) this.#texts.delete(key);
    const kept = this.#texts.get(url);
    if (kept) return kept.text;
    const text = this.#fetch(url);
    this.#texts.set(url, { at: now, text });
    // A failed fetch is not kept: the next request tries again.
    text.catch(() => this.#texts.delete(url));
    return text;
  }

  async #fetch(url: string): Promise<string> {
    const source = parseImageSource(url, 'image checksum URL');
    if (source.kind === 'http') return fetchText(source.url, this.download, MAX_CHECKSUM_FILE_BYTES);
    const opened = await openFileSource(source.path, this.fileRoots, 'image checksum file');
    try {
      if (opened.size > MAX_CHECKSUM_FILE_BYTES) {
        throw new InvalidParameterValueError(`image checksum file ${opened.path} is larger than ${MAX_CHECKSUM_FILE_BYTES} bytes; is it really a checksum file?`);
      }
      return await opened.handle.readFile('utf8');
    } finally {
      await opened.handle.close();
    }
  }
}
