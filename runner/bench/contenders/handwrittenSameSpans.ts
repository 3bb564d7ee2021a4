import { SpanKind, context, trace, type Span, type Tracer } from '@opentelemetry/api';
import { GenAiAttributes, OverlapAttributes, Phase, SpanNames } from '@overlap/shared';
import { LIMIT, TIMEOUT_MS, TOOL_NAME, type Body, type Contender } from './Contender.js';
import { FifoSemaphore } from './FifoSemaphore.js';
import { runBody, runCalls } from './handwrittenCall.js';

/** The gate name the runner contender's Semaphore has (see runner.ts). */
const GATE = 'bench';

/**
 * The hand-written version again, writing the spans the runner writes for the same tool: the call span
 * starts at the call's issue time with the runner's attributes (operation and tool name at start; tool
 * type, timeout, gates and call id after; outcome, attempt and queue wait at the end), a call that
 * waited for its permit gets a child queue span from its issue to the grant, with the gate's name, kind
 * and scope, the waiters ahead and the wait, and the run span the agent's attributes. Not what the issue
 * compares against: it shows what the runner's own machinery costs when both sides pay for the same
 * telemetry (the benchmark checks that both end the same spans).
 */
export function handwrittenSameSpansContender(tracer: Tracer, body: Body, name = 'handwritten, same spans'): Contender {
  const semaphore = new FifoSemaphore(LIMIT);
  const gates = Object.freeze([GATE]) as unknown as string[];
  let callSeq = 0;
  let runSeq = 0;

  async function call(i: number, runSignal: AbortSignal): Promise<number> {
    const issuedAt = performance.timeOrigin + performance.now();
    const ahead = semaphore.queued;
    const waits = semaphore.inFlight === LIMIT;
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
      if (waits) {
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
      return await context.with(callContext, () => runBody(body, i, runSignal, span, waitMs));
    } finally {
      semaphore.release();
    }
  }

  const agentAttributes = {
    start(runSpan: Span): void {
      runSpan.setAttribute(GenAiAttributes.OPERATION_NAME, 'invoke_agent');
      runSpan.setAttribute(GenAiAttributes.AGENT_NAME, 'bench');
      runSpan.setAttribute(GenAiAttributes.AGENT_ID, `run_${++runSeq}`);
    },
    outcome(runSpan: Span, outcome: 'ok' | 'error'): void {
      runSpan.setAttribute(OverlapAttributes.OUTCOME, outcome);
    },
  };

  return {
    name,
    handsOffAtOnce: true,
    spansPerRun: (n) => n + Math.max(0, n - LIMIT) + 1,
    state: () => ({ inFlight: semaphore.inFlight, queued: semaphore.queued }),
    run: (n, caller, onIssued) => runCalls(tracer, SpanNames.invokeAgent('bench'), n, caller, onIssued, call, agentAttributes),
  };
}
