// Runs ipmitool against one BMC: a kill timer per run, bounded retries of transient failures, and one
// run at a time per BMC address:port (BMCs have few session slots and drop concurrent sessions), while
// different BMCs proceed in parallel. Failures come out as IpmitoolError with a scrubbed, secret-free text.
import { spawn } from 'node:child_process';
import { log } from '../../common/log.js';
import { scrubKnownSecrets } from '../../common/secrets.js';
import { buildInvocation, DEFAULT_TUNING, kgKeyNeedsArgv, secretsOf, type IpmiSettings, type TransportTuning } from './ipmitool-args.js';

/** Why a call failed: `auth` and `command` are final, `unreachable` and `timeout` were retried first. */
export type IpmiFailureKind = 'auth' | 'unreachable' | 'timeout' | 'command' | 'missing-tool';

export class IpmitoolError extends Error {
  constructor(
    message: string,
    readonly kind: IpmiFailureKind,
    /** The stderr lines that explain the failure, scrubbed. */
    readonly detail: string,
    readonly attempts: number,
  ) {
    super(message);
    this.name = 'IpmitoolError';
  }
}

export interface IpmitoolResult {
  readonly stdout: string;
  readonly attempts: number;
  readonly elapsedMs: number;
}

export interface IpmitoolClientOptions {
  /** The ipmitool executable (tests point this at stubs). Default `ipmitool` from PATH. */
  readonly binary?: string;
  readonly tuning?: TransportTuning;
  /** First pause between retries; doubles up to maxBackoffMs. */
  readonly initialBackoffMs?: number;
  readonly maxBackoffMs?: number;
}

export interface RunOptions {
  /** Epoch ms after which no new attempt starts and a running one is killed (caller's overall budget). */
  readonly deadline?: number;
  /** Words for messages, e.g. "power status"; defaults to the command itself. */
  readonly what?: string;
}

// Lines ipmitool -v prints on every run; they explain nothing about a failure.
const NOISE = [/^Loading IANA PEN Registry/i, /^Running Get (VSO|PICMG)/i, /^Discovered IPMB address/i,
  /^Invalid completion code received: Invalid command$/i, /^RAW (REQ|REQUEST|RSP)\b/i, /^(\s*[0-9a-f]{2})+\s*$/i,
  /^Unable to read kgkey/i, /^Password:/i, /^Could not open socket!?$/i];
// The name of a BMC that DNS does not know: said plainly, it is usually a typo in ipmi_address.
const LOOKUP = /^Address lookup for (\S+) failed/i;
// Authentication refused: retrying cannot help and only risks locking the BMC account.
const AUTH = [/RAKP \d HMAC is invalid/i, /unauthorized name/i, /RAKP \d message indicates an error/i,
  /invalid user name/i, /Activate Session command failed/i, /insufficient privilege/i, /invalid authentication/i];
// Session refused for its algorithms: a cipher suite the BMC does not offer. Final, like a wrong password.
const CIPHER = /invalid (authentication|integrity|confidentiality) algorithm|no matching cipher suite/i;
// No answer or a busy BMC: worth another try (Ironic retries the same family).
const TRANSIENT = [/unable to establish/i, /no response/i, /timeout/i, /timed out/i, /insufficient resource/i,
  /node busy/i, /bmc busy/i, /out of space/i, /initialization in progress/i, /Get Auth Capabilities/i,
  /Error issuing Get Channel/i, /Get Session Challenge/i];

/** Sorts a failed run by its stderr. Exported for unit tests. */
export function classifyFailure(stderr: string): { kind: Exclude<IpmiFailureKind, 'timeout' | 'missing-tool'>; lines: string[] } {
  const lines = stderr.split('\n').map((l) => l.replace(/^>\s*/, '').trim()).filter((l) => l && !NOISE.some((re) => re.test(l)));
  if (lines.some((l) => CIPHER.test(l) || AUTH.some((re) => re.test(l)))) return { kind: 'auth', lines };
  if (lines.some((l) => TRANSIENT.some((re) => re.test(l)))) return { kind: 'unreachable', lines };
  return { kind: 'command', lines };
}

/**
 * The one stderr line that says why (node fields and logs hold one sentence, not ipmitool's transcript): the
 * line that decided the kind, else the first meaningful one.
 */
function explainingLine(kind: IpmiFailureKind, lines: readonly string[]): string {
  const telling = lines.find((l) => LOOKUP.test(l))
    ?? (kind === 'auth' ? lines.find((l) => CIPHER.test(l) || AUTH.some((re) => re.test(l))) : undefined)
    ?? (kind === 'unreachable' ? lines.find((l) => TRANSIENT.some((re) => re.test(l))) : undefined)
    ?? lines[0] ?? '';
  return telling.replace(/[.!\s]+$/, '');
}

/** Removes every literal secret (long enough to be matched safely) and then key=value shaped ones. */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  return scrubKnownSecrets(text, secrets);
}

// The tail of each BMC's queue. A run waits for the previous run on the same BMC, never for the retry
// pause of another caller: the pause happens outside the queue.
const queues = new Map<string, Promise<void>>();

async function exclusive<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const previous = queues.get(key) ?? Promise.resolve();
  let release!: () => void;
  const mine = new Promise<void>((resolve) => (release = resolve));
  const tail = previous.then(() => mine);
  queues.set(key, tail);
  await previous;
  try {
    return await fn();
  } finally {
    release();
    if (queues.get(key) === tail) queues.delete(key);
  }
}

interface RunOutcome {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
  /** The kill timer this run had: the per-run timeout, or less when the deadline was nearer. */
  readonly limitMs: number;
  readonly spawnError?: NodeJS.ErrnoException;
}

const SECRET_ENV = ['IPMI_PASSWORD', 'IPMITOOL_PASSWORD', 'IPMI_KGKEY', 'ANVIL_IPMI_KG'];

function runOnce(file: string, args: readonly string[], extraEnv: Readonly<Record<string, string>>, timeoutMs: number): Promise<RunOutcome> {
  return new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = { ...process.env };
    // IPMITOOL_PASSWORD wins over IPMI_PASSWORD inside ipmitool: an inherited one would silently replace ours.
    for (const k of SECRET_ENV) delete env[k];
    Object.assign(env, extraEnv);
    // Own process group, so a timeout kills the whole run (a wrapper shell and anything it started).
    const child = spawn(file, args, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    let settled = false;
    const finish = (outcome: RunOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const limitMs = Math.max(1, timeoutMs);
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, limitMs);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    const collected = (code: number | null): RunOutcome =>
      ({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), timedOut, limitMs });
    child.on('error', (e: NodeJS.ErrnoException) => finish({ code: null, stdout: '', stderr: '', timedOut: false, limitMs, spawnError: e }));
    // After a kill, do not wait for the pipes: an escaped grandchild could hold them open for long.
    child.on('exit', (code) => {
      if (!timedOut) return;
      child.stdout.destroy();
      child.stderr.destroy();
      finish(collected(code));
    });
    child.on('close', (code) => finish(collected(code)));
  });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class IpmitoolClient {
  readonly #binary: string;
  readonly #tuning: TransportTuning;
  readonly #initialBackoffMs: number;
  readonly #maxBackoffMs: number;

  constructor(options: IpmitoolClientOptions = {}) {
    this.#binary = options.binary ?? 'ipmitool';
    this.#tuning = options.tuning ?? DEFAULT_TUNING;
    this.#initialBackoffMs = options.initialBackoffMs ?? 500;
    this.#maxBackoffMs = options.maxBackoffMs ?? 5000;
  }

  /**
   * Runs `ipmitool <session options> <command...>` and returns its stdout.
   * @throws IpmitoolError once the failure is final or settings.retryTimeoutS (or opts.deadline) is spent.
   */
  async run(settings: IpmiSettings, command: readonly string[], opts: RunOptions = {}): Promise<IpmitoolResult> {
    const started = Date.now();
    const deadline = Math.min(opts.deadline ?? Infinity, started + settings.retryTimeoutS * 1000);
    const bmc = `${settings.address}:${settings.port ?? 623}`;
    const what = opts.what ?? command.join(' ');
    const inv = buildInvocation(this.#binary, settings, command, this.#tuning);
    const secrets = secretsOf(settings);
    if (settings.kgKey && kgKeyNeedsArgv(settings.kgKey)) {
      log.warn('Kg key has a zero byte inside: it goes on the ipmitool command line, visible in the process list', { bmc });
    }
    let backoff = this.#initialBackoffMs;
    // Why the first failed attempt failed: a last attempt cut short by the deadline explains nothing.
    let firstReason: string | null = null;
    for (let attempt = 1; ; attempt++) {
      const outcome = await exclusive(bmc, async () => {
        const left = deadline - Date.now();
        if (left <= 0) return null;
        return runOnce(inv.file, inv.args, inv.env, Math.min(settings.commandTimeoutS * 1000, left));
      });
      const elapsedMs = Date.now() - started;
      if (outcome && !outcome.spawnError && !outcome.timedOut && outcome.code === 0) {
        log.debug('ipmitool call done', { bmc, command: what, attempts: attempt, elapsed_ms: elapsedMs });
        return { stdout: outcome.stdout, attempts: attempt, elapsedMs };
      }
      const failure = this.#describe(outcome, secrets);
      const final = failure.kind === 'auth' || failure.kind === 'command' || failure.kind === 'missing-tool';
      firstReason ??= failure.kind === 'timeout' ? null : failure.summary;
      if (final || Date.now() + backoff >= deadline) {
        const tries = attempt === 1 ? '' : ` after ${attempt} attempts in ${(elapsedMs / 1000).toFixed(1)} s`;
        // A run the deadline left no room for, or cut short of its own timeout, explains nothing: the
        // earlier reason stands alone.
        const cutShort = outcome !== null && outcome.timedOut === true && outcome.limitMs < settings.commandTimeoutS * 1000;
        const why = (outcome === null || cutShort) && firstReason ? firstReason
          : failure.kind === 'timeout' && firstReason ? `${firstReason} (then: ${failure.summary})` : failure.summary;
        const message = `IPMI command "${what}" to BMC ${bmc} failed${tries}: ${why.replace(/[.\s]+$/, '')}.`;
        log.warn('ipmitool call failed', { bmc, command: what, kind: failure.kind, attempts: attempt, elapsed_ms: elapsedMs, detail: failure.detail });
        throw new IpmitoolError(message, failure.kind, failure.detail, attempt);
      }
      log.debug('ipmitool call will be retried', { bmc, command: what, kind: failure.kind, attempt, detail: failure.detail });
      await sleep(backoff);
      backoff = Math.min(backoff * 2, this.#maxBackoffMs);
    }
  }

  #describe(outcome: RunOutcome | null, secrets: readonly string[]): { kind: IpmiFailureKind; summary: string; detail: string } {
    if (outcome === null) return { kind: 'timeout', summary: 'no time left for another attempt', detail: '' };
    if (outcome.spawnError) {
      const missing = outcome.spawnError.code === 'ENOENT';
      const detail = scrubSecrets(outcome.spawnError.message, secrets);
      return missing
        ? { kind: 'missing-tool', summary: `cannot run ${this.#binary}: not installed (Debian package ipmitool)`, detail }
        : { kind: 'command', summary: `cannot run ${this.#binary}: ${detail}`, detail };
    }
    const { kind, lines } = classifyFailure(outcome.stderr);
    const detail = scrubSecrets(explainingLine(kind, lines), secrets);
    const lookup = LOOKUP.exec(detail);
    if (lookup) return { kind, summary: `the BMC address ${lookup[1]} could not be resolved (check ipmi_address)`, detail };
    if (outcome.timedOut) {
      const within = Number((outcome.limitMs / 1000).toFixed(1));
      return { kind: 'timeout', summary: `no answer within ${within} s (ipmitool killed)${detail ? `; ${detail}` : ''}`, detail };
    }
    const why = kind === 'auth' && lines.some((l) => CIPHER.test(l)) ? 'the BMC refused the cipher suite (check ipmi_cipher_suite): '
      : kind === 'auth' ? 'authentication failed (wrong user name, password or Kg key?): '
      : kind === 'unreachable' ? 'the BMC did not answer or was busy: ' : '';
    return { kind, summary: `${why}${detail || `ipmitool exited with status ${String(outcome.code)}`}`, detail };
  }
}

/** The client the ipmitool interfaces use unless a test gives them another. */
export const defaultIpmitoolClient = new IpmitoolClient();
