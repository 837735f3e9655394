// Automatic TLS (IPA's auto-TLS): at start the agent makes a fresh P-256 key and a self-signed certificate
// for the address it advertises, serves its command API with it and sends the PEM as `agent_verify_ca`, so
// the conductor can pin exactly this certificate. @peculiar/x509 is pure JavaScript on WebCrypto (the agent
// is bundled into one file for the ramdisk; no native addon may enter here).
import 'reflect-metadata';
import { KeyObject, webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
import * as x509 from '@peculiar/x509';

export interface AgentCertificate {
  readonly certPem: string;
  readonly keyPem: string;
}

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

/**
 * `selfTrusted`: also mark the certificate as its own CA (critical basicConstraints CA:TRUE), for clients whose
 * OpenSSL accepts a self-signed certificate as a trust anchor only then (Python's requests with `verify=<file>`;
 * the lab's Redfish BMCs use this).
 */
export async function generateCertificate(address: string, validDays = 90, opts: { selfTrusted?: boolean } = {}): Promise<AgentCertificate> {
  x509.cryptoProvider.set(webcrypto as unknown as Crypto);
  const keys = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const now = Date.now();
  const san = isIP(address) ? { type: 'ip' as const, value: address } : { type: 'dns' as const, value: address };
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: webcrypto.getRandomValues(Buffer.alloc(8)).toString('hex').replace(/^[89a-f]/, '1'),
    name: `CN=${address.replace(/[,=+<>#;"\\]/g, '_')}`,
    // A little slack backwards: the node's clock may lag the conductor's.
    notBefore: new Date(now - 3600_000),
    notAfter: new Date(now + validDays * 86400_000),
    keys: keys as CryptoKeyPair,
    signingAlgorithm: ALG,
    // As IPA's: only a critical subjectAltName naming the address (no CA constraints, which would stop
    // clients from pinning the certificate as its own trust anchor).
    extensions: [
      new x509.SubjectAlternativeNameExtension([san], true),
      ...(opts.selfTrusted ? [new x509.BasicConstraintsExtension(true, undefined, true)] : []),
    ],
  });
  const keyPem = KeyObject.from((keys as CryptoKeyPair).privateKey).export({ format: 'pem', type: 'pkcs8' }) as string;
  return { certPem: cert.toString('pem') + '\n', keyPem };
}
