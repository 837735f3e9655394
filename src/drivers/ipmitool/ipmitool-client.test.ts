// The client against stub ipmitool executables: retries, kill timeouts, per-BMC serialization, and how
// secrets travel (environment, never argv) and never come back out in messages.
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { setLogSink } from '../../common/log.js';
import { parseIpmiSettings } from './ipmitool-args.js';
import { classifyFailure, IpmitoolClient, IpmitoolError } from './ipmitool-client.js';

const logLines: string[] = [];
setLogSink((line) => logLines.push(line));

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'anvil-ipmistub-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Writes a stub ipmitool that records its argv/env under `dir`, then runs `body` (bash). */
function stub(body: string): string {
  const path = join(dir, 'ipmitool');
  writeFileSync(path, `#!/bin/bash
d=${dir}
n=$(mkdir "$d/lock" 2>/dev/null; c=$(( $(cat "$d/count" 2>/dev/null || echo 0) + 1 )); echo $c > "$d/count"; rmdir "$d/lock"; echo $c)
printf '%s\\n' "$@" > "$d/argv.$$"
printf '%s' "\${IPMI_PASSWORD-}" > "$d/password.$$"
printf '%s' "\${IPMITOOL_PASSWORD-}" > "$d/inherited.$$"
printf '%s' "\${IPMI_KGKEY-}" | od -An -tx1 | tr -s ' \\n' ' ' > "$d/kg.$$"
port=$(printf '%s\\n' "$@" | grep -A1 -x -- -p | tail -1)
echo "start $(date +%s%N) $port" >> "$d/timeline"
${body}
echo "end $(date +%s%N) $port" >> "$d/timeline"
`);
  chmodSync(path, 0o755);
  return path;
}

const runs = () => Number(readFileSync(join(dir, 'count'), 'utf8'));
const recorded = (prefix: string) => readdirSync(dir).filter((f) => f.startsWith(`${prefix}.`)).map((f) => readFileSync(join(dir, f), 'utf8'));
const settings = (extra: Record<string, unknown> = {}) => parseIpmiSettings({
  ipmi_address: '192.0.2.1', ipmi_port: 6230, ipmi_username: 'admin', ipmi_password: 'hunter22x', ...extra,
});
const fast = (binary: string) => new IpmitoolClient({ binary, initialBackoffMs: 20, maxBackoffMs: 50 });
const failure = (p: Promise<unknown>) => p.then(() => { throw new Error('expected a failure'); }, (e: unknown) => e as IpmitoolError);

describe('IpmitoolClient', () => {
  it('returns stdout; the password is in the environment, not in argv', async () => {
    const client = fast(stub('echo "Chassis Power is on"'));
    const res = await client.run(settings(), ['power', 'status']);
    expect(res.stdout).toBe('Chassis Power is on\n');
    expect(res.attempts).toBe(1);
    const [argv] = recorded('argv');
    expect(argv).not.toContain('hunter22x');
    expect(argv!.split('\n')).toEqual(expect.arrayContaining(['-E', '-U', 'admin', 'power', 'status']));
    expect(recorded('password')).toEqual(['hunter22x']);
  });

  it('drops an inherited IPMITOOL_PASSWORD, which would win over ours inside ipmitool', async () => {
    process.env.IPMITOOL_PASSWORD = 'inherited';
    try {
      await fast(stub('echo ok')).run(settings(), ['power', 'status']);
    } finally {
      delete process.env.IPMITOOL_PASSWORD;
    }
    expect(recorded('inherited')).toEqual(['']);
  });

  it('hands the Kg key over byte for byte through IPMI_KGKEY, keeping it out of argv', async () => {
    await fast(stub('echo ok')).run(settings({ ipmi_hex_kg_key: '41ff0a7e' }), ['power', 'status']);
    expect(recorded('kg')).toEqual([' 41 ff 0a 7e ']);
    const [argv] = recorded('argv');
    expect(argv!.split('\n')).toContain('-K');
    expect(argv).not.toMatch(/41ff0a7e/i);
  });

  it('retries transient failures with backoff, then succeeds', async () => {
    const client = fast(stub(`if [ "$n" -lt 3 ]; then echo "Error: Unable to establish IPMI v2 / RMCP+ session" >&2; exit 1; fi; echo "Chassis Power is off"`));
    const res = await client.run(settings(), ['power', 'status']);
    expect(res.attempts).toBe(3);
    expect(res.stdout).toContain('off');
  });

  it('does not retry a refused password, and the message says so without the password', async () => {
    const client = fast(stub(`echo "> RAKP 2 HMAC is invalid" >&2; echo "Error: Unable to establish IPMI v2 / RMCP+ session" >&2; exit 1`));
    const err = await failure(client.run(settings(), ['power', 'status']));
    expect(err).toBeInstanceOf(IpmitoolError);
    expect(err.kind).toBe('auth');
    expect(err.attempts).toBe(1);
    expect(err.message).toMatch(/authentication failed.*RAKP 2 HMAC is invalid/);
    expect(err.message).not.toContain('hunter22x');
    expect(runs()).toBe(1);
  });

  it('names the cipher suite when the BMC refuses it', async () => {
    const client = fast(stub(`echo "Error in open session response message : invalid authentication algorithm" >&2; echo "Error: Unable to establish IPMI v2 / RMCP+ session" >&2; exit 1`));
    const err = await failure(client.run(settings({ ipmi_cipher_suite: 17 }), ['power', 'status']));
    expect(err.kind).toBe('auth');
    expect(err.message).toMatch(/refused the cipher suite \(check ipmi_cipher_suite\)/);
    expect(runs()).toBe(1);
  });

  it('does not retry a command the BMC rejected', async () => {
    const client = fast(stub(`echo "Set Chassis Power Control to Diag failed: Invalid data field in request" >&2; exit 1`));
    const err = await failure(client.run(settings(), ['chassis', 'power', 'diag']));
    expect(err.kind).toBe('command');
    expect(err.message).toContain('Invalid data field in request');
    expect(err.message).toContain('BMC 192.0.2.1:6230');
    expect(runs()).toBe(1);
  });

  it('says in one sentence that a BMC name does not resolve, without ipmitool\'s transcript', async () => {
    const client = fast(stub(`printf 'Password: \\nLoading IANA PEN Registry...\\nAddress lookup for ipmi.server.nett failed\\nCould not open socket!\\nError: Unable to establish IPMI v2 / RMCP+ session\\n' >&2; exit 1`));
    const err = await failure(client.run(settings({ ipmi_command_retry_timeout: 0.5 }), ['power', 'status'], { what: 'power status' }));
    expect(err.message).toMatch(/^IPMI command "power status" to BMC 192\.0\.2\.1:6230 failed( after \d+ attempts in [\d.]+ s)?: the BMC address ipmi\.server\.nett could not be resolved \(check ipmi_address\)\.$/);
  });

  it('masks a secret that ipmitool would echo on stderr', async () => {
    const client = fast(stub(`echo "Error: password hunter22x rejected; password=hunter22x" >&2; exit 1`));
    const err = await failure(client.run(settings(), ['power', 'status']));
    expect(err.message).not.toContain('hunter22x');
    expect(err.message).toContain('******');
  });

  it('kills a hung ipmitool after ipmi_command_timeout and gives up when the retry budget is spent', async () => {
    const client = fast(stub('echo $$ > "$d/hung.pid"; sleep 30'));
    const started = Date.now();
    const err = await failure(client.run(settings({ ipmi_command_timeout: 0.3, ipmi_command_retry_timeout: 1 }), ['power', 'status']));
    const elapsed = Date.now() - started;
    expect(err.kind).toBe('timeout');
    expect(err.attempts).toBeGreaterThanOrEqual(2);
    expect(err.message).toMatch(/no answer within 0.3 s/);
    expect(elapsed).toBeLessThan(2500);
    const pid = Number(readFileSync(join(dir, 'hung.pid'), 'utf8'));
    expect(() => process.kill(pid, 0)).toThrow();
  });

  it('stops at the caller deadline even with budget left', async () => {
    const client = fast(stub('sleep 30'));
    const started = Date.now();
    await failure(client.run(settings(), ['power', 'status'], { deadline: Date.now() + 400 }));
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('reports a missing ipmitool once, without retrying', async () => {
    const err = await failure(fast(join(dir, 'no-such-ipmitool')).run(settings(), ['power', 'status']));
    expect(err.kind).toBe('missing-tool');
    expect(err.message).toMatch(/not installed/);
    expect(err.attempts).toBe(1);
  });

  it('runs one call at a time per BMC, and different BMCs in parallel', async () => {
    const client = fast(stub('sleep 0.6; echo ok'));
    const sameBmc = [1, 2, 3].map(() => client.run(settings(), ['power', 'status']));
    const otherBmcs = [7001, 7002, 7003].map((port) => client.run(settings({ ipmi_port: port }), ['power', 'status']));
    await Promise.all([...sameBmc, ...otherBmcs]);
    const timeline = readFileSync(join(dir, 'timeline'), 'utf8').trim().split('\n').map((l) => l.split(' '));
    const spans = (port: string) => {
      const starts = timeline.filter(([k, , p]) => k === 'start' && p === port).map(([, t]) => BigInt(t!));
      const ends = timeline.filter(([k, , p]) => k === 'end' && p === port).map(([, t]) => BigInt(t!));
      return starts.map((s, i) => [s, ends[i]!] as const).sort((a, b) => (a[0] < b[0] ? -1 : 1));
    };
    const same = spans('6230');
    expect(same).toHaveLength(3);
    for (let i = 1; i < same.length; i++) expect(same[i]![0]).toBeGreaterThanOrEqual(same[i - 1]![1]);
    // the three calls to three BMCs were all running at the same moment
    const others = ['7001', '7002', '7003'].map((port) => spans(port)[0]!);
    const lastStart = others.reduce((m, [start]) => (start > m ? start : m), 0n);
    for (const [, end] of others) expect(lastStart < end).toBe(true);
  });

  it('logged failures without the password', () => {
    expect(logLines.some((l) => l.includes('ipmitool call failed'))).toBe(true);
    expect(logLines.join('\n')).not.toContain('hunter22x');
  });
});

describe('classifyFailure', () => {
  it.each([
    ['Loading IANA PEN Registry...\n> RAKP 2 HMAC is invalid\nError: Unable to establish IPMI v2 / RMCP+ session', 'auth'],
    ['RAKP 2 message indicates an error : unauthorized name\nError: Unable to establish IPMI v2 / RMCP+ session', 'auth'],
    ['Activate Session command failed\nError: Unable to establish LAN session', 'auth'],
    ['Invalid user name\nError: Unable to establish LAN session', 'auth'],
    ['Error in open session response message : invalid authentication algorithm\n\nError: Unable to establish IPMI v2 / RMCP+ session', 'auth'],
    ['Get Auth Capabilities error\nError issuing Get Channel Authentication Capabilities request\nError: Unable to establish IPMI v2 / RMCP+ session', 'unreachable'],
    ['Get Auth Capabilities command failed\nError: Unable to establish LAN session', 'unreachable'],
    ['Close Session command failed: Insufficient resources for session', 'unreachable'],
    ['Set Chassis Power Control to Diag failed: Invalid data field in request', 'command'],
    ['Invalid completion code received: Invalid command\nUnable to send RAW command (channel=0x0 netfn=0x0 lun=0x0 cmd=0x8 rsp=0xff): Unspecified error', 'command'],
  ])('%j is %s', (stderr, kind) => expect(classifyFailure(stderr).kind).toBe(kind));

  it('keeps only the lines that explain the failure', () => {
    const { lines } = classifyFailure('Loading IANA PEN Registry...\nRunning Get VSO Capabilities my_addr 0x20, transit 0, target 0x20\n'
      + 'Invalid completion code received: Invalid command\nDiscovered IPMB address 0x0\n> RAKP 2 HMAC is invalid\nError: Unable to establish IPMI v2 / RMCP+ session\n');
    expect(lines).toEqual(['RAKP 2 HMAC is invalid', 'Error: Unable to establish IPMI v2 / RMCP+ session']);
  });
});
