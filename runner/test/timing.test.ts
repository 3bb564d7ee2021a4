import { getEventListeners } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CancelScope } from '../src/engine/CancelScope.js';
import { systemClock } from '../src/Clock.js';
import { TimeoutScheduler } from '../src/engine/TimeoutScheduler.js';
import { collectGarbage } from './helpers.js';

describe('TimeoutScheduler', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('.schedule() - fires each target at its deadline, one timer per duration', () => {
    const scheduler = new TimeoutScheduler(systemClock);
    const fired: string[] = [];
    scheduler.schedule(100, { onTimeout: () => fired.push('a@100') });
    vi.advanceTimersByTime(30);
    scheduler.schedule(100, { onTimeout: () => fired.push('b@130') });
    scheduler.schedule(50, { onTimeout: () => fired.push('c@80') });
    expect(vi.getTimerCount()).toBe(2);
    vi.advanceTimersByTime(50);
    expect(fired).toEqual(['c@80']);
    vi.advanceTimersByTime(20);
    expect(fired).toEqual(['c@80', 'a@100']);
    vi.advanceTimersByTime(30);
    expect(fired).toEqual(['c@80', 'a@100', 'b@130']);
    expect(vi.getTimerCount()).toBe(0);
    expect(scheduler.size).toBe(0);
  });

  it('.cancel() - a cancelled timeout never fires; the last one cancelled clears the timer', () => {
    const scheduler = new TimeoutScheduler(systemClock);
    const fired: number[] = [];
    const entries = Array.from({ length: 5 }, (_, i) => scheduler.schedule(100, { onTimeout: () => fired.push(i) }));
    scheduler.cancel(entries[0]!);
    scheduler.cancel(entries[2]!);
    scheduler.cancel(entries[2]!);
    vi.advanceTimersByTime(100);
    expect(fired).toEqual([1, 3, 4]);
    const more = scheduler.schedule(100, { onTimeout: () => fired.push(9) });
    scheduler.cancel(more);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('.cancel() - a cancelled entry does not keep its target alive while the bucket lives on', async () => {
    const scheduler = new TimeoutScheduler(systemClock);
    const keep = scheduler.schedule(1000, { onTimeout: () => {} });
    let target: { onTimeout(): void } | undefined = { onTimeout: () => {} };
    const gone = new WeakRef(target);
    scheduler.cancel(scheduler.schedule(1000, target));
    target = undefined;
    vi.useRealTimers();
    await collectGarbage();
    expect(gone.deref()).toBeUndefined();
    scheduler.cancel(keep);
  });

  it('.cancel() - many cancelled entries do not pile up', () => {
    const scheduler = new TimeoutScheduler(systemClock);
    const keep = scheduler.schedule(1000, { onTimeout: () => {} });
    for (let i = 0; i < 10_000; i += 1) scheduler.cancel(scheduler.schedule(1000, { onTimeout: () => {} }));
    expect(scheduler.size).toBe(1);
    scheduler.cancel(keep);
    expect(scheduler.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('CancelScope', () => {
  it('.cancel() - cancels children and aborts a signal read before or after', () => {
    const root = new CancelScope();
    const child = new CancelScope(root);
    const grandchild = new CancelScope(child);
    const early = grandchild.signal;
    const reason = new Error('stop');
    root.cancel(reason);
    expect(early.aborted).toBe(true);
    expect(early.reason).toBe(reason);
    expect(child.signal.reason).toBe(reason);
    expect(new CancelScope(root).aborted).toBe(true);
  });

  it('.dispose() - a disposed child is forgotten by its parent and no longer cancelled', () => {
    const root = new CancelScope();
    const child = new CancelScope(root);
    expect(root.childCount).toBe(1);
    child.dispose();
    expect(root.childCount).toBe(0);
    root.cancel('x');
    expect(child.aborted).toBe(false);
  });

  it('.cancel() - a child that makes a sibling leave while they are told does not stop the rest hearing it', () => {
    const root = new CancelScope();
    const [a, b, c] = [new CancelScope(root), new CancelScope(root), new CancelScope(root)];
    a.onCancel = () => b.dispose();
    root.cancel('stop');
    expect(a.aborted).toBe(true);
    expect(c.reason).toBe('stop');
    expect(root.childCount).toBe(0);
  });

  it('.dispose() - children leave in any order, and the parent keeps the rest', () => {
    const root = new CancelScope();
    const children = Array.from({ length: 6 }, () => new CancelScope(root));
    for (const i of [0, 5, 2, 3]) children[i]!.dispose();
    expect(root.childCount).toBe(2);
    root.cancel('x');
    expect(children.map((c) => c.aborted)).toEqual([false, true, false, false, true, false]);
  });

  it('.follow() - follows a signal and removes its listener on dispose', () => {
    const controller = new AbortController();
    const scope = new CancelScope();
    scope.follow(controller.signal);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    scope.dispose();
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    const second = new CancelScope();
    second.follow(controller.signal);
    controller.abort('why');
    expect(second.reason).toBe('why');
  });
});
