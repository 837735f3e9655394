// A config drive given as JSON (API 1.56: `{"meta_data": …, "network_data": …, "user_data": …,
// "vendor_data": …}`) becomes what agents take, as Ironic's conductor does: an ISO 9660 volume labelled
// `config-2` holding openstack/latest/{meta_data.json, network_data.json, user_data, vendor_data2.json},
// gzipped and base64-encoded. The ISO is made by Debian's genisoimage (Rock Ridge and Joliet, as cloud-init
// reads them); meta_data gets the node's UUID and name unless it names them itself.
import { mkdtemp, mkdir, rm, writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { InvalidParameterValueError } from '../common/errors.js';
import { genisoimage } from './iso.js';

export interface ConfigDriveNode {
  readonly uuid: string;
  readonly name: string | null;
}

const isDict = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const KNOWN_KEYS = ['meta_data', 'network_data', 'user_data', 'vendor_data'];

/** A JSON config drive's shape, as Ironic's API schema allows it. @throws InvalidParameterValueError */
export function checkConfigDrive(drive: Record<string, unknown>): void {
  const unknown = Object.keys(drive).filter((k) => !KNOWN_KEYS.includes(k));
  if (unknown.length) throw new InvalidParameterValueError(`Unknown config drive keys: ${unknown.join(', ')} (known: ${KNOWN_KEYS.join(', ')})`);
  for (const k of ['meta_data', 'network_data', 'vendor_data']) {
    if (drive[k] !== undefined && drive[k] !== null && !isDict(drive[k])) throw new InvalidParameterValueError(`Config drive ${k} must be a JSON object`);
  }
}

function files(node: ConfigDriveNode, drive: Record<string, unknown>): Map<string, string> {
  checkConfigDrive(drive);
  const meta = { uuid: node.uuid, ...(node.name ? { name: node.name } : {}), ...((drive.meta_data as Record<string, unknown> | undefined) ?? {}) };
  const out = new Map<string, string>([['meta_data.json', JSON.stringify(meta)]]);
  if (isDict(drive.network_data)) out.set('network_data.json', JSON.stringify(drive.network_data));
  if (isDict(drive.vendor_data)) out.set('vendor_data2.json', JSON.stringify(drive.vendor_data));
  const user = drive.user_data;
  // A string is passed as it is (cloud-config, a script); anything else is JSON, as Ironic writes it.
  if (user !== undefined && user !== null) out.set('user_data', typeof user === 'string' ? user : JSON.stringify(user));
  return out;
}

/** Base64 of the gzipped config-2 ISO. @throws InvalidParameterValueError for a malformed drive. */
export async function buildConfigDrive(node: ConfigDriveNode, drive: Record<string, unknown>): Promise<string> {
  const content = files(node, drive);
  const dir = await mkdtemp(join(tmpdir(), 'anvil-configdrive-'));
  try {
    const latest = join(dir, 'root', 'openstack', 'latest');
    await mkdir(latest, { recursive: true });
    for (const [name, text] of content) await writeFile(join(latest, name), text, { mode: 0o600 });
    const iso = join(dir, 'configdrive.iso');
    await genisoimage(['-quiet', '-o', iso, '-ldots', '-allow-lowercase', '-allow-multidot', '-l', '-publisher', 'Anvil',
      '-J', '-r', '-V', 'config-2', join(dir, 'root')], 'the config drive');
    return gzipSync(await readFile(iso)).toString('base64');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** What to hand the agent for a node's instance_info.configdrive: strings as they are, JSON built into an ISO. */
export async function configDriveForAgent(node: ConfigDriveNode, value: unknown): Promise<string | null> {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value === 'string') return value;
  if (isDict(value)) return buildConfigDrive(node, value);
  throw new InvalidParameterValueError('The config drive must be a base64-encoded gzipped ISO, a URL, or a JSON object.');
}
