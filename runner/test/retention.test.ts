import { TracerProvider } from '@opentelemetry/sdk-trace';
import type { StandardSchemaV1 } from '@standard-schema/spec';
import { describe, expect, it } from 'vitest';
import { GenAiAttributes } from '@overlap/shared';
import { waitNodeSlot } from '../src/engine/WaitQueue.js';
import { Runner, Semaphore, defineTool, type Gate, type GateWaiter, type Permit } from '../src/index.js';
import { collectGarbage, deferred, flush, tracedRunner } from './helpers.js';

/** A schema that hands the very input object on, so a test can watch that object. */
const sameObject: StandardSchemaV1<{ payload: string }> = {
  '~standard': { version: 1, vendor: 'test', validate: (value) => ({ value: value as { payload: string } }) },
};

/** A gate that grants at once and keeps every waiter it sees: the test's handle on the call object. */
function keepingGate(kept: GateWaiter[]): Gate {
  const permit: Permit = { release: () => {}, reclaim: () => true };
  return {
    name: 'keeping',
    kind: 'test',
    scope: 'local',
    holdsPermits: true,
    order: -1,
    inFlight: 0,
    queued: 0,
    enter: (waiter) => {
      kept.push(waiter);
      return permit;
    },
    leave: () => false,
    describe: () => 'keeping',
  };
}

describe('retention', () => {
  it('call() - a settled call lets go of its input and its span, though something still holds the call', async () => {
    // No span processor, so nothing but the call could keep the span alive.
    const runner = new Runner({ tracer: new TracerProvider().getTracer('test') });
    const kept: GateWaiter[] = [];
    let span: WeakRef<object> | undefined;
    const tool = defineTool({
      name: 'watched',
      input: sameObject,
      gates: [keepingGate(kept)],
      run: (input, ctx) => {
        span = new WeakRef(ctx.span);
        return input.payload.length;
      },
    });
    let input: { payload: string } | undefined = { payload: 'x'.repeat(10_000) };
    const inputRef = new WeakRef(input);
    expect(await runner.call(tool, input)).toBe(10_000);
    input = undefined;
    await collectGarbage();
    expect(kept).toHaveLength(1);
    expect(inputRef.deref()).toBeUndefined();
    expect(span?.deref()).toBeUndefined();
  });

  it('ctx.callId - a made-up id is the one on the span, the same on every read, and unique per call', async () => {
    const t = tracedRunner();
    const seen: string[][] = [];
    const tool = defineTool({ name: 'ids', input: sameObject, run: (_input, ctx) => (seen.push([ctx.callId, ctx.callId]), 0) });
    await Promise.all([t.runner.call(tool, { payload: '' }), t.runner.call(tool, { payload: '' })]);
    const spanIds = t.byName('execute_tool ids').map((s) => s.attributes[GenAiAttributes.TOOL_CALL_ID]);
    expect(seen.map(([a, b]) => a === b)).toEqual([true, true]);
    expect(new Set(seen.map(([a]) => a)).size).toBe(2);
    expect(spanIds.sort()).toEqual(seen.map(([a]) => a).sort());
    expect(seen[0]![0]).toMatch(/^call_[0-9a-f]{8}_\d+$/);
  });

  it('leave() - a waiter that keeps its queue place itself is taken out only by the gate it waits at', () => {
    const [a, b] = [new Semaphore({ name: 'a', permits: 1 }), new Semaphore({ name: 'b', permits: 1 })];
    a.enter({ priority: 0, grant: () => {}, reject: () => {} });
    b.enter({ priority: 0, grant: () => {}, reject: () => {} });
    const waiter = { priority: 0, grant: () => {}, reject: () => {}, [waitNodeSlot]: undefined as unknown };
    expect(a.enter(waiter)).toBeUndefined();
    expect(waiter[waitNodeSlot]).toBeDefined();
    expect(b.leave(waiter)).toBe(false);
    expect(b.queued).toBe(0);
    expect(a.queued).toBe(1);
    expect(a.leave(waiter)).toBe(true);
    expect(waiter[waitNodeSlot]).toBeUndefined();
    expect(a.leave(waiter)).toBe(false);
    expect(a.queued).toBe(0);
  });

  it('call() - a queued call that is cancelled leaves the gate queue at once', async () => {
    const runner = new Runner({ tracer: new TracerProvider().getTracer('test') });
    const pool = new Semaphore({ name: 'pool', permits: 1 });
    const release = deferred();
    const tool = defineTool({ name: 'slow', input: sameObject, gates: [pool], run: async () => (await release.promise, 0) });
    const first = runner.call(tool, { payload: '' });
    const controller = new AbortController();
    const second = runner.call(tool, { payload: '' }, { signal: controller.signal });
    await flush();
    expect(pool.queued).toBe(1);
    controller.abort('no longer needed');
    await expect(second).rejects.toBe('no longer needed');
    expect(pool.queued).toBe(0);
    release.resolve();
    await first;
    expect(pool.inFlight).toBe(0);
  });
});
