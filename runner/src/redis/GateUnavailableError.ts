import { Outcome } from '@overlap/shared';
import { OverlapError, codeGuard } from '../errors/OverlapError.js';

/** Why a shared gate could not serve a call. */
export type GateUnavailableReason =
  /** The connection to Redis is down (or was never up) and the gate fails closed. */
  | 'redis_down'
  /** Redis answered with an error or did not answer in time, and the gate fails closed. */
  | 'redis_error'
  /** The gates were closed with `close()`. */
  | 'closed';

/**
 * A shared gate could not reach Redis and fails closed (`onRedisDown: 'fail-closed'`), or was closed. It is
 * thrown at once, never after a wait, and says `retryable: true`: a retry after a back-off may find Redis
 * back.
 *
 * @example
 * ```ts
 * try {
 *   await runner.call(callModel, input);
 * } catch (error) {
 *   if (isGateUnavailableError(error)) return cachedAnswer(input);
 *   throw error;
 * }
 * ```
 */
export class GateUnavailableError extends OverlapError {
  readonly code = 'OVERLAP_GATE_UNAVAILABLE' as const;
  /** Transient: Redis may be back for the next attempt. */
  readonly retryable = true;
  /** Thrown before the call ran (at once, never after a wait): its outcome is `rejected`. */
  readonly outcome = Outcome.REJECTED;

  constructor(
    /** Name of the gate. */
    readonly gate: string,
    readonly reason: GateUnavailableReason,
    options?: { cause?: unknown },
  ) {
    super(`shared gate "${gate}" is unavailable: ${describeReason(reason, options?.cause)}`, options);
  }
}

/** Whether `error` is a {@link GateUnavailableError}. */
export const isGateUnavailableError = codeGuard<GateUnavailableError>('OVERLAP_GATE_UNAVAILABLE');

function describeReason(reason: GateUnavailableReason, cause: unknown): string {
  const detail = cause instanceof Error && cause.message !== '' ? ` (${cause.message})` : '';
  switch (reason) {
    case 'redis_down':
      return `Redis is unreachable${detail}, and the gate fails closed`;
    case 'redis_error':
      return `Redis did not serve the request${detail}, and the gate fails closed`;
    case 'closed':
      return 'the shared gates were closed';
  }
}
