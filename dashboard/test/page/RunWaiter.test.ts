import type { TraceSummary } from '@overlap/shared';
import { describe, expect, it } from 'vitest';
import { RunWaiter } from '../../src/page/runs/RunWaiter.js';

function summary(traceId: string, requestId: string | undefined, agentName: string | undefined, ended: boolean): TraceSummary {
  return {
    traceId,
    rootName: `invoke_agent ${agentName ?? 'x'}`,
    agentName,
    requestId,
    serviceNames: ['svc'],
    startMs: 0,
    endMs: 10,
    wallMs: 10,
    spanCount: 3,
    errorCount: 0,
    timeoutCount: 0,
    cancelledCount: 0,
    retryCount: 0,
    inFlightCount: ended ? 0 : 1,
    outcome: ended ? 'ok' : undefined,
    callCount: 2,
    inputTokens: 0,
    outputTokens: 0,
    sumOfCallsMs: 12,
    concurrencySavedMs: 2,
    speedup: 1.2,
  };
}

describe('RunWaiter', () => {
  it('.waitFor() - resolves when the run\'s trace has ended, not while it runs', async () => {
    const waiter = new RunWaiter();
    let got: TraceSummary | undefined;
    void waiter.waitFor('r1').then((s) => (got = s));
    waiter.offer([summary('t1', 'r1', 'a', false), summary('t0', 'r0', 'a', true)]);
    await Promise.resolve();
    expect(got).toBeUndefined();
    expect(waiter.pending).toBe(1);
    waiter.offer([summary('t1', 'r1', 'a', true)]);
    await Promise.resolve();
    expect(got?.traceId).toBe('t1');
    expect(waiter.pending).toBe(0);
  });

  it('.waitFor() - picks the trace of the named agent among a run\'s traces, and answers from traces that ended before the wait', async () => {
    const waiter = new RunWaiter();
    waiter.offer([summary('seq', 'r2', 'kb_sequential', true), summary('con', 'r2', 'kb', true)]);
    expect((await waiter.waitFor('r2', 'kb')).traceId).toBe('con');
    expect((await waiter.waitFor('r2', 'kb_sequential')).traceId).toBe('seq');
    let other: TraceSummary | undefined;
    void waiter.waitFor('r2', 'kb_plus_profile').then((s) => (other = s));
    await Promise.resolve();
    expect(other).toBeUndefined();
  });
});
