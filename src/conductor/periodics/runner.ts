// Starts the periodic jobs of a conductor; each job never overlaps itself and stops with the service.
import { log } from '../../common/log.js';
import type { ConductorContext } from '../context.js';
import { PowerSync } from './power-sync.js';
import { releaseDeadConductorReservations } from './stale-reservations.js';
import { failTimedOutWaits } from './timeouts.js';

export class Periodics {
  readonly #timers: NodeJS.Timeout[] = [];
  readonly #running = new Set<Promise<unknown>>();
  readonly powerSync: PowerSync;

  constructor(private readonly ctx: ConductorContext) {
    this.powerSync = new PowerSync(ctx);
  }

  start(): void {
    const { config } = this.ctx;
    if (config.powerStateSyncInterval > 0) this.#every('power state sync', config.powerStateSyncInterval, () => this.powerSync.runOnce());
    if (config.periodicCheckInterval > 0) {
      this.#every('wait timeouts', config.periodicCheckInterval, () => failTimedOutWaits(this.ctx));
      this.#every('stale reservations', config.periodicCheckInterval, () => releaseDeadConductorReservations(this.ctx));
    }
  }

  #every(name: string, seconds: number, job: () => Promise<unknown>): void {
    let busy = false;
    const timer = setInterval(() => {
      if (busy) return;
      busy = true;
      const p = job()
        .catch((err: Error) => log.error(`periodic ${name} failed`, { error: err.message }))
        .finally(() => { busy = false; this.#running.delete(p); });
      this.#running.add(p);
    }, seconds * 1000);
    timer.unref();
    this.#timers.push(timer);
  }

  async stop(): Promise<void> {
    for (const t of this.#timers.splice(0)) clearInterval(t);
    await Promise.all([...this.#running]);
  }
}
