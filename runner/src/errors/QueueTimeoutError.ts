import { Outcome } from '@overlap/shared';
import { OverlapError, codeGuard } from './OverlapError.js';

/** A call waited longer than a gate's `queueTimeoutMs` for a permit. */
export class QueueTimeoutError extends OverlapError {
  readonly code = 'OVERLAP_QUEUE_TIMEOUT' as const;
  /** A call that fails with it never ran: its outcome is `rejected`. */
  readonly outcome = Outcome.REJECTED;

  constructor(
    readonly gate: string,
    readonly queueTimeoutMs: number,
    readonly inFlight: number,
    readonly queued: number,
  ) {
    super(`waited ${queueTimeoutMs} ms for gate "${gate}" without a permit (${inFlight} running, ${queued} queued)`);
  }
}

/** Whether `error` is a {@link QueueTimeoutError}. */
export const isQueueTimeoutError = codeGuard<QueueTimeoutError>('OVERLAP_QUEUE_TIMEOUT');
