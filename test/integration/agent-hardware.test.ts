// The agent's view of disks on real loop devices (root only): which devices count (explicit list, curated
// device directory, default scope), their facts from sysfs, the partition tables it reads back from what
// sgdisk and sfdisk wrote, and the metadata wipe that makes a disk look blank again.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listBlockDevices } from '../../src/agent/hardware/block-devices.js';
import { diskIdentifier, readPartitionTable } from '../../src/agent/image/partition-table.js';
import { wipeMetadata } from '../../src/agent/image/wipe.js';
import { attachLoop, detachLoop, readBytes } from '../support/loop-devices.js';

const MIB = 2 ** 20;

describe('agent disks on loop devices', () => {
  let dir: string;
  let gptDisk: string;
  let mbrDisk: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'anvil-agent-hw-'));
    gptDisk = attachLoop(join(dir, 'gpt'), 40 * MIB);
    mbrDisk = attachLoop(join(dir, 'mbr'), 24 * MIB);
    execFileSync('sgdisk', ['-n', '1:2048:+8M', '-c', '1:efi', '-n', '2:0:0', '-c', '2:root', gptDisk], { stdio: 'ignore' });
    execFileSync('sfdisk', ['--no-reread', '--no-tell-kernel', mbrDisk], { input: 'label: dos\nlabel-id: 0x1234abcd\nstart=2048, size=8192, type=83\n', stdio: ['pipe', 'ignore', 'ignore'] });
  });
  afterAll(() => {
    for (const d of [gptDisk, mbrDisk]) if (d) detachLoop(d);
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists exactly the devices named, with their sysfs sizes', async () => {
    const devs = await listBlockDevices({ blockDevices: [mbrDisk, gptDisk], devDir: '/dev' });
    expect(devs.map((d) => [d.name, d.size])).toEqual([[gptDisk, 40 * MIB], [mbrDisk, 24 * MIB]].sort((a, b) => String(a[0]).localeCompare(String(b[0]))));
    expect(devs.every((d) => d.rotational === false || d.rotational === true)).toBe(true);
  });

  it('leaves loop devices out of the default scope but counts them in a curated device directory', async () => {
    const all = await listBlockDevices({ blockDevices: [], devDir: '/dev' });
    expect(all.map((d) => d.name)).not.toContain(gptDisk);
    // The lab's sandbox: a directory holding a node for its disk only, under another name.
    const devDir = join(dir, 'dev');
    execFileSync('mkdir', [devDir]);
    const rdev = statSync(gptDisk).rdev;
    execFileSync('mknod', [join(devDir, 'sda'), 'b', String((rdev >>> 8) & 0xfff), String((rdev & 0xff) | ((rdev >>> 12) & ~0xff))]);
    const sandboxed = await listBlockDevices({ blockDevices: [], devDir });
    expect(sandboxed.map((d) => [d.name, d.size])).toEqual([[join(devDir, 'sda'), 40 * MIB]]);
  });

  it('reads GPT and MBR tables as sgdisk and sfdisk wrote them', async () => {
    const fh = await open(gptDisk, 'r');
    const gpt = await readPartitionTable(fh);
    await fh.close();
    const printed = execFileSync('sgdisk', ['-p', gptDisk], { encoding: 'utf8' });
    expect(gpt?.kind).toBe('gpt');
    expect(diskIdentifier(gpt!)).toBe(/Disk identifier \(GUID\): (\S+)/.exec(printed)![1]!.toLowerCase());
    expect(gpt!.partitions.map((p) => [p.number, p.offset, p.name])).toEqual([[1, 2048 * 512, 'efi'], [2, 2048 * 512 + 8 * MIB, 'root']]);
    const info = execFileSync('sgdisk', ['-i', '2', gptDisk], { encoding: 'utf8' });
    expect(gpt!.partitions[1]!.uuid).toBe(/Partition unique GUID: (\S+)/.exec(info)![1]!.toLowerCase());
    const fm = await open(mbrDisk, 'r');
    const mbr = await readPartitionTable(fm);
    await fm.close();
    expect(mbr).toMatchObject({ kind: 'mbr', signature: '0x1234abcd', partitions: [{ number: 1, offset: 2048 * 512, length: 8192 * 512, type: '0x83' }] });
  });

  it('wipes partition tables and signatures so the disk reads as blank', async () => {
    execFileSync('mkfs.ext4', ['-q', '-F', '-E', `offset=${2048 * 512 + 8 * MIB}`, gptDisk, '8M'], { stdio: 'ignore' });
    const r = await wipeMetadata(gptDisk, 40 * MIB);
    expect(r.partitions).toBe(2);
    const fh = await open(gptDisk, 'r');
    expect(await readPartitionTable(fh)).toBeNull();
    await fh.close();
    // The ext4 superblock (1 KiB into the partition) and the backup GPT (last 33 sectors) are gone.
    expect(readBytes(gptDisk, 2048 * 512 + 8 * MIB, 4096).equals(Buffer.alloc(4096))).toBe(true);
    expect(readBytes(gptDisk, 40 * MIB - 33 * 512, 33 * 512).equals(Buffer.alloc(33 * 512))).toBe(true);
    expect(execFileSync('sgdisk', ['-p', gptDisk], { encoding: 'utf8' }).toLowerCase()).not.toMatch(/number\s+start.*\n\s+1/);
  });
});
