import { TracerProvider } from '@opentelemetry/sdk-trace';
import type { StandardSchemaV1 } from '@standard-schema/spec';
import { describe, expect, it } from 'vitest';
import { waitNodeSlot } from '../src/engine/WaitQueue.js';
import { Runner, Semaphore, defineTool } from '../src/index.js';
import { deferred, flush } from './helpers.js';

/** A schema that hands the very input object on, so a test can watch that object. */
const sameObject: StandardSchemaV1<{ payload: string }> = {
  '~standard': { version: 1, vendor: 'test', validate: (value) => ({ value: value as { payload: string } }) },
};

describe('retention', () => {
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
