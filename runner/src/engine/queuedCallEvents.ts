import type { Attributes, HrTime } from '@opentelemetry/api';
import { EventChannel } from './EventChannel.js';

/**
 * A call that started waiting at a gate, told to whoever shows calls live (the dashboard link of
 * `@overlap/runner/telemetry`). A queued call has no span of its own until it leaves the queue; this
 * notice says what its spans will be, so a live view can draw the wait meanwhile.
 */
export interface QueuedCallNotice {
  /** Unique among the waits this process announces. */
  readonly queueId: number;
  readonly traceId: string;
  /** The span the call's span will be a child of. */
  readonly parentSpanId: string;
  /** The call's span, when it already has one (a retry, or a second gate after a first wait). */
  readonly callSpanId: string | undefined;
  readonly spanName: string;
  /** The attributes the call's span starts with. Do not change them. */
  readonly attributes: Attributes;
  readonly gate: string;
  readonly gateKind: string;
  /** When the call was issued (its span's start) and when it joined the queue (its queue span's start). */
  readonly issuedAt: HrTime;
  readonly queuedAt: HrTime;
  /** Waiters ahead of it when it joined. */
  readonly ahead: number;
}

/** A wait that ended: the call was granted, turned away or cancelled. Told before its spans are written. */
export interface DequeuedCallNotice {
  readonly queueId: number;
  readonly traceId: string;
}

/**
 * The engine's hook for live views of queued calls: every runner in the process tells these channels
 * when a sampled call starts and stops waiting at a gate, as every runner's spans go to the one global
 * tracer provider. With no listener (no live view), a queued call costs one length check.
 *
 * @example
 * ```ts
 * const stop = queuedCallEvents.queued.on((call) => console.log(`${call.spanName} waits for ${call.gate}`));
 * ```
 */
export const queuedCallEvents = {
  queued: new EventChannel<QueuedCallNotice>(),
  dequeued: new EventChannel<DequeuedCallNotice>(),
};

let lastQueueId = 0;

/** A new {@link QueuedCallNotice.queueId}. */
export function nextQueueId(): number {
  lastQueueId += 1;
  return lastQueueId;
}
