import { deliverDueMessages, type MessageDeliveryDeps } from '@enforcer/core';

/** Messages one pass leases at most. */
const BATCH = 20;

/**
 * The mail outbox's delivery worker: the core's `deliverDueMessages` on a timer, and at once when a request
 * of this process queued a message (`nudge`). Several processes may run one: leases are taken with
 * `FOR UPDATE SKIP LOCKED`, so a message is attempted by one of them at a time; a process killed
 * mid-attempt loses nothing (the lease runs out and the message is due again).
 */
export class MessageWorker {
  readonly #deps: MessageDeliveryDeps;
  readonly #pollIntervalMs: number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #running: Promise<void> | undefined;
  #again = false;
  #stopped = true;

  constructor(deps: MessageDeliveryDeps, options: { pollIntervalMs: number }) {
    this.#deps = deps;
    this.#pollIntervalMs = options.pollIntervalMs;
  }

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#schedule(0);
  }

  /** Stops polling and waits for the pass in flight (its attempts recorded). */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running;
  }

  /** Looks for due messages now (a request has just queued one). */
  nudge(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    clearTimeout(this.#timer);
    this.#schedule(0);
  }

  /** One pass, awaited (tests). Returns how many messages it attempted. */
  runOnce(): Promise<number> {
    return deliverDueMessages(this.#deps, BATCH);
  }

  #schedule(delayMs: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#running = this.runOnce().then(
        (attempted) => this.#next(attempted >= BATCH),
        (error) => {
          this.#deps.log?.('message worker pass failed (retried at the next one)', error);
          this.#next(false);
        },
      );
    }, delayMs);
    this.#timer.unref();
  }

  #next(full: boolean): void {
    this.#running = undefined;
    const soon = full || this.#again;
    this.#again = false;
    this.#schedule(soon ? 0 : this.#pollIntervalMs);
  }
}
