// Runs the built `baremetal` CLI (bin/baremetal.js -> dist/) as a real process against a scripted
// HTTP server: output, stderr and exit statuses as a shell user sees them.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = new URL('../../bin/baremetal.js', import.meta.url).pathname;
const DIST = new URL('../../dist/cli/baremetal.js', import.meta.url).pathname;
const TRANSCRIPTS = new URL('../fixtures/ironic/cli/', import.meta.url);
const NODE_UUID = '8036e817-f040-4b27-985f-bc8ebb8413c1';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function transcriptOutput(name: string): string {
  const lines = readFileSync(new URL(name, TRANSCRIPTS), 'utf8').split('\n');
  return lines.slice(1, lines.findIndex((l) => l.startsWith('# exit status:'))).join('\n') + '\n';
}

function baremetal(endpoint: string, args: readonly string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, '--os-endpoint', endpoint, '--os-auth-type', 'none', ...args],
      { env: { ...process.env, ANVIL_CLI_RETRY_DELAY_MS: '0', OS_BAREMETAL_API_VERSION: '' } },
      (err, stdout, stderr) => {
        const code = err && typeof err.code === 'number' ? err.code : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const VERSION_HEADERS = {
  'x-openstack-ironic-api-minimum-version': '1.1',
  'x-openstack-ironic-api-maximum-version': '1.82',
  'content-type': 'application/json',
};

function errorBody(faultstring: string): string {
  return JSON.stringify({ error_message: JSON.stringify({ faultcode: 'Client', faultstring, debuginfo: null }) });
}

describe('bin/baremetal.js as a process', () => {
  let server: Server;
  let endpoint = '';

  beforeAll(async () => {
    if (!existsSync(DIST)) throw new Error(`${DIST} is missing: run \`npm run build\` first`);
    server = createServer((req, res) => {
      if (req.method === 'GET' && req.url === '/v1/nodes') {
        res.writeHead(200, VERSION_HEADERS);
        res.end(JSON.stringify({
          nodes: [{
            uuid: NODE_UUID, instance_uuid: null, maintenance: false, power_state: null,
            provision_state: 'enroll', name: null, links: [],
          }],
        }));
        return;
      }
      res.writeHead(404, VERSION_HEADERS);
      res.end(errorBody(`Node ${req.url?.split('/')[3] ?? ''} could not be found.`));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('prints the node table exactly like the stock client and exits 0', async () => {
    const run = await baremetal(endpoint, ['node', 'list']);
    expect(run).toEqual({ code: 0, stdout: transcriptOutput('03-node-list.txt'), stderr: '' });
  });

  it('reports API errors on stderr and exits 1', async () => {
    const run = await baremetal(endpoint, ['node', 'show', '1be26c0b-03f2-4d2e-ae87-c02d7f33c123']);
    expect(run).toEqual({ code: 1, stdout: '', stderr: transcriptOutput('09-node-show-unknown.txt') });
  });

  it('reports an unreachable endpoint and exits 1', async () => {
    const run = await baremetal('http://127.0.0.1:9', ['node', 'list']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^Unable to establish connection to http:\/\/127\.0\.0\.1:9\/v1\/nodes: /m);
  });

  it('exits 2 on bad usage', async () => {
    const run = await baremetal(endpoint, ['node', 'create']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("required option '--driver <driver>' not specified");
  });
});
