import { Outcome } from '@overlap/shared';
import { OverlapError, codeGuard } from './OverlapError.js';

/** A gate's queue already held `maxQueue` waiters, so the call failed at once instead of piling up. */
export class QueueFullError extends OverlapError {
  readonly code = 'OVERLAP_QUEUE_FULL' as const;
  /** A call that fails with it never ran: its outcome is `rejected`. */
  readonly outcome = Outcome.REJECTED;

  constructor(
    readonly gate: string,
    readonly maxQueue: number,
    readonly inFlight: number,
  ) {
    super(`gate "${gate}" is full: ${inFlight} running, ${maxQueue} queued (maxQueue ${maxQueue})`);
  }
}

/** Whether `error` is a {@link QueueFullError}. */
export const isQueueFullError = codeGuard<QueueFullError>('OVERLAP_QUEUE_FULL');
