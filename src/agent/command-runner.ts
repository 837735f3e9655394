// The command machinery of IPA's ExecuteCommandMixin: `<extension>.<command>` names, one command at a time
// (409 AgentIsBusy while the last one RUNS), sync commands answered when done, async ones answered RUNNING
// at once and finished in the background (then an extra heartbeat), and every result kept in order with
// IPA's shape: {id, command_name (unprefixed), command_status, command_error, command_result}.
import { randomUUID } from 'node:crypto';
import { log } from '../common/log.js';
import {
  AgentError, AgentIsBusyError, asAgentError, InvalidCommandError, isInvalidContent, RequestedObjectNotFoundError,
} from './errors.js';

export type CommandStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CLEAN_VERSION_MISMATCH';

export interface CommandContext {
  /** While an async command runs: what its result shows until it ends (progress of a long write). */
  progress(result: unknown): void;
}

export interface CommandDef {
  readonly mode: 'sync' | 'async';
  /** Runs before the command starts; InvalidCommandParamsError here answers 400 like IPA's validators. */
  validate?(params: Record<string, unknown>): void;
  run(params: Record<string, unknown>, ctx: CommandContext): Promise<unknown>;
}

export type Extension = Readonly<Record<string, CommandDef>>;

export interface CommandResultView {
  readonly id: string;
  readonly command_name: string;
  readonly command_status: CommandStatus;
  readonly command_error: ReturnType<AgentError['serialize']> | null;
  readonly command_result: unknown;
}

class CommandRecord {
  readonly id = randomUUID();
  status: CommandStatus = 'RUNNING';
  error: AgentError | null = null;
  result: unknown = null;
  done: Promise<void> = Promise.resolve();

  constructor(readonly name: string) {}

  view(): CommandResultView {
    return { id: this.id, command_name: this.name, command_status: this.status, command_error: this.error?.serialize() ?? null, command_result: this.result };
  }
}

/** A plain-string result becomes {result: "<name>: <text>"} (async) or {result: text} (sync), as IPA does. */
function wrapResult(name: string, value: unknown, mode: 'sync' | 'async'): unknown {
  if (typeof value === 'string') return { result: mode === 'async' ? `${name}: ${value}` : value };
  return value === undefined ? null : value;
}

export class CommandRunner {
  readonly #extensions: Map<string, Extension>;
  readonly #results = new Map<string, CommandRecord>();
  /** A sync command runs without a record until it ends; this keeps a second one out meanwhile. */
  #syncRunning: string | null = null;

  constructor(extensions: Readonly<Record<string, Extension>>, private readonly onAsyncDone: () => void) {
    this.#extensions = new Map(Object.entries(extensions));
  }

  list(): CommandResultView[] {
    return [...this.#results.values()].map((r) => r.view());
  }

  /** @throws RequestedObjectNotFoundError */
  async get(id: string, wait: boolean): Promise<CommandResultView> {
    const r = this.#results.get(id);
    if (!r) throw new RequestedObjectNotFoundError('Command Result', id);
    if (wait) await r.done;
    return r.view();
  }

  /** True while a command runs (the API's busy answer). */
  busy(): string | null {
    if (this.#syncRunning) return this.#syncRunning;
    const last = [...this.#results.values()].at(-1);
    return last?.status === 'RUNNING' ? last.name : null;
  }

  /**
   * Starts a command. @returns its record's view once sync commands end (async: at once, RUNNING) and,
   * with `wait`, once async ones end too. @throws AgentError answered as HTTP errors (400, 404, 409).
   */
  async execute(fullName: string, params: Record<string, unknown>, wait: boolean): Promise<CommandResultView> {
    const running = this.busy();
    if (running) throw new AgentIsBusyError(running);
    const dot = fullName.indexOf('.');
    if (dot <= 0 || dot === fullName.length - 1) throw new InvalidCommandError('Command name must be of the form <extension>.<name>');
    const extName = fullName.slice(0, dot);
    const name = fullName.slice(dot + 1);
    const ext = this.#extensions.get(extName);
    if (!ext) throw new RequestedObjectNotFoundError('Extension', extName);
    const def = Object.hasOwn(ext, name) ? ext[name] : undefined;
    if (!def) throw new InvalidCommandError(`Unknown command: ${name}`);
    const record = new CommandRecord(name);
    log.info('Executing command', { command: fullName });
    if (def.mode === 'sync') {
      this.#syncRunning = name;
      try {
        def.validate?.(params);
        record.result = wrapResult(name, await def.run(params, { progress: () => undefined }), 'sync');
        record.status = 'SUCCEEDED';
      } catch (err) {
        if (isInvalidContent(err)) throw err;
        this.#fail(record, err, fullName);
      } finally {
        this.#syncRunning = null;
      }
      this.#results.set(record.id, record);
      return record.view();
    }
    try {
      def.validate?.(params);
    } catch (err) {
      if (isInvalidContent(err)) throw err;
      // IPA records a validator's other failures as a failed synchronous result.
      this.#fail(record, err, fullName);
      this.#results.set(record.id, record);
      return record.view();
    }
    this.#results.set(record.id, record);
    record.done = (async () => {
      try {
        const value = await def.run(params, { progress: (p) => { if (record.status === 'RUNNING') record.result = p; } });
        record.result = wrapResult(name, value, 'async');
        record.status = 'SUCCEEDED';
        log.info('Asynchronous command completed', { command: fullName });
      } catch (err) {
        this.#fail(record, err, fullName);
      }
      // The conductor advances on heartbeats: tell it now rather than at the next period.
      this.onAsyncDone();
    })();
    if (wait) await record.done;
    return record.view();
  }

  #fail(record: CommandRecord, err: unknown, fullName: string): void {
    const e = asAgentError(err);
    record.error = e;
    record.result = null;
    record.status = e.type === 'VersionMismatch' ? 'CLEAN_VERSION_MISMATCH' : 'FAILED';
    log.error('Command failed', { command: fullName, error: e.message });
  }
}
