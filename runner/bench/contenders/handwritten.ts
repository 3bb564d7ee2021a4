import { SpanStatusCode, type Span, type Tracer } from '@opentelemetry/api';
import { LIMIT, TIMEOUT_MS, TOOL_NAME, type Body, type Contender } from './Contender.js';
import { FifoSemaphore } from './FifoSemaphore.js';

class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
}

/**
 * What a careful engineer writes without the runner: a hand-written FIFO semaphore of 16, and for each
 * call that gets a permit an `AbortController` linked to the run's signal, a `setTimeout` that fails
 * the call even if the body ignores its signal, and a span (`startActiveSpan`) with the GenAI
 * attributes; all under a run span and a run `AbortController` that follows the caller's signal. One
 * span per call: no queue span.
 */
export function handwrittenContender(tracer: Tracer, body: Body, name = 'handwritten'): Contender {
  const semaphore = new FifoSemaphore(LIMIT);
  let callSeq = 0;

  function runBody(i: number, runSignal: AbortSignal, span: Span): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      const controller = new AbortController();
      let settled = false;
      const fail = (error: unknown): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        runSignal.removeEventListener('abort', onRunAbort);
        controller.abort(error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: String(error) });
        span.end();
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
        span.end();
        resolve(value);
      }, fail);
    });
  }

  async function call(i: number, runSignal: AbortSignal): Promise<number> {
    await semaphore.acquire();
    try {
      runSignal.throwIfAborted();
      callSeq += 1;
      return await tracer.startActiveSpan(
        `execute_tool ${TOOL_NAME}`,
        {
          attributes: {
            'gen_ai.operation.name': 'execute_tool',
            'gen_ai.tool.name': TOOL_NAME,
            'gen_ai.tool.call.id': `call_${callSeq}`,
          },
        },
        (span) => runBody(i, runSignal, span),
      );
    } finally {
      semaphore.release();
    }
  }

  return {
    name,
    handsOffAtOnce: true,
    spansPerRun: (n) => n + 1,
    state: () => ({ inFlight: semaphore.inFlight, queued: semaphore.queued }),
    run: (n, caller, onIssued) =>
      tracer.startActiveSpan('invoke_agent bench', async (runSpan) => {
        const run = new AbortController();
        const onCallerAbort = (): void => run.abort(caller.reason);
        caller.addEventListener('abort', onCallerAbort, { once: true });
        try {
          const calls = new Array<Promise<number>>(n);
          for (let i = 0; i < n; i += 1) calls[i] = call(i, run.signal);
          onIssued?.();
          return await Promise.all(calls);
        } catch (error) {
          run.abort(error);
          throw error;
        } finally {
          caller.removeEventListener('abort', onCallerAbort);
          runSpan.end();
        }
      }),
  };
}
