// What a command needs at run time: the process streams and environment (injectable for tests)
// and an API client built from the global `--os-*` options.

import type { Command } from 'commander';
import { CliError, UsageError } from './errors.js';
import { ApiClient } from './http-client.js';
import { readFileSync } from 'node:fs';
import { Agent, fetch as undiciFetch } from 'undici';

export const DEFAULT_ENDPOINT = 'http://127.0.0.1:6385';

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly readStdin: () => Promise<string>;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Columns of the terminal stdout is attached to, if any (for `--fit-width`). */
  readonly terminalWidth?: number | undefined;
  /** Replaces global fetch (tests). */
  readonly fetch?: typeof fetch | undefined;
  /** Replaces the retry wait (tests). */
  readonly sleep?: ((ms: number) => Promise<void>) | undefined;
}

/** Global options as commander stores them (camel-cased). */
export interface GlobalOptions {
  readonly osEndpoint?: string;
  readonly osAuthType?: string;
  readonly osBaremetalApiVersion?: string;
  readonly osUsername?: string;
  readonly osPassword?: string;
  readonly osCacert?: string;
  readonly insecure?: boolean;
  readonly debug?: boolean;
}

/** `latest`, `1` (same as latest) or `1.N`. */
export function normalizeApiVersion(raw: string): string {
  const v = raw.trim();
  if (v === 'latest' || v === '1') return 'latest';
  if (/^1\.\d+$/.test(v)) return v;
  throw new UsageError(`argument --os-baremetal-api-version: invalid choice: '${raw}' (choose from '1', '1.N', 'latest')`);
}

/**
 * fetch() verifying https endpoints against `cacert` (or not at all with `insecure`), as the OpenStack client's
 * --os-cacert/--insecure do; undefined keeps the global fetch and the system's CAs. Node's own fetch takes no CA
 * option, hence undici's fetch with an Agent of our own.
 */
function tlsFetch(cacert: string | undefined, insecure: boolean): typeof fetch | undefined {
  if (!cacert && !insecure) return undefined;
  let ca: Buffer | undefined;
  if (cacert) {
    try {
      ca = readFileSync(cacert);
    } catch (err) {
      throw new CliError(`Cannot read the CA bundle ${cacert}: ${(err as Error).message}`);
    }
  }
  const dispatcher = new Agent({ connect: insecure ? { rejectUnauthorized: false } : { ca } });
  return ((url: string, init?: RequestInit) => undiciFetch(url, { ...(init as object), dispatcher })) as unknown as typeof fetch;
}

export class Runtime {
  #client: ApiClient | undefined;

  constructor(readonly io: CliIo) {}

  /** Writes a line to stderr. */
  warn(line: string): void {
    this.io.stderr(line.endsWith('\n') ? line : `${line}\n`);
  }

  debugEnabled(cmd: Command): boolean {
    return Boolean((cmd.optsWithGlobals() as GlobalOptions).debug);
  }

  /** The API client for this invocation, created on first use. */
  client(cmd: Command): ApiClient {
    if (this.#client) return this.#client;
    const g = cmd.optsWithGlobals() as GlobalOptions;
    // Empty environment variables count as unset, as in the OpenStack client.
    const env = Object.fromEntries(Object.entries(this.io.env).filter(([, v]) => v !== '' && v !== undefined));
    const authType = g.osAuthType ?? env.OS_AUTH_TYPE ?? 'none';
    let basicAuth: { username: string; password: string } | undefined;
    if (authType === 'http_basic') {
      const username = g.osUsername ?? env.OS_USERNAME;
      const password = g.osPassword ?? env.OS_PASSWORD;
      if (username === undefined || password === undefined) {
        throw new CliError('http_basic authentication needs --os-username and --os-password');
      }
      basicAuth = { username, password };
    } else if (authType !== 'none' && authType !== 'noauth') {
      throw new CliError(`Unsupported --os-auth-type ${authType}: use none or http_basic`);
    }
    const delay = env.ANVIL_CLI_RETRY_DELAY_MS;
    const debug = g.debug ? (line: string) => this.warn(line) : undefined;
    this.#client = new ApiClient({
      endpoint: g.osEndpoint ?? env.OS_ENDPOINT ?? DEFAULT_ENDPOINT,
      apiVersion: normalizeApiVersion(g.osBaremetalApiVersion ?? env.OS_BAREMETAL_API_VERSION ?? 'latest'),
      basicAuth,
      retryDelayMs: delay !== undefined && /^\d+$/.test(delay) ? Number(delay) : undefined,
      log: { debug, error: (line) => this.warn(line) },
      fetch: this.io.fetch ?? tlsFetch(g.osCacert ?? env.OS_CACERT, Boolean(g.insecure)),
      sleep: this.io.sleep,
    });
    return this.#client;
  }
}
