import { describe, expect, it } from 'vitest';
import { OverlapAttributes, OverlapEvents } from '../src/attributes.js';
import { assembleTrace } from '../src/trace/assembleTrace.js';
import { summarizeTrace } from '../src/trace/traceSummary.js';
import { T0, abandonedSpan, agentRun, event, queueSpan, rel, span, toolCall } from './spanBuilders.js';

describe('summarizeTrace()', () => {
  it('summarizeTrace() - sums the calls and says how much overlapping them saved', () => {
    // Three 100 ms calls, two at once, in a 220 ms run: 300 ms of calls in 220 ms of wall time.
    const trace = assembleTrace([
      agentRun({ id: 'run', start: 0, end: 220, agent: 'researcher', outcome: 'ok' }),
      toolCall({ id: 'a', parent: 'run', start: 10, end: 110, outcome: 'ok' }),
      toolCall({ id: 'b', parent: 'run', start: 10, end: 110, outcome: 'ok' }),
      toolCall({ id: 'c', parent: 'run', start: 110, end: 210, outcome: 'ok', service: 'tools' }),
    ]);
    const summary = summarizeTrace(trace);
    expect(summary).toMatchObject({
      rootName: 'invoke_agent researcher',
      agentName: 'researcher',
      serviceNames: ['test-service', 'tools'],
      wallMs: 220,
      spanCount: 4,
      callCount: 3,
      sumOfCallsMs: 300,
      concurrencySavedMs: 80,
      outcome: 'ok',
      inFlightCount: 0,
    });
    expect(summary.speedup).toBeCloseTo(300 / 220, 12);
    expect(rel(summary.startMs)).toBe(0);
    expect(rel(summary.endMs)).toBe(220);
    expect(summary.traceId).toBe(trace.traceId);
  });

  it('summarizeTrace() - leaves queue time out of the sum: 10 calls of 200 ms under 3 permits save 1,200 ms, not more', () => {
    const spans = [agentRun({ id: 'run', start: 0, end: 800 })];
    for (let i = 0; i < 10; i += 1) {
      const wave = Math.floor(i / 3);
      const start = wave * 200;
      // Every call was issued at 0; those in later waves queued until a permit came free.
      spans.push(toolCall({ id: `c${i}`, parent: 'run', start: 0, end: start + 200, queueWaitMs: start, gates: ['pool'] }));
      if (start > 0) spans.push(queueSpan({ id: `q${i}`, parent: `c${i}`, start: 0, end: start, gate: 'pool' }));
    }
    const summary = summarizeTrace(assembleTrace(spans));
    expect(summary.callCount).toBe(10);
    expect(summary.sumOfCallsMs).toBe(2000);
    expect(summary.concurrencySavedMs).toBe(1200);
    expect(summary.speedup).toBe(2.5);
  });

  it('summarizeTrace() - leaves back-off waits out of the sum too', () => {
    const summary = summarizeTrace(
      assembleTrace([
        agentRun({ id: 'run', start: 0, end: 1000 }),
        // Two attempts of 100 ms with a 700 ms back-off between them (a 429 with Retry-After).
        { ...toolCall({ id: 'a', parent: 'run', start: 0, end: 900, attempts: 2 }), events: [event(OverlapEvents.RETRY_BACKOFF, 100, { [OverlapAttributes.RETRY_DELAY_MS]: 700 })] },
        toolCall({ id: 'b', parent: 'run', start: 0, end: 300 }),
      ]),
    );
    expect(summary.sumOfCallsMs).toBe(500);
    expect(summary.concurrencySavedMs).toBe(0);
  });

  it('summarizeTrace() - reads the request id of a run asked for from the page off its root', () => {
    const root = agentRun({ id: 'run', start: 0, end: 100, agent: 'burst_agent' });
    const tagged = { ...root, attributes: { ...root.attributes, [OverlapAttributes.REQUEST_ID]: 'req-42' } };
    expect(summarizeTrace(assembleTrace([tagged])).requestId).toBe('req-42');
    expect(summarizeTrace(assembleTrace([root])).requestId).toBeUndefined();
  });

  it('summarizeTrace() - saves nothing when calls ran one after another, and says so with a speedup below 1', () => {
    const summary = summarizeTrace(
      assembleTrace([
        agentRun({ id: 'run', start: 0, end: 250 }),
        toolCall({ id: 'a', parent: 'run', start: 0, end: 100 }),
        toolCall({ id: 'b', parent: 'run', start: 100, end: 200 }),
      ]),
    );
    expect(summary.sumOfCallsMs).toBe(200);
    expect(summary.concurrencySavedMs).toBe(0);
    expect(summary.speedup).toBe(0.8);
  });

  it('summarizeTrace() - counts errors, timeouts, cancellations and retries, ignoring queue and abandoned spans', () => {
    const summary = summarizeTrace(
      assembleTrace([
        agentRun({ id: 'run', start: 0, end: 100, outcome: 'error', status: { code: 'error', message: 'failed' } }),
        toolCall({ id: 'a', parent: 'run', start: 0, end: 50, outcome: 'error', attempts: 3 }),
        toolCall({ id: 'b', parent: 'run', start: 0, end: 30, outcome: 'timeout', attempts: 2 }),
        abandonedSpan({ id: 'ab', parent: 'b', start: 30, end: 40 }),
        toolCall({ id: 'c', parent: 'run', start: 0, end: 20, outcome: 'cancelled', events: [event(OverlapEvents.CANCELLED, 20)] }),
        queueSpan({ id: 'q', parent: 'c', gate: 'db', start: 0, end: 20, failed: true }),
        span({ id: 'plain', parent: 'run', start: 0, end: 5, status: { code: 'error' } }),
      ]),
    );
    expect(summary).toMatchObject({ errorCount: 3, timeoutCount: 1, cancelledCount: 1, retryCount: 3, outcome: 'error', callCount: 3 });
  });

  it('summarizeTrace() - uses the root\'s direct children as calls in a trace without GenAI spans', () => {
    const summary = summarizeTrace(
      assembleTrace([
        span({ id: 'root', name: 'GET /', start: 0, end: 100 }),
        span({ id: 'a', parent: 'root', start: 0, end: 60 }),
        span({ id: 'b', parent: 'root', start: 0, end: 80 }),
        span({ id: 'deep', parent: 'a', start: 0, end: 60 }),
      ]),
    );
    expect(summary).toMatchObject({ rootName: 'GET /', agentName: undefined, callCount: 2, sumOfCallsMs: 140, concurrencySavedMs: 40, speedup: 1.4, outcome: 'ok' });
  });

  it('summarizeTrace() - runs in-flight spans up to nowMs and leaves the outcome open', () => {
    const trace = assembleTrace([agentRun({ id: 'run', start: 0 }), toolCall({ id: 'a', parent: 'run', start: 0, end: 40 }), toolCall({ id: 'b', parent: 'run', start: 10 })]);
    const summary = summarizeTrace(trace, { nowMs: T0 + 100 });
    expect(summary).toMatchObject({ wallMs: 100, sumOfCallsMs: 130, inFlightCount: 2, outcome: undefined });
    expect(summary.endMs).toBe(T0 + 100);
  });

  it('summarizeTrace() - summarises an empty trace without dividing by zero', () => {
    expect(summarizeTrace(assembleTrace([]))).toMatchObject({ rootName: '', spanCount: 0, wallMs: 0, callCount: 0, sumOfCallsMs: 0, concurrencySavedMs: 0, speedup: 1, outcome: undefined });
  });

  it('summarizeTrace() - counts retries from overlap.attempt on the call', () => {
    const summary = summarizeTrace(assembleTrace([toolCall({ id: 'a', start: 0, end: 10, attributes: { [OverlapAttributes.ATTEMPT]: 4 } })]));
    expect(summary.retryCount).toBe(3);
  });
});
