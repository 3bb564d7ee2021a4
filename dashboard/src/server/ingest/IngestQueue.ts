import { validateOption } from '@overlap/shared';

/** Default of `maxIngestQueue`: OTLP requests read or decoded at once before more are refused. */
export const DEFAULT_MAX_INGEST_QUEUE = 32;

/** Seconds a refused exporter is asked to wait (`Retry-After`) before it sends again. */
export const INGEST_RETRY_AFTER_S = 1;

/**
 * The bound on OTLP requests in progress (admitted, body being read, decoded or stored, answer not yet
 * finished). Each holds up to `maxBodyMb` of body, so the bound caps ingest's memory at about
 * `maxIngestQueue × maxBodyMb`; past it requests are refused at once with 503 and `Retry-After`, which
 * OTLP exporters retry after the delay, rather than queued without limit.
 *
 * @example
 * ```ts
 * const queue = new IngestQueue(32);
 * const release = queue.tryEnter();
 * if (release === undefined) answer503();
 * else res.once('close', release);
 * ```
 */
export class IngestQueue {
  #queued = 0;
  #refused = 0;
  /** Most requests in progress at once. */
  readonly maxQueued: number;

  constructor(maxQueued: number = DEFAULT_MAX_INGEST_QUEUE) {
    this.maxQueued = validateOption.integer('maxIngestQueue', maxQueued, 1);
  }

  /** Requests in progress now. */
  get queued(): number {
    return this.#queued;
  }

  /** Requests refused because the queue was full, since start. */
  get refused(): number {
    return this.#refused;
  }

  /**
   * Admits a request when there is room.
   *
   * @returns a function that gives the place back (calling it more than once does nothing), or
   * `undefined` when the queue is full (counted in {@link IngestQueue.refused}).
   */
  tryEnter(): (() => void) | undefined {
    if (this.#queued >= this.maxQueued) {
      this.#refused++;
      return undefined;
    }
    this.#queued++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#queued--;
    };
  }
}
