import { Outcome } from '@overlap/shared';
import { OverlapError, codeGuard } from './OverlapError.js';

/** A call's attempt ran longer than the tool's `timeoutMs`. */
export class ToolTimeoutError extends OverlapError {
  readonly code = 'OVERLAP_TOOL_TIMEOUT' as const;
  /** A call that fails with it ran out of time: its outcome is `timeout`. */
  readonly outcome = Outcome.TIMEOUT;

  constructor(
    readonly tool: string,
    readonly timeoutMs: number,
    /** The attempt that timed out, from 1. */
    readonly attempt: number,
    /** State of the gates the call held, such as `orders: 2 running, 5 queued`. */
    readonly gates: string,
  ) {
    super(`tool "${tool}" timed out after ${timeoutMs} ms (attempt ${attempt}${gates ? `; gates ${gates}` : ''})`);
  }
}

/** Whether `error` is a {@link ToolTimeoutError}. */
export const isToolTimeoutError = codeGuard<ToolTimeoutError>('OVERLAP_TOOL_TIMEOUT');
