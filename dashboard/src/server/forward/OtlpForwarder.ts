import type { OtlpEncoding } from '../ingest/rpcStatus.js';

/** Options of {@link OtlpForwarder}. */
export interface OtlpForwarderOptions {
  /** OTLP/HTTP traces URLs to forward to, such as Jaeger's `http://jaeger:4318/v1/traces`. */
  targets: readonly string[];
  /**
   * Most bytes waiting per target; past it the oldest batches are dropped (and counted), so a target
   * that is down never grows memory without bound.
   * @defaultValue 32 MiB
   */
  maxBufferedBytes?: number;
  /**
   * Longest wait between retries of a failing target.
   * @defaultValue 30000
   */
  maxRetryDelayMs?: number;
  /**
   * Time allowed for one request.
   * @defaultValue 10000
   */
  requestTimeoutMs?: number;
}

/** State of one forward target, as `/healthz` shows it. */
export interface ForwardTargetStats {
  url: string;
  queuedBatches: number;
  queuedBytes: number;
  sentBatches: number;
  /** Batches dropped: the buffer was full, or the target refused them for good (a 4xx other than 408/429). */
  droppedBatches: number;
  /** Requests that failed and were retried. */
  failedAttempts: number;
  lastError: string | undefined;
}

interface Batch {
  body: Buffer;
  contentType: string;
}

/** Default {@link OtlpForwarderOptions.maxBufferedBytes}. */
export const DEFAULT_FORWARD_BUFFER_BYTES = 32 * 1024 * 1024;
const FIRST_RETRY_DELAY_MS = 250;

const CONTENT_TYPE: Record<OtlpEncoding, string> = { protobuf: 'application/x-protobuf', json: 'application/json' };

class ForwardTarget {
  readonly stats: ForwardTargetStats;
  #queue: Batch[] = [];
  #sending = false;
  #retryDelayMs = FIRST_RETRY_DELAY_MS;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;
  /** Aborted by close(), so a request in flight does not outlive the forwarder. */
  readonly #closing = new AbortController();

  constructor(
    url: string,
    readonly maxBufferedBytes: number,
    readonly maxRetryDelayMs: number,
    readonly requestTimeoutMs: number,
  ) {
    this.stats = { url, queuedBatches: 0, queuedBytes: 0, sentBatches: 0, droppedBatches: 0, failedAttempts: 0, lastError: undefined };
  }

  enqueue(batch: Batch): void {
    if (this.#closed) return;
    this.#queue.push(batch);
    this.stats.queuedBytes += batch.body.length;
    while (this.stats.queuedBytes > this.maxBufferedBytes && this.#queue.length > 1) {
      const dropped = this.#queue.shift()!;
      this.stats.queuedBytes -= dropped.body.length;
      this.stats.droppedBatches += 1;
    }
    this.stats.queuedBatches = this.#queue.length;
    if (!this.#sending && this.#timer === undefined) void this.#sendNext();
  }

  async #sendNext(): Promise<void> {
    const batch = this.#queue[0];
    if (batch === undefined || this.#closed) return;
    this.#sending = true;
    let retryAfterMs: number | undefined;
    let outcome: 'sent' | 'retry' | 'refused';
    try {
      const response = await fetch(this.stats.url, {
        method: 'POST',
        headers: { 'content-type': batch.contentType },
        body: batch.body,
        signal: AbortSignal.any([this.#closing.signal, AbortSignal.timeout(this.requestTimeoutMs)]),
      });
      await response.arrayBuffer().catch(() => undefined);
      if (response.ok) outcome = 'sent';
      else if (response.status === 408 || response.status === 429 || response.status >= 500) {
        outcome = 'retry';
        this.stats.lastError = `HTTP ${response.status}`;
        const hint = Number(response.headers.get('retry-after'));
        if (Number.isFinite(hint) && hint >= 0) retryAfterMs = hint * 1000;
      } else {
        outcome = 'refused';
        this.stats.lastError = `HTTP ${response.status}`;
      }
    } catch (error) {
      outcome = 'retry';
      this.stats.lastError = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
    }
    this.#sending = false;
    if (this.#closed) return;
    if (outcome === 'retry') {
      this.stats.failedAttempts += 1;
      const delay = Math.min(this.maxRetryDelayMs, Math.max(retryAfterMs ?? 0, this.#retryDelayMs));
      this.#retryDelayMs = Math.min(this.maxRetryDelayMs, this.#retryDelayMs * 2);
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        void this.#sendNext();
      }, delay);
      this.#timer.unref();
      return;
    }
    // The batch may have been dropped for room while it was being sent: remove it only if still first.
    if (this.#queue[0] === batch) {
      this.#queue.shift();
      this.stats.queuedBytes -= batch.body.length;
    }
    if (outcome === 'sent') this.stats.sentBatches += 1;
    else this.stats.droppedBatches += 1;
    this.stats.queuedBatches = this.#queue.length;
    this.#retryDelayMs = FIRST_RETRY_DELAY_MS;
    void this.#sendNext();
  }

  close(): void {
    this.#closed = true;
    this.#closing.abort();
    if (this.#timer !== undefined) clearTimeout(this.#timer);
  }
}

/**
 * Forwards OTLP export requests to other OTLP/HTTP endpoints (Jaeger, a collector), as received. Each
 * target has its own bounded buffer and sends one request at a time, retrying with exponential back-off
 * (and Retry-After) while the target is down. {@link OtlpForwarder.forward} only appends to buffers, so
 * forwarding never slows down or blocks ingest.
 *
 * @example
 * ```ts
 * const forwarder = new OtlpForwarder({ targets: ['http://jaeger:4318/v1/traces'] });
 * forwarder.forward(body, 'protobuf');
 * ```
 */
export class OtlpForwarder {
  readonly #targets: ForwardTarget[];

  constructor(options: OtlpForwarderOptions) {
    this.#targets = options.targets.map(
      (url) =>
        new ForwardTarget(
          url,
          options.maxBufferedBytes ?? DEFAULT_FORWARD_BUFFER_BYTES,
          options.maxRetryDelayMs ?? 30_000,
          options.requestTimeoutMs ?? 10_000,
        ),
    );
  }

  /** Whether there is any target. */
  get enabled(): boolean {
    return this.#targets.length > 0;
  }

  /** Queues an export request body for every target. */
  forward(body: Buffer, encoding: OtlpEncoding): void {
    for (const target of this.#targets) target.enqueue({ body, contentType: CONTENT_TYPE[encoding] });
  }

  stats(): ForwardTargetStats[] {
    return this.#targets.map((t) => ({ ...t.stats }));
  }

  /** Stops sending; what is still buffered is dropped. */
  close(): void {
    for (const target of this.#targets) target.close();
  }
}
