// Runs conductor actions in the background with bounded parallelism; callers get their answer (202) at once.
// `idle()` lets shutdown and tests wait until every started action has settled; `stop()` (shutdown) lets
// running actions finish but starts no queued or new one: their nodes' locks are released by the caller.
import { log } from '../common/log.js';

export class BackgroundWork {
  #running = 0;
  readonly #queue: (() => Promise<void>)[] = [];
  readonly #idleWaiters: (() => void)[] = [];
  #stopped = false;

  constructor(private readonly limit: number) {}

  get pending(): number {
    return this.#running + this.#queue.length;
  }

  get running(): number {
    return this.#running;
  }

  /** Queues `job`; its errors are logged (jobs record their own failures on the node). After stop() it is dropped. */
  run(job: () => Promise<void>): void {
    if (this.#stopped) {
      log.warn('background action not started: the conductor is stopping');
      return;
    }
    this.#queue.push(job);
    this.#pump();
  }

  /** Shutdown: drops the queued actions (returns how many) and starts nothing new; running ones go on. */
  stop(): number {
    this.#stopped = true;
    const dropped = this.#queue.splice(0).length;
    if (this.pending === 0) for (const w of this.#idleWaiters.splice(0)) w();
    return dropped;
  }

  #pump(): void {
    while (this.#running < this.limit && this.#queue.length > 0) {
      const job = this.#queue.shift()!;
      this.#running++;
      void job()
        .catch((err: Error) => log.error('background action failed', { error: err.message, stack: err.stack }))
        .finally(() => {
          this.#running--;
          this.#pump();
          if (this.pending === 0) for (const w of this.#idleWaiters.splice(0)) w();
        });
    }
  }

  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** idle(), but gives up after `ms`: true when everything settled in time. */
  async idleWithin(ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
    try {
      return await Promise.race([this.idle().then(() => true as const), late]);
    } finally {
      clearTimeout(timer);
    }
  }
}
