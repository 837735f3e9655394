// Heartbeats to the API as IPA's heartbeater sends them: the first at once, then every
// heartbeat_timeout × U(0.3, 0.6) seconds, 5 × U(1, 2) s after a failure, and an extra one as soon as an
// asynchronous command finishes (the conductor moves to the next step on a heartbeat, so waiting for the
// period would stall every deploy). Never two at once: a forced beat during one in flight follows it.
import { log } from '../common/log.js';
import type { HeartbeatFields, IronicClient } from './ironic-client.js';

export class Heartbeater {
  #timer: NodeJS.Timeout | null = null;
  #inFlight = false;
  #forced = false;
  #stopped = false;
  /** Completed heartbeats (successful or not), for tests and logs. */
  beats = 0;

  constructor(
    private readonly client: IronicClient,
    private readonly nodeUuid: string,
    private readonly fields: () => HeartbeatFields,
    private readonly heartbeatTimeoutS: () => number,
  ) {}

  start(): void {
    this.#schedule(0);
  }

  /** Heartbeat now (after an async command finished). */
  force(): void {
    if (this.#stopped) return;
    if (this.#inFlight) {
      this.#forced = true;
      return;
    }
    this.#schedule(0);
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #schedule(ms: number): void {
    if (this.#stopped) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#beat(), ms);
  }

  async #beat(): Promise<void> {
    this.#timer = null;
    this.#inFlight = true;
    let nextMs: number;
    try {
      await this.client.heartbeat(this.nodeUuid, this.fields());
      nextMs = this.heartbeatTimeoutS() * 1000 * (0.3 + Math.random() * 0.3);
      log.debug('Heartbeat sent', { node: this.nodeUuid, next_in_s: Math.round(nextMs / 1000) });
    } catch (err) {
      nextMs = 5000 * (1 + Math.random());
      log.warn((err as { conflict?: boolean }).conflict ? 'Heartbeat conflict (node locked), retrying' : 'Heartbeat failed, retrying',
        { node: this.nodeUuid, error: (err as Error).message, retry_in_s: Math.round(nextMs / 1000) });
    } finally {
      this.#inFlight = false;
      this.beats++;
    }
    if (this.#forced) {
      this.#forced = false;
      nextMs = 0;
    }
    this.#schedule(nextMs);
  }
}
