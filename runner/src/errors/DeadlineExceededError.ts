import { Outcome } from '@overlap/shared';
import { OverlapError, codeGuard } from './OverlapError.js';

/** A run went past its `deadlineMs`; every call still open in it is stopped with this error. */
export class DeadlineExceededError extends OverlapError {
  readonly code = 'OVERLAP_DEADLINE_EXCEEDED' as const;
  /** A call that fails with it ran out of time: its outcome is `timeout`. */
  readonly outcome = Outcome.TIMEOUT;

  constructor(
    readonly agent: string,
    readonly deadlineMs: number,
  ) {
    super(`run of agent "${agent}" passed its deadline of ${deadlineMs} ms`);
  }
}

/** Whether `error` is a {@link DeadlineExceededError}. */
export const isDeadlineExceededError = codeGuard<DeadlineExceededError>('OVERLAP_DEADLINE_EXCEEDED');
