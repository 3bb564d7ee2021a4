import type { Tracer } from '@opentelemetry/api';
import { LIMIT, TOOL_NAME, type Body, type Contender } from './Contender.js';
import { FifoSemaphore } from './FifoSemaphore.js';
import { runBody, runCalls } from './handwrittenCall.js';

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
        (span) => runBody(body, i, runSignal, span),
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
    run: (n, caller, onIssued) => runCalls(tracer, 'invoke_agent bench', n, caller, onIssued, call),
  };
}
