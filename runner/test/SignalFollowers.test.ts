import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CancelScope } from '../src/engine/CancelScope.js';
import { SignalFollowers } from '../src/engine/SignalFollowers.js';
import { Semaphore, defineTool } from '../src/index.js';
import { deferred, flush, tracedRunner } from './helpers.js';

const listeners = (signal: AbortSignal) => getEventListeners(signal, 'abort').length;

describe('SignalFollowers', () => {
  it('.follow() - many scopes following one signal add one listener, removed when the last leaves', () => {
    const controller = new AbortController();
    const scopes = Array.from({ length: 1000 }, () => new CancelScope());
    for (const scope of scopes) scope.follow(controller.signal);
    expect(listeners(controller.signal)).toBe(1);
    expect(SignalFollowers.countOf(controller.signal)).toBe(1000);
    for (const scope of scopes.slice(0, 999)) scope.dispose();
    expect(listeners(controller.signal)).toBe(1);
    scopes[999]!.dispose();
    expect(listeners(controller.signal)).toBe(0);
    expect(SignalFollowers.countOf(controller.signal)).toBe(0);
    // A new follower after that adds the listener again.
    const again = new CancelScope();
    again.follow(controller.signal);
    expect(listeners(controller.signal)).toBe(1);
    again.dispose();
    expect(listeners(controller.signal)).toBe(0);
  });

  it('.follow() - a follower that throws does not keep the others from being cancelled; its error is reported after', async () => {
    const controller = new AbortController();
    const told: number[] = [];
    for (let i = 0; i < 3; i++) {
      SignalFollowers.follow(controller.signal, {
        cancel: () => {
          told.push(i);
          if (i === 0) throw new Error('follower 0 broke');
        },
      });
    }
    const reported: unknown[] = [];
    const onUncaught = (error: unknown): void => {
      reported.push(error);
    };
    const previous = process.listeners('uncaughtException');
    process.removeAllListeners('uncaughtException');
    process.on('uncaughtException', onUncaught);
    try {
      controller.abort();
      expect(told).toEqual([0, 1, 2]);
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('uncaughtException', onUncaught);
      for (const listener of previous) process.on('uncaughtException', listener);
    }
    expect(reported).toEqual([new Error('follower 0 broke')]);
    expect(listeners(controller.signal)).toBe(0);
  });

  it('.follow() - an abort cancels every follower still following, in order, and leaves no listener', () => {
    const controller = new AbortController();
    const told: number[] = [];
    const scopes = Array.from({ length: 5 }, (_, i) => {
      const scope = new CancelScope();
      scope.onCancel = () => told.push(i);
      scope.follow(controller.signal);
      return scope;
    });
    scopes[1]!.dispose();
    // A follower that makes a later one leave while the abort is being told: that one is not told.
    scopes[0]!.onCancel = () => {
      told.push(0);
      scopes[3]!.dispose();
    };
    controller.abort('stop');
    expect(told).toEqual([0, 2, 4]);
    expect(scopes[4]!.reason).toBe('stop');
    expect(scopes[3]!.aborted).toBe(false);
    expect(listeners(controller.signal)).toBe(0);
    for (const scope of scopes) scope.dispose();
    expect(SignalFollowers.countOf(controller.signal)).toBe(0);
  });

  it('call() - calls sharing one caller signal add one listener to it, and none is left once they settle', async () => {
    const t = tracedRunner();
    const pool = new Semaphore({ name: 'pool', permits: 2 });
    const release = deferred();
    const tool = defineTool({ name: 'wait', input: z.number(), gates: [pool], run: async (n) => (await release.promise, n) });
    const controller = new AbortController();
    const calls = Array.from({ length: 50 }, (_, i) => t.runner.call(tool, i, { signal: controller.signal }));
    await flush();
    expect(pool.inFlight).toBe(2);
    expect(pool.queued).toBe(48);
    expect(listeners(controller.signal)).toBe(1);
    release.resolve();
    expect(await Promise.all(calls)).toHaveLength(50);
    expect(listeners(controller.signal)).toBe(0);
    expect(t.runner.openCalls).toBe(0);
  });

  it('call() - aborting the shared signal rejects every call, running or queued, and leaves no listener', async () => {
    const t = tracedRunner();
    const pool = new Semaphore({ name: 'pool', permits: 2 });
    const tool = defineTool({ name: 'hang', input: z.number(), gates: [pool], run: () => new Promise<number>(() => {}) });
    const controller = new AbortController();
    const calls = Array.from({ length: 20 }, (_, i) => t.runner.call(tool, i, { signal: controller.signal }));
    await flush();
    const reason = new Error('caller gave up');
    controller.abort(reason);
    const settled = await Promise.allSettled(calls);
    expect(settled.every((s) => s.status === 'rejected' && s.reason === reason)).toBe(true);
    expect(listeners(controller.signal)).toBe(0);
    expect(pool.queued).toBe(0);
    expect(t.runner.openCalls).toBe(0);
  });
});
