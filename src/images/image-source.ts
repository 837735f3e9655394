// Image references as users give them: http(s):// and file:// URLs in instance_info and driver_info, parsed
// and checked before anything is fetched. A file:// image is confined to the configured roots
// (fileUrlAllowedPaths) after symlinks and `..` are resolved, and never reaches devices or the host's own
// configuration (Ironic's file_url_allowed_paths and its hard-coded deny list).
import { constants, type Stats } from 'node:fs';
import { access, open, readlink, realpath, stat, type FileHandle } from 'node:fs/promises';
import { isAbsolute, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FORBIDDEN_FILE_ROOTS, isWithin, type Config } from '../common/config.js';
import { InvalidParameterValueError } from '../common/errors.js';

export type ImageSource =
  | { readonly kind: 'http'; readonly url: string }
  | { readonly kind: 'file'; readonly path: string };

/** The fields that hold image URLs, by the node field they live in. */
export const IMAGE_URL_FIELDS = {
  instanceInfo: ['image_source', 'kernel', 'ramdisk'],
  driverInfo: ['deploy_kernel', 'deploy_ramdisk', 'rescue_kernel', 'rescue_ramdisk'],
} as const;

export type FileRootsConfig = Pick<Config, 'fileUrlAllowedPaths'>;

const ACCEPTED = 'an http://, https:// or file:/// URL';

/** The value as shown in messages: credentials in a URL are masked and very long values shortened. */
function shown(value: string): string {
  const masked = value.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/i, '$1***@');
  return JSON.stringify(masked.length > 200 ? `${masked.slice(0, 200)}…` : masked);
}

function refuse(field: string, reason: string): never {
  throw new InvalidParameterValueError(`${field}: ${reason}`);
}

/** The forbidden directory `path` lies in, if any (lexically: callers pass normalised or real paths). */
function forbiddenRoot(path: string): string | undefined {
  return FORBIDDEN_FILE_ROOTS.find((f) => isWithin(path, f));
}

/**
 * Parses an image reference. Syntax only, no file system access: safe to call anywhere.
 * @throws InvalidParameterValueError naming `field` and the accepted forms.
 */
export function parseImageSource(value: unknown, field: string): ImageSource {
  if (typeof value !== 'string' || value === '') refuse(field, `must be ${ACCEPTED}, got ${JSON.stringify(value ?? null)}`);
  // The URL parser silently strips surrounding blanks; a value with them was not meant as typed.
  if (value.trim() !== value || /[\0\r\n\t]/.test(value)) refuse(field, `${shown(value)} contains blanks or control characters; give ${ACCEPTED}`);
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(value)?.[1]?.toLowerCase();
  if (!scheme) {
    const hint = value.startsWith('/') ? `; write it as file://${value}` : '';
    refuse(field, `${shown(value)} is a bare path, not a URL; give ${ACCEPTED}${hint}`);
  }
  if (!['http', 'https', 'file'].includes(scheme)) refuse(field, `the URL scheme "${scheme}:" of ${shown(value)} is not supported; give ${ACCEPTED}`);
  // WHATWG parsing would accept `http:host/x` and `file:/x`; insist on the written forms people expect.
  if (!/^[a-z]+:\/\//i.test(value)) refuse(field, `${shown(value)} is not a well-formed URL; give ${ACCEPTED}`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    refuse(field, `${shown(value)} is not a well-formed URL; give ${ACCEPTED}`);
  }
  if (scheme !== 'file') {
    if (!url.hostname) refuse(field, `${shown(value)} names no host`);
    return { kind: 'http', url: url.href };
  }
  if (url.hostname !== '' && url.hostname !== 'localhost') {
    refuse(field, `${shown(value)} names the host "${url.hostname}"; file:// images must be local paths (file:///path); put shared images on storage every conductor mounts`);
  }
  if (url.search || url.hash) refuse(field, `${shown(value)} has a query or fragment, which a file:// image cannot have`);
  let path: string;
  try {
    // Decodes %XX; dot segments were already resolved by the URL parser, so `..` cannot survive here.
    path = fileURLToPath(url);
  } catch (err) {
    refuse(field, `${shown(value)} is not a usable file path (${(err as Error).message})`);
  }
  if (path.includes('\0')) refuse(field, `${shown(value)} contains a NUL character`);
  const bad = forbiddenRoot(path);
  if (bad) refuse(field, `${shown(value)} is under ${bad}, where file:// images may never come from`);
  return { kind: 'file', path };
}

interface Root {
  readonly configured: string;
  /** The root with its symlinks resolved; null while the directory does not exist. */
  readonly real: string | null;
}

async function roots(config: FileRootsConfig): Promise<Root[]> {
  return Promise.all(config.fileUrlAllowedPaths.map(async (configured) => ({ configured, real: await realpath(configured).catch(() => null) })));
}

const NOT_REGULAR: readonly [keyof Stats, string][] = [
  ['isDirectory', 'a directory'], ['isCharacterDevice', 'a character device'], ['isBlockDevice', 'a block device'],
  ['isFIFO', 'a FIFO'], ['isSocket', 'a socket'],
];

function checkReal(real: string, rs: readonly Root[], field: string, path: string): void {
  const bad = forbiddenRoot(real);
  if (bad) refuse(field, `${path} resolves to ${real}, under ${bad}, where file:// images may never come from`);
  if (!rs.some((r) => r.real !== null && isWithin(real, r.real))) {
    refuse(field, `${path} resolves to ${real}, outside the directories allowed for file:// images (${rs.map((r) => r.configured).join(', ')})`);
  }
}

/**
 * Resolves a file:// image path to its real path and checks it: inside an allowed root after symlinks and
 * `..` are resolved, never in a forbidden directory, a readable regular file.
 * @returns the real path, which callers should open (not the path they were given).
 * @throws InvalidParameterValueError naming `field` and the problem.
 */
export async function resolveFileSource(given: string, config: FileRootsConfig, field = 'file:// image'): Promise<string> {
  if (!isAbsolute(given)) refuse(field, `${JSON.stringify(given)} is not an absolute path`);
  // Lexical `..` first (URLs arrive normalised, direct callers may not); symlinks are resolved below.
  const path = normalize(given);
  const bad = forbiddenRoot(path);
  if (bad) refuse(field, `${path} is under ${bad}, where file:// images may never come from`);
  const rs = await roots(config);
  // Lexical check first, so that paths outside every root are refused without learning whether they exist.
  if (!rs.some((r) => isWithin(path, r.configured) || (r.real !== null && isWithin(path, r.real)))) {
    refuse(field, `${path} is not inside a directory allowed for file:// images (${rs.map((r) => r.configured).join(', ')}; setting fileUrlAllowedPaths)`);
  }
  let real: string;
  try {
    real = await realpath(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') refuse(field, `${path} does not exist`);
    if (code === 'EACCES') refuse(field, `${path} cannot be read by the service (permission denied)`);
    if (code === 'ELOOP') refuse(field, `${path} is a symlink loop`);
    throw err;
  }
  checkReal(real, rs, field, path);
  const st = await stat(real);
  if (!st.isFile()) {
    const kind = NOT_REGULAR.find(([m]) => (st[m] as () => boolean).call(st))?.[1] ?? 'not a regular file';
    refuse(field, `${path} is ${kind}; a file:// image must be a regular file`);
  }
  try {
    await access(real, constants.R_OK);
  } catch {
    refuse(field, `${path} cannot be read by the service (permission denied)`);
  }
  return real;
}

/** Checks an image URL field: syntax, and for file:// the checks of resolveFileSource. */
export async function checkImageSource(value: unknown, field: string, config: FileRootsConfig): Promise<ImageSource> {
  const source = parseImageSource(value, field);
  if (source.kind === 'file') await resolveFileSource(source.path, config, field);
  return source;
}

export interface OpenedFileSource {
  readonly handle: FileHandle;
  /** Real path of the opened file. */
  readonly path: string;
  readonly size: number;
  readonly mtimeMs: number;
}

/**
 * Opens a file:// image for reading after resolveFileSource's checks, and re-checks what was actually
 * opened: a directory inside a root swapped for a symlink between the check and the open must not let the
 * read escape. The caller closes the handle.
 */
export async function openFileSource(path: string, config: FileRootsConfig, field = 'file:// image'): Promise<OpenedFileSource> {
  const real = await resolveFileSource(path, config, field);
  // O_NONBLOCK: a FIFO swapped in after the check would otherwise block the open until a writer appears.
  const handle = await open(real, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    const st = await handle.stat();
    if (!st.isFile()) refuse(field, `${path} changed while being opened and is no longer a regular file`);
    // Linux names the file behind a descriptor; elsewhere compare with a fresh stat of the checked path.
    const opened = await readlink(`/proc/self/fd/${handle.fd}`).catch(() => null);
    if (opened !== null) {
      checkReal(opened, await roots(config), field, path);
    } else {
      const again = await stat(real);
      if (again.ino !== st.ino || again.dev !== st.dev) refuse(field, `${path} changed while being opened`);
    }
    return { handle, path: opened ?? real, size: st.size, mtimeMs: st.mtimeMs };
  } catch (err) {
    await handle.close();
    throw err;
  }
}
