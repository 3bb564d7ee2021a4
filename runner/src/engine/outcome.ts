import { Outcome } from '@overlap/shared';

/** The outcomes an error can state: any but `ok`. */
const FAILURE_OUTCOMES: ReadonlySet<unknown> = new Set<Outcome>([Outcome.ERROR, Outcome.TIMEOUT, Outcome.CANCELLED, Outcome.REJECTED]);

/**
 * The outcome an error says a call that fails with it had: its `outcome` field, when that is one of
 * `error`, `timeout`, `cancelled` or `rejected`. Errors carry their outcome as they carry `retryable`, so
 * a new gate's error (thrown at once from `enter`: `outcome: 'rejected'`) needs no edit here.
 */
export function outcomeStatedBy(error: unknown): Outcome | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const outcome = (error as { outcome?: unknown }).outcome;
  return FAILURE_OUTCOMES.has(outcome) ? (outcome as Outcome) : undefined;
}

/**
 * The outcome a failed call or run records: the one the error states, else `cancelled` when the error is
 * the reason its scope was cancelled with (`cancelledBy`), else `error`.
 */
export function outcomeOf(error: unknown, cancelledBy?: unknown): Outcome {
  const stated = outcomeStatedBy(error);
  if (stated !== undefined) return stated;
  if (cancelledBy !== undefined && error === cancelledBy) return Outcome.CANCELLED;
  return Outcome.ERROR;
}

/** `error.type` of an error: its `code`, else its class name, else `_OTHER`. */
export function errorTypeOf(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && code.length > 0) return code;
    const name = (error as { name?: unknown }).name;
    if (typeof name === 'string' && name.length > 0) return name;
  }
  return '_OTHER';
}

/** Message of an error, or its text. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
