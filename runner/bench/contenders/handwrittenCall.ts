import { SpanStatusCode, type Span, type Tracer } from '@opentelemetry/api';
import { OverlapAttributes } from '@overlap/shared';
import { TIMEOUT_MS, TOOL_NAME, type Body } from './Contender.js';

class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
}

/**
 * The body of one hand-written call that holds its permit: an `AbortController` linked to the run's
 * signal, a `setTimeout` that fails the call even if the body ignores its signal, and the call's span
 * ended when the call settles. With a `waitMs` (the "same spans" contender), the span also gets the
 * runner's end attributes: outcome, attempt and queue wait.
 */
export function runBody(body: Body, i: number, runSignal: AbortSignal, span: Span, waitMs?: number): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const controller = new AbortController();
    let settled = false;
    const end = (outcome: string): void => {
      if (waitMs !== undefined) {
        span.setAttribute(OverlapAttributes.OUTCOME, outcome);
        span.setAttribute(OverlapAttributes.ATTEMPT, 1);
        span.setAttribute(OverlapAttributes.QUEUE_WAIT_MS, waitMs);
      }
      span.end();
    };
    const fail = (error: unknown): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      runSignal.removeEventListener('abort', onRunAbort);
      controller.abort(error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: String(error) });
      end(error instanceof TimeoutError ? 'timeout' : 'error');
      reject(error);
    };
    const onRunAbort = (): void => fail(runSignal.reason);
    const timer = setTimeout(() => fail(new TimeoutError(`${TOOL_NAME} timed out after ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
    runSignal.addEventListener('abort', onRunAbort, { once: true });
    let result: number | Promise<number>;
    try {
      result = body(i, controller.signal);
    } catch (error) {
      fail(error);
      return;
    }
    Promise.resolve(result).then((value) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      runSignal.removeEventListener('abort', onRunAbort);
      end('ok');
      resolve(value);
    }, fail);
  });
}

/**
 * One hand-written run: a run span and a run `AbortController` that follows the caller's signal, the
 * `n` calls issued at once and awaited together. `onRunSpan` may add attributes to the run span; its
 * `outcome` is called with 'ok' or 'error' before the run span ends.
 */
export function runCalls(
  tracer: Tracer,
  runSpanName: string,
  n: number,
  caller: AbortSignal,
  onIssued: (() => void) | undefined,
  call: (i: number, runSignal: AbortSignal) => Promise<number>,
  runSpanAttributes?: { start(span: Span): void; outcome(span: Span, outcome: 'ok' | 'error'): void },
): Promise<number[]> {
  return tracer.startActiveSpan(runSpanName, async (runSpan) => {
    runSpanAttributes?.start(runSpan);
    const run = new AbortController();
    const onCallerAbort = (): void => run.abort(caller.reason);
    caller.addEventListener('abort', onCallerAbort, { once: true });
    try {
      const calls = new Array<Promise<number>>(n);
      for (let i = 0; i < n; i += 1) calls[i] = call(i, run.signal);
      onIssued?.();
      const results = await Promise.all(calls);
      runSpanAttributes?.outcome(runSpan, 'ok');
      return results;
    } catch (error) {
      runSpanAttributes?.outcome(runSpan, 'error');
      run.abort(error);
      throw error;
    } finally {
      caller.removeEventListener('abort', onCallerAbort);
      runSpan.end();
    }
  });
}
