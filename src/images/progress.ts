// Progress of one image transfer: throttled calls of the caller's listeners (the conductor records them on
// the node) and a log line every LOG_EVERY_MS, so a long download is visible without flooding either.
import { log } from '../common/log.js';

export interface DownloadProgress {
  readonly bytesDone: number;
  /** Null when the origin did not say (no Content-Length). */
  readonly totalBytes: number | null;
}

export type ProgressListener = (progress: DownloadProgress) => void;

const LOG_EVERY_MS = 10_000;

export class ProgressTicker {
  readonly #what: string;
  readonly #intervalMs: number;
  readonly #listener: ProgressListener | undefined;
  readonly #started = Date.now();
  #total: number | null = null;
  #lastCall = 0;
  #lastLog = Date.now();

  constructor(what: string, intervalMs: number, listener?: ProgressListener) {
    this.#what = what;
    this.#intervalMs = intervalMs;
    this.#listener = listener;
  }

  setTotal(total: number | null): void {
    this.#total = total;
  }

  tick(bytesDone: number): void {
    const now = Date.now();
    if (now - this.#lastCall >= this.#intervalMs) {
      this.#lastCall = now;
      this.#emit(bytesDone);
    }
    if (now - this.#lastLog >= LOG_EVERY_MS) {
      this.#lastLog = now;
      const seconds = (now - this.#started) / 1000;
      log.info('image transfer progress', {
        image: this.#what, bytesDone, totalBytes: this.#total,
        percent: this.#total ? Math.floor((100 * bytesDone) / this.#total) : null,
        mbPerS: Math.round(bytesDone / 1e6 / Math.max(seconds, 0.001)),
      });
    }
  }

  /** The final figure always reaches the listener, whatever the throttle says. */
  finish(bytesDone: number): void {
    this.#emit(bytesDone);
  }

  #emit(bytesDone: number): void {
    if (!this.#listener) return;
    try {
      this.#listener({ bytesDone, totalBytes: this.#total });
    } catch (err) {
      // A listener's bug (e.g. a failed node update) must not break the transfer itself.
      log.warn('image progress listener failed', { image: this.#what, error: (err as Error).message });
    }
  }
}
