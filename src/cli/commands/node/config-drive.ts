// `--config-drive` of `node deploy`/`node rebuild`: the value ironicclient's set_provision_state puts in
// the request — a JSON object (built by the server), a file's contents, or a directory packed into a
// gzipped, base64-encoded ISO 9660 image with the same tools and flags the stock client uses.

import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CliError } from '../../errors.js';
import type { JsonValue } from '../../output/python-repr.js';

const ISO_TOOLS = ['genisoimage', 'mkisofs', 'xorrisofs'] as const;

function run(tool: string, args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string; missing: boolean }> {
  return new Promise((resolve) => {
    execFile(tool, args, { encoding: 'utf8' }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
      resolve({ code, stdout, stderr, missing: (err as NodeJS.ErrnoException | null)?.code === 'ENOENT' });
    });
  });
}

/** ironicclient's make_configdrive: the directory as a `config-2` ISO, gzipped and base64-encoded. */
export async function makeConfigDrive(dir: string): Promise<string> {
  try {
    accessSync(dir, constants.R_OK);
  } catch {
    throw new CliError(`The directory "${dir}" is not readable`);
  }
  const work = mkdtempSync(join(tmpdir(), 'anvil-configdrive-'));
  try {
    const iso = join(work, 'configdrive.iso');
    const args = ['-o', iso, '-ldots', '-allow-lowercase', '-allow-multidot', '-l', '-publisher',
      'ironicclient-configdrive 0.1', '-quiet', '-J', '-r', '-V', 'config-2', dir];
    let result: Awaited<ReturnType<typeof run>> | undefined;
    for (const tool of ISO_TOOLS) {
      result = await run(tool, args);
      if (!result.missing) break;
    }
    if (!result || result.missing) {
      throw new CliError(
        'Error generating the config drive. Make sure the "genisoimage", "mkisofs", or "xorriso" tool is installed. ' +
          'Error: none of genisoimage, mkisofs, xorrisofs was found',
      );
    }
    if (result.code !== 0) {
      throw new CliError(`Error generating the config drive.Stdout: "${result.stdout}". Stderr: ${result.stderr}`);
    }
    return gzipSync(readFileSync(iso)).toString('base64');
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * The `configdrive` value to send, or undefined when the option is absent or empty. A JSON object is
 * sent as an object; a file is sent as its text and a directory packed. http(s) URLs and inline
 * gzipped base64 images are passed through too: the API accepts both, and the help promises the
 * latter, though ironicclient 5.0.1 rejects them as missing paths.
 */
export async function configDriveValue(arg: string | undefined): Promise<JsonValue | undefined> {
  if (!arg) return undefined;
  try {
    const parsed = JSON.parse(arg) as unknown;
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as JsonValue;
  } catch {
    // Not JSON: a path or URL.
  }
  if (existsSync(arg) && statSync(arg).isFile()) {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(readFileSync(arg));
    } catch {
      throw new CliError('Config drive must be a dictionary or a base64 encoded string');
    }
  }
  if (existsSync(arg) && statSync(arg).isDirectory()) return makeConfigDrive(arg);
  if (/^https?:\/\//i.test(arg)) return arg;
  // A gzip stream always base64-encodes to "H4sI…": such a string is the image itself, as the help says.
  if (/^H4sI[A-Za-z0-9+/=\s]*$/.test(arg)) return arg;
  throw new CliError(`Config drive seems to refer to a file or directory but this file/directory does not exist: ${arg}.`);
}
