import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { OverlapAttributes } from '@overlap/shared';
import { GateBase, OverlapError, RetriesExhaustedError, ToolTimeoutError, defineTool, type GateWaiter, type Permit } from '../src/index.js';
import { GateUnavailableError } from '../src/redis/index.js';
import { tracedRunner } from './helpers.js';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

/** A gate of a kind the runner has never heard of, which turns every call away at once with `error`. */
class RefusingGate extends GateBase {
  readonly kind = 'refusing';
  readonly holdsPermits = true;
  readonly inFlight = 0;
  readonly queued = 0;
  constructor(readonly error: unknown) {
    super('refusing');
  }
  enter(_waiter: GateWaiter): Permit | undefined {
    throw this.error;
  }
  leave(): boolean {
    return false;
  }
}

/** Its own error states that a call it turns away never ran. */
class BudgetSpentError extends OverlapError {
  readonly code = 'ACME_BUDGET_SPENT';
  readonly outcome = 'rejected' as const;
}

describe('outcome', () => {
  it("call() - a new gate's error that states `outcome: 'rejected'` is recorded as rejected, with no edit in the runner", async () => {
    const t = tracedRunner();
    const tool = defineTool({ name: 'spend', input: z.object({}), gates: [new RefusingGate(new BudgetSpentError('budget spent'))], run: () => 'ran' });
    await expect(t.runner.call(tool, {})).rejects.toBeInstanceOf(BudgetSpentError);
    const span = t.one('execute_tool spend');
    expect(span.attributes[OverlapAttributes.OUTCOME]).toBe('rejected');
    expect(span.attributes['error.type']).toBe('ACME_BUDGET_SPENT');
  });

  it("call() - the Redis gates' GateUnavailableError, thrown at once, is recorded as rejected (it never ran)", async () => {
    const t = tracedRunner();
    const tool = defineTool({ name: 'model', input: z.object({}), gates: [new RefusingGate(new GateUnavailableError('model-api', 'redis_down'))], run: () => 'ran' });
    await expect(t.runner.call(tool, {})).rejects.toBeInstanceOf(GateUnavailableError);
    expect(t.one('execute_tool model').attributes[OverlapAttributes.OUTCOME]).toBe('rejected');
  });

  it('call() - an error without an outcome of its own, or with one that is not an outcome, is an error', async () => {
    const t = tracedRunner();
    const odd = Object.assign(new Error('odd'), { outcome: 'ok' });
    const tool = defineTool({ name: 'odd', input: z.object({}), run: () => Promise.reject(odd) });
    await expect(t.runner.call(tool, {})).rejects.toBe(odd);
    expect(t.one('execute_tool odd').attributes[OverlapAttributes.OUTCOME]).toBe('error');
  });

  it("RetriesExhaustedError - takes the outcome its last attempt's error states", async () => {
    const t = tracedRunner();
    const slow = defineTool({ name: 'slow', input: z.object({}), timeoutMs: 10, retry: { attempts: 2, baseDelayMs: 0 }, run: (_i, { signal }) => new Promise((_r, reject) => signal.addEventListener('abort', () => reject(signal.reason))) });
    const settled = t.runner.call(slow, {}).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(100);
    const error = (await settled) as RetriesExhaustedError;
    expect(error).toBeInstanceOf(RetriesExhaustedError);
    expect(error.cause).toBeInstanceOf(ToolTimeoutError);
    expect(error.outcome).toBe('timeout');
    const span = t.one('execute_tool slow');
    expect(span.attributes[OverlapAttributes.OUTCOME]).toBe('timeout');
    // Each failed attempt says how it ended, so a reader can tell an attempt turned away at a gate.
    const failed = span.events.filter((e) => e.name === 'overlap.attempt.failed').map((e) => e.attributes?.[OverlapAttributes.OUTCOME]);
    expect(failed).toEqual(['timeout', 'timeout']);
  });
});
