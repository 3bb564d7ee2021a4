/**
 * A counting semaphore as a careful engineer writes one by hand: first come, first served, the queue an
 * array read from a moving head (no `shift()`), a permit handed straight to the next waiter, and no
 * listener per waiter (a waiter cancelled while queued finds out when it is granted, and gives the
 * permit back at once).
 */
export class FifoSemaphore {
  #free: number;
  #waiters: Array<(() => void) | undefined> = [];
  #head = 0;

  constructor(readonly permits: number) {
    this.#free = permits;
  }

  get inFlight(): number {
    return this.permits - this.#free;
  }

  get queued(): number {
    return this.#waiters.length - this.#head;
  }

  /** Resolves when the caller holds a permit. */
  acquire(): Promise<void> {
    if (this.#free > 0) {
      this.#free -= 1;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      this.#waiters.push(resolve);
    });
  }

  release(): void {
    if (this.#head === this.#waiters.length) {
      this.#free += 1;
      return;
    }
    const next = this.#waiters[this.#head]!;
    this.#waiters[this.#head] = undefined;
    this.#head += 1;
    if (this.#head === this.#waiters.length) {
      this.#waiters = [];
      this.#head = 0;
    } else if (this.#head >= 4096 && this.#head * 2 >= this.#waiters.length) {
      this.#waiters = this.#waiters.slice(this.#head);
      this.#head = 0;
    }
    next();
  }
}
