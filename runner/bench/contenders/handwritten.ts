import { SpanKind, SpanStatusCode, trace, context, type Span, type Tracer } from '@opentelemetry/api';
import { GenAiAttributes, OverlapAttributes, Phase, SpanNames } from '@overlap/shared';
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

/** The gate name the runner contender's Semaphore has (see runner.ts). */
const GATE = 'bench';

/**
 * The hand-written version again, writing the spans the runner writes for the same tool: the call span
 * starts at the call's issue time with the runner's attributes (operation and tool name at start; tool
 * type, timeout, gates and call id after; outcome, attempt and queue wait at the end), and a call that
 * waited for its permit gets a child queue span from its issue to the grant, with the gate's name, kind
 * and scope, the waiters ahead and the wait. Not what the issue compares against: it shows what the
 * runner's own machinery costs when both sides pay for the same telemetry.
 */
export function handwrittenSameSpansContender(tracer: Tracer, body: Body, name = 'handwritten, same spans'): Contender {
  const semaphore = new FifoSemaphore(LIMIT);
  const gates = Object.freeze([GATE]) as unknown as string[];
  let callSeq = 0;
  let runSeq = 0;

  function runBody(i: number, runSignal: AbortSignal, span: Span, waitMs: number): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      const controller = new AbortController();
      let settled = false;
      const end = (outcome: string): void => {
        span.setAttribute(OverlapAttributes.OUTCOME, outcome);
        span.setAttribute(OverlapAttributes.ATTEMPT, 1);
        span.setAttribute(OverlapAttributes.QUEUE_WAIT_MS, waitMs);
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

  async function call(i: number, runSignal: AbortSignal): Promise<number> {
    const issuedAt = performance.timeOrigin + performance.now();
    const ahead = semaphore.queued;
    const waited = semaphore.inFlight === LIMIT;
    await semaphore.acquire();
    try {
      runSignal.throwIfAborted();
      callSeq += 1;
      const span = tracer.startSpan(SpanNames.executeTool(TOOL_NAME), {
        kind: SpanKind.INTERNAL,
        startTime: issuedAt,
        attributes: { [GenAiAttributes.OPERATION_NAME]: 'execute_tool', [GenAiAttributes.TOOL_NAME]: TOOL_NAME },
      });
      span.setAttribute(GenAiAttributes.TOOL_TYPE, 'function');
      span.setAttribute(OverlapAttributes.TIMEOUT_MS, TIMEOUT_MS);
      span.setAttribute(OverlapAttributes.GATE, gates);
      span.setAttribute(GenAiAttributes.TOOL_CALL_ID, `call_${callSeq}`);
      const callContext = trace.setSpan(context.active(), span);
      let waitMs = 0;
      if (waited) {
        const grantedAt = performance.timeOrigin + performance.now();
        waitMs = grantedAt - issuedAt;
        const queueSpan = tracer.startSpan(SpanNames.queue(GATE), { startTime: issuedAt }, callContext);
        queueSpan.setAttribute(OverlapAttributes.PHASE, Phase.QUEUE);
        queueSpan.setAttribute(OverlapAttributes.GATE, GATE);
        queueSpan.setAttribute(OverlapAttributes.GATE_KIND, 'semaphore');
        queueSpan.setAttribute(OverlapAttributes.GATE_SCOPE, 'local');
        queueSpan.setAttribute(OverlapAttributes.QUEUE_AHEAD, ahead);
        queueSpan.setAttribute(OverlapAttributes.QUEUE_WAIT_MS, waitMs);
        queueSpan.end(grantedAt);
      }
      return await context.with(callContext, () => runBody(i, runSignal, span, waitMs));
    } finally {
      semaphore.release();
    }
  }

  return {
    name,
    handsOffAtOnce: true,
    spansPerRun: (n) => n + Math.max(0, n - LIMIT) + 1,
    state: () => ({ inFlight: semaphore.inFlight, queued: semaphore.queued }),
    run: (n, caller, onIssued) =>
      tracer.startActiveSpan(SpanNames.invokeAgent('bench'), async (runSpan) => {
        runSpan.setAttribute(GenAiAttributes.OPERATION_NAME, 'invoke_agent');
        runSpan.setAttribute(GenAiAttributes.AGENT_NAME, 'bench');
        runSpan.setAttribute(GenAiAttributes.AGENT_ID, `run_${++runSeq}`);
        const run = new AbortController();
        const onCallerAbort = (): void => run.abort(caller.reason);
        caller.addEventListener('abort', onCallerAbort, { once: true });
        try {
          const calls = new Array<Promise<number>>(n);
          for (let i = 0; i < n; i += 1) calls[i] = call(i, run.signal);
          onIssued?.();
          const results = await Promise.all(calls);
          runSpan.setAttribute(OverlapAttributes.OUTCOME, 'ok');
          return results;
        } catch (error) {
          runSpan.setAttribute(OverlapAttributes.OUTCOME, 'error');
          run.abort(error);
          throw error;
        } finally {
          caller.removeEventListener('abort', onCallerAbort);
          runSpan.end();
        }
      }),
  };
}
