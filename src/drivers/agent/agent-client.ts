// The conductor's side of the Ironic Python Agent command API: POST/GET <agent_url>/v1/commands/ with the token
// as a query parameter, over HTTPS pinned to the certificate the agent sent in its heartbeat
// (`agent_verify_ca`), or plain HTTP only when the operator allowed it. Hand-written on node:https because
// the pinning (one self-signed certificate per agent boot, per request) is ours; no client library does it.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { NodeRecord } from '../../db/records.js';

/** One command's record as the agent reports it (IPA's shape; `command_name` without its extension). */
export interface AgentCommand {
  readonly id: string;
  readonly command_name: string;
  readonly command_status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CLEAN_VERSION_MISMATCH' | string;
  readonly command_error: { type?: string; code?: number; message?: string; details?: string } | string | null;
  readonly command_result: unknown;
}

export class AgentCommandError extends Error {}

/** The agent could not be reached or answered something that is not the protocol. */
export class AgentConnectionError extends Error {}

export interface AgentClientOptions {
  /** Seconds one call may take (Ironic `[agent]command_timeout`, 60). */
  readonly timeoutS: number;
  /** Plain http:// agent URLs are refused unless allowed. */
  readonly allowInsecure: boolean;
  /** Attempts on connection errors (Ironic: 3). */
  readonly attempts?: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A readable error text from an agent command error (IPA puts the useful part in details or message). */
export function commandErrorText(err: AgentCommand['command_error']): string {
  if (!err) return 'unknown error';
  if (typeof err === 'string') return err;
  return [err.type, err.details || err.message].filter(Boolean).join(': ') || JSON.stringify(err);
}

export class AgentClient {
  readonly #url: URL;
  readonly #token: string | undefined;
  readonly #ca: string | undefined;
  readonly #opts: AgentClientOptions;

  constructor(node: Pick<NodeRecord, 'uuid' | 'driverInternalInfo'>, opts: AgentClientOptions) {
    const info = node.driverInternalInfo;
    if (typeof info.agent_url !== 'string') throw new AgentConnectionError(`Node ${node.uuid} has no agent URL: its agent has not called back`);
    this.#url = new URL(info.agent_url);
    this.#token = typeof info.agent_secret_token === 'string' ? info.agent_secret_token : undefined;
    this.#ca = typeof info.agent_verify_ca === 'string' && info.agent_verify_ca.includes('BEGIN CERTIFICATE') ? info.agent_verify_ca : undefined;
    this.#opts = opts;
    if (this.#url.protocol === 'http:' && !opts.allowInsecure) {
      throw new AgentConnectionError(`Agent of node ${node.uuid} called back over plain HTTP (${this.#url.host}); only HTTPS agents are accepted`);
    }
    if (this.#url.protocol === 'https:' && !this.#ca) {
      throw new AgentConnectionError(`Agent of node ${node.uuid} uses HTTPS but sent no certificate (agent_verify_ca) to verify it with`);
    }
  }

  /** Runs `name` (`extension.command`); with wait=false returns at once with status RUNNING. */
  execute(name: string, params: Record<string, unknown>, wait: boolean): Promise<AgentCommand> {
    return this.#call('POST', `/v1/commands/`, { wait: String(wait) }, { name, params }) as Promise<AgentCommand>;
  }

  /** All commands the agent ran in this boot, oldest first. */
  async commands(): Promise<AgentCommand[]> {
    const body = (await this.#call('GET', '/v1/commands/', {})) as { commands?: AgentCommand[] };
    if (!Array.isArray(body.commands)) throw new AgentConnectionError('agent answered GET /v1/commands/ without a "commands" list');
    return body.commands;
  }

  /** Runs a synchronous command and returns its result, throwing AgentCommandError when it failed. */
  async run(name: string, params: Record<string, unknown> = {}): Promise<unknown> {
    const r = await this.execute(name, params, true);
    if (r.command_status === 'FAILED') throw new AgentCommandError(`agent command ${name} failed: ${commandErrorText(r.command_error)}`);
    return r.command_result;
  }

  async #call(method: string, path: string, query: Record<string, string>, body?: unknown): Promise<unknown> {
    const attempts = this.#opts.attempts ?? 3;
    let last: Error | undefined;
    for (let i = 0; i < attempts; i++) {
      try {
        return await this.#once(method, path, query, body);
      } catch (err) {
        if (!(err instanceof AgentConnectionError) || (err as { status?: number }).status !== undefined) throw err;
        last = err;
        if (i + 1 < attempts) await sleep(500 * (i + 1));
      }
    }
    throw last!;
  }

  #once(method: string, path: string, query: Record<string, string>, body?: unknown): Promise<unknown> {
    const url = new URL(path.replace(/^\//, ''), this.#url.href.endsWith('/') ? this.#url.href : `${this.#url.href}/`);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    if (this.#token) url.searchParams.set('agent_token', this.#token);
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers: Record<string, string> = { accept: 'application/json' };
    if (payload) Object.assign(headers, { 'content-type': 'application/json', 'content-length': String(payload.length) });
    const where = `${method} ${this.#url.host}${path}`;
    return new Promise((resolve, reject) => {
      const onResponse = (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (e) => reject(new AgentConnectionError(`${where}: ${e.message}`)));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown;
          try {
            parsed = text ? JSON.parse(text) : {};
          } catch {
            reject(Object.assign(new AgentConnectionError(`${where}: agent answered ${res.statusCode} with a body that is not JSON`), { status: res.statusCode }));
            return;
          }
          if ((res.statusCode ?? 500) >= 400) {
            const fault = (parsed as { faultstring?: string; description?: string }).faultstring ?? (parsed as { description?: string }).description ?? text.slice(0, 200);
            const err = res.statusCode === 409 ? new AgentCommandError(`agent is busy (409): ${fault}`) : new AgentConnectionError(`${where}: agent answered ${res.statusCode}: ${fault}`);
            reject(Object.assign(err, { status: res.statusCode }));
            return;
          }
          resolve(parsed);
        });
      };
      const common = { method, headers, timeout: this.#opts.timeoutS * 1000 };
      // Pinned: the agent's own self-signed certificate is the only trust anchor; it carries the agent's address
      // as its name, which may differ from how we reach it, so the chain is what proves the agent's key.
      const req = url.protocol === 'https:'
        ? httpsRequest(url, { ...common, ca: this.#ca, checkServerIdentity: () => undefined }, onResponse)
        : httpRequest(url, common, onResponse);
      req.on('timeout', () => req.destroy(new Error(`no answer within ${this.#opts.timeoutS} s`)));
      req.on('error', (e) => reject(new AgentConnectionError(`${where}: ${e.message}`)));
      req.end(payload);
    });
  }
}
