// A throw-away certificate authority and a server certificate for 127.0.0.1/localhost, made by the real
// `openssl` binary, so TLS tests exercise certificates as operators make them and clients that verify them.
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const OPENSSL = '/usr/bin/openssl';

export interface TestCerts {
  /** CA certificate clients trust. */
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
  /** A second CA that signed nothing here: trusting only it must fail verification. */
  readonly otherCaFile: string;
}

function openssl(args: string[]): void {
  execFileSync(OPENSSL, args, { stdio: 'pipe' });
}

export function makeTestCerts(dir: string): TestCerts {
  if (!existsSync(OPENSSL)) throw new Error(`${OPENSSL} is missing: install openssl (scripts/install-deps.sh --test)`);
  const p = (name: string) => join(dir, name);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(['req', '-x509', ...ec, '-keyout', p('ca.key'), '-out', p('ca.pem'), '-days', '2', '-subj', '/CN=anvil-test-ca']);
  openssl(['req', '-x509', ...ec, '-keyout', p('other-ca.key'), '-out', p('other-ca.pem'), '-days', '2', '-subj', '/CN=anvil-other-ca']);
  openssl(['req', ...ec, '-keyout', p('server.key'), '-out', p('server.csr'), '-subj', '/CN=127.0.0.1']);
  writeFileSync(p('san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  openssl(['x509', '-req', '-in', p('server.csr'), '-CA', p('ca.pem'), '-CAkey', p('ca.key'), '-CAcreateserial',
    '-out', p('server.pem'), '-days', '2', '-extfile', p('san.ext')]);
  return { caFile: p('ca.pem'), certFile: p('server.pem'), keyFile: p('server.key'), otherCaFile: p('other-ca.pem') };
}
