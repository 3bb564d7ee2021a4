import type { Tracer } from '@opentelemetry/api';
import { bulkhead, timeout, TimeoutStrategy, wrap } from 'cockatiel';
import PQueue from 'p-queue';
import { LIMIT, TIMEOUT_MS, TOOL_NAME, type Body, type Contender } from './Contender.js';

const attributes = { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': TOOL_NAME };

/** p-queue with a concurrency of 16 and its own 1 s timeout, each task under the run's signal, in a span. */
export function pQueueContender(tracer: Tracer, body: Body): Contender {
  const queue = new PQueue({ concurrency: LIMIT, timeout: TIMEOUT_MS });
  return {
    name: 'p-queue',
    handsOffAtOnce: true,
    spansPerRun: (n) => n,
    state: () => ({ inFlight: queue.pending, queued: queue.size }),
    run: (n, caller, onIssued) => {
      const calls = new Array<Promise<unknown>>(n);
      for (let i = 0; i < n; i += 1) {
        calls[i] = queue.add(
          ({ signal }) =>
            tracer.startActiveSpan(`execute_tool ${TOOL_NAME}`, { attributes }, async (span) => {
              try {
                return await body(i, signal!);
              } finally {
                span.end();
              }
            }),
          { signal: caller },
        );
      }
      onIssued?.();
      return Promise.all(calls);
    },
  };
}

/** cockatiel: a bulkhead of 16 around an aggressive 1 s timeout, under the caller's signal, in a span. */
export function cockatielContender(tracer: Tracer, body: Body): Contender {
  let gate = bulkhead(LIMIT, 0);
  let capacity = 0;
  return {
    name: 'cockatiel',
    handsOffAtOnce: false,
    spansPerRun: (n) => n,
    state: () => ({ inFlight: LIMIT - gate.executionSlots, queued: capacity - gate.queueSlots }),
    run: (n, caller, onIssued) => {
      gate = bulkhead(LIMIT, n);
      capacity = n;
      const policy = wrap(gate, timeout(TIMEOUT_MS, TimeoutStrategy.Aggressive));
      const calls = new Array<Promise<number>>(n);
      for (let i = 0; i < n; i += 1) {
        calls[i] = policy.execute(
          ({ signal }) =>
            tracer.startActiveSpan(`execute_tool ${TOOL_NAME}`, { attributes }, async (span) => {
              try {
                return await body(i, signal);
              } finally {
                span.end();
              }
            }),
          caller,
        );
      }
      onIssued?.();
      return Promise.all(calls);
    },
  };
}
