import { Outcome } from '@overlap/shared';
import { OverlapError, codeGuard } from './OverlapError.js';

/** A tool's circuit breaker is open after repeated failures; the call failed fast without running. */
export class CircuitOpenError extends OverlapError {
  readonly code = 'OVERLAP_CIRCUIT_OPEN' as const;
  /** A call that fails with it never ran: its outcome is `rejected`. */
  readonly outcome = Outcome.REJECTED;

  constructor(
    readonly tool: string,
    /** Milliseconds until the breaker lets a probe call through. */
    readonly retryInMs: number,
  ) {
    super(`circuit for tool "${tool}" is open; next probe in ${Math.max(0, Math.round(retryInMs))} ms`);
  }
}

/** Whether `error` is a {@link CircuitOpenError}. */
export const isCircuitOpenError = codeGuard<CircuitOpenError>('OVERLAP_CIRCUIT_OPEN');
