import { OverlapError, codeGuard } from './OverlapError.js';

/**
 * Work was cancelled by Overlap itself: a race was won by another call, a sibling in `all` failed, or a
 * run ended while calls it started were still open. When a caller's own `AbortSignal` aborts, the call
 * rejects with that signal's `reason` instead.
 */
export class CancelledError extends OverlapError {
  readonly code = 'OVERLAP_CANCELLED' as const;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Whether `error` is a {@link CancelledError}. */
export const isCancelledError = codeGuard<CancelledError>('OVERLAP_CANCELLED');
