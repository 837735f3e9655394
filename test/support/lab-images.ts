// Images for lab deploy tests: a small whole-disk image (a GPT with one partition and recognisable bytes)
// and the instance_info that deploys it from a file:// URL with its SHA-256. Free of vitest imports.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Lab, LabVm } from './lab.js';

const MIB = 2 ** 20;

/** Writes `<dir>/disk.raw`: 1 MiB of partition table space, then `bodyMiB` MiB of `fill`, with one GPT partition. */
export function gptDiskImage(dir: string, bodyMiB: number, fill: number): { file: string; bytes: Buffer } {
  const file = join(dir, 'disk.raw');
  writeFileSync(file, Buffer.concat([Buffer.alloc(MIB), Buffer.alloc(bodyMiB * MIB, fill)]));
  execFileSync('sgdisk', ['-n', '1:2048:0', '-c', '1:root', file], { stdio: 'ignore' });
  return { file, bytes: readFileSync(file) };
}

/** PATCHes the node's instance_info to deploy `file` (checked by SHA-256); throws unless 200. */
export async function setFileImage(lab: Lab, vm: LabVm, file: string): Promise<void> {
  const sha256 = createHash('sha256').update(readFileSync(file)).digest('hex');
  const patch = await lab.api!.request('PATCH', `/v1/nodes/${vm.uuid}`, [
    { op: 'add', path: '/instance_info/image_source', value: pathToFileURL(file).href },
    { op: 'add', path: '/instance_info/image_os_hash_algo', value: 'sha256' },
    { op: 'add', path: '/instance_info/image_os_hash_value', value: sha256 },
  ]) as { status: number; body: unknown };
  if (patch.status !== 200) throw new Error(`setting the image failed: HTTP ${patch.status} ${JSON.stringify(patch.body)}`);
}
