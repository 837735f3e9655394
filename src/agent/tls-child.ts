// Where the agent's self-signed certificate is made. The X.509 library costs about 20 MiB of memory once
// loaded and is needed for a few milliseconds at start, so the agent run from its own entry point (bin or
// ramdisk bundle) makes the certificate in a short-lived child process of itself and never loads the library;
// anything else embedding the agent (tests, tools) makes it in-process.
import { spawn } from 'node:child_process';
import type { AgentCertificate } from './tls.js';

/** Set in the child: the address to certify; the child prints the certificate as JSON and exits. */
export const CERTIFICATE_CHILD_ENV = 'ANVIL_AGENT_CERTIFICATE_FOR';

let entry: string | null = null;

/** Called by the agent's entry point: certificates come from a child running that same entry point. */
export function makeCertificatesInChild(entryPoint: string): void {
  entry = entryPoint;
}

export async function makeCertificate(address: string): Promise<AgentCertificate> {
  if (!entry) return (await import('./tls.js')).generateCertificate(address);
  const child = spawn(process.execPath, [...process.execArgv, entry], {
    env: { ...process.env, [CERTIFICATE_CHILD_ENV]: address }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => out.push(c));
  child.stderr.on('data', (c: Buffer) => err.push(c));
  const code = await new Promise<number | null>((ok, fail) => { child.once('error', fail); child.once('close', ok); });
  if (code !== 0) throw new Error(`making the agent's certificate failed (exit ${code}): ${Buffer.concat(err).toString('utf8').trim().slice(-500)}`);
  return JSON.parse(Buffer.concat(out).toString('utf8')) as AgentCertificate;
}

/** The child's side: prints the certificate for the address in the environment. */
export async function printCertificate(address: string): Promise<void> {
  const cert = await (await import('./tls.js')).generateCertificate(address);
  process.stdout.write(JSON.stringify(cert));
}
