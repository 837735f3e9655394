// Runs conductor actions in the background with bounded parallelism; callers get their answer (202) at once.
// `idle()` lets shutdown and tests wait until every started action has settled.
import { log } from '../common/log.js';

export class BackgroundWork {
  #running = 0;
  readonly #queue: (() => Promise<void>)[] = [];
  readonly #idleWaiters: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  get pending(): number {
    return this.#running + this.#queue.length;
  }

  /** Queues `job`; its errors are logged (jobs record their own failures on the node). */
  run(job: () => Promise<void>): void {
    this.#queue.push(job);
    this.#pump();
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
}
