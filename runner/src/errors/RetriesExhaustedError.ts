import { Outcome } from '@overlap/shared';
import { outcomeStatedBy } from '../engine/outcome.js';
import { OverlapError, codeGuard } from './OverlapError.js';

/** Why a retrying call stopped. */
export type RetryStopReason = 'exhausted' | 'deadline';

/**
 * A call that may retry failed on its last attempt: every attempt was used (`exhausted`), or the run's
 * deadline could not fit the next one (`deadline`). `cause` is the last attempt's error.
 */
export class RetriesExhaustedError extends OverlapError {
  readonly code = 'OVERLAP_RETRIES_EXHAUSTED' as const;
  /** The outcome the last attempt's error states (a call that timed out three times timed out), else `error`. */
  readonly outcome: Outcome;

  constructor(
    readonly tool: string,
    /** Attempts started. */
    readonly attempts: number,
    readonly reason: RetryStopReason,
    /** The last attempt's error. */
    cause: unknown,
  ) {
    super(
      reason === 'deadline'
        ? `tool "${tool}" failed after ${attempts} attempt(s); the run deadline leaves no room for another: ${messageOf(cause)}`
        : `tool "${tool}" failed after ${attempts} attempt(s): ${messageOf(cause)}`,
      { cause },
    );
    this.outcome = outcomeStatedBy(cause) ?? Outcome.ERROR;
  }
}

/** Whether `error` is a {@link RetriesExhaustedError}. */
export const isRetriesExhaustedError = codeGuard<RetriesExhaustedError>('OVERLAP_RETRIES_EXHAUSTED');

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
