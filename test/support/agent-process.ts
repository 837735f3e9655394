// The deploy agent as a real child process (`src/agent/main.ts` through tsx, so tests run what the source
// says without a build), and a client that plays the conductor: HTTPS to the agent's callback URL pinned to
// the certificate it sent as agent_verify_ca, the token in the query string. Stops the process by PID.
import { spawn, type ChildProcess } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});

export interface AgentProcess {
  readonly pid: number;
  logLines(): string[];
  /** Resolves when a log line matches. */
  waitForLog(re: RegExp, timeoutMs?: number): Promise<string>;
  running(): boolean;
  stop(): Promise<void>;
}

export function startAgentProcess(args: readonly string[]): AgentProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', resolve(ROOT, 'src/agent/main.ts'), ...args], {
    cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', HOME: process.env.HOME ?? '/root' },
  });
  live.add(child);
  const lines: string[] = [];
  const waiters: { re: RegExp; resolve: (l: string) => void }[] = [];
  let partial = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop() ?? '';
    for (const l of parts.filter(Boolean)) {
      lines.push(l);
      for (const w of [...waiters]) if (w.re.test(l)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(l);
      }
    }
  });
  child.stdout!.resume();
  const exited = new Promise<void>((r) => child.once('close', () => {
    live.delete(child);
    r();
  }));
  return {
    pid: child.pid!,
    logLines: () => [...lines],
    running: () => child.exitCode === null && child.signalCode === null,
    waitForLog(re, timeoutMs = 20_000) {
      const seen = lines.find((l) => re.test(l));
      if (seen) return Promise.resolve(seen);
      return new Promise((res, rej) => {
        const timer = setTimeout(() => rej(new Error(`agent log never matched ${re}; log:\n${lines.slice(-20).join('\n')}`)), timeoutMs);
        waiters.push({ re, resolve: (l) => { clearTimeout(timer); res(l); } });
      });
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(t);
      }
    },
  };
}

export interface AgentReply {
  readonly status: number;
  readonly body: any;
}

/** Calls an agent as a conductor does: `url` is its callback URL, `ca` the PEM it sent (null: plain HTTP). */
export class AgentClient {
  constructor(readonly url: string, readonly ca: string | null, public token: string) {}

  request(method: string, path: string, body?: unknown): Promise<AgentReply> {
    const u = new URL(path, this.url);
    const payload = body === undefined ? undefined : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
    const send = u.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((res, rej) => {
      const req = send(u, {
        method, headers: payload ? { 'Content-Type': 'application/json', 'Content-Length': String(payload.length) } : {},
        ...(this.ca ? { ca: this.ca } : {}),
      }, (r) => {
        let t = '';
        r.setEncoding('utf8').on('data', (c: string) => (t += c)).on('end', () => {
          let b: unknown = t;
          try { b = JSON.parse(t); } catch { /* keep text */ }
          res({ status: r.statusCode ?? 0, body: b });
        });
      });
      req.on('error', rej);
      req.end(payload);
    });
  }

  run(name: string, params: Record<string, unknown>, wait = true): Promise<AgentReply> {
    return this.request('POST', `/v1/commands/?wait=${wait}&agent_token=${encodeURIComponent(this.token)}`, { name, params });
  }

  list(): Promise<AgentReply> {
    return this.request('GET', `/v1/commands/?agent_token=${encodeURIComponent(this.token)}`);
  }

  /** Polls the command until it is no longer RUNNING, as the conductor does on heartbeats. */
  async finished(id: string, timeoutMs = 60_000): Promise<any> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const r = await this.request('GET', `/v1/commands/${id}?agent_token=${encodeURIComponent(this.token)}`);
      if (r.status !== 200) throw new Error(`GET command ${id}: ${r.status} ${JSON.stringify(r.body)}`);
      if (r.body.command_status !== 'RUNNING') return r.body;
      if (Date.now() > until) throw new Error(`command ${id} still RUNNING after ${timeoutMs} ms`);
      await new Promise((x) => setTimeout(x, 100));
    }
  }
}
