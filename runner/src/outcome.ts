import { Outcome } from '@overlap/shared';
import { isCircuitOpenError } from './errors/CircuitOpenError.js';
import { isDeadlineExceededError } from './errors/DeadlineExceededError.js';
import { isQueueFullError } from './errors/QueueFullError.js';
import { isQueueTimeoutError } from './errors/QueueTimeoutError.js';
import { isRetriesExhaustedError } from './errors/RetriesExhaustedError.js';
import { isToolInputError } from './errors/ToolInputError.js';
import { isToolTimeoutError } from './errors/ToolTimeoutError.js';

/**
 * The outcome a failed call or run records. `cancelledBy` is the reason its scope was cancelled with,
 * if it was: an error equal to it is a cancellation unless the reason is the run's deadline.
 */
export function outcomeOf(error: unknown, cancelledBy?: unknown): Outcome {
  if (isRetriesExhaustedError(error)) return outcomeOf(error.cause);
  if (isToolTimeoutError(error) || isDeadlineExceededError(error)) return Outcome.TIMEOUT;
  if (isToolInputError(error) || isQueueFullError(error) || isQueueTimeoutError(error) || isCircuitOpenError(error)) {
    return Outcome.REJECTED;
  }
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
