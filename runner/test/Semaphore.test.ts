import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { InvalidOptionError, QueueFullError, QueueTimeoutError, Semaphore, type GateWaiter, type Permit } from '../src/index.js';
import { flush } from './helpers.js';

/** A waiter that records what it was told. */
function waiter(priority = 0) {
  const told: { permit?: Permit; error?: unknown } = {};
  const w: GateWaiter = {
    priority,
    grant: (permit) => (told.permit = permit),
    reject: (error) => (told.error = error),
  };
  return { w, told };
}

describe('Semaphore', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('new Semaphore() - rejects bad options with an error naming the option', () => {
    expect(() => new Semaphore({ name: 'x', permits: 0 })).toThrow(InvalidOptionError);
    expect(() => new Semaphore({ name: 'x', permits: 0 })).toThrow('Semaphore.permits: expected an integer >= 1, received 0');
    expect(() => new Semaphore({ name: '', permits: 1 })).toThrow('Semaphore.name');
    expect(() => new Semaphore({ name: 'x', permits: 1, maxQueue: -1 })).toThrow('Semaphore.maxQueue');
    expect(() => new Semaphore({ name: 'x', permits: 1, queueTimeoutMs: 0 })).toThrow('Semaphore.queueTimeoutMs');
    expect(() => new Semaphore(null as never)).toThrow('Semaphore options: expected an object, received null');
  });

  it('.enter() - grants at once while permits are free, then queues', () => {
    const sem = new Semaphore({ name: 'pool', permits: 2 });
    const a = sem.enter(waiter().w);
    const b = sem.enter(waiter().w);
    const c = waiter();
    expect(a).toBeDefined();
    expect(b).toBeDefined();
    expect(sem.enter(c.w)).toBeUndefined();
    expect([sem.inFlight, sem.queued, sem.available]).toEqual([2, 1, 0]);
    a!.release();
    expect(c.told.permit).toBeDefined();
    expect([sem.inFlight, sem.queued]).toEqual([2, 0]);
  });

  it('.enter() - serves waiters first come, first served', () => {
    const sem = new Semaphore({ name: 'pool', permits: 1 });
    const first = sem.enter(waiter().w)!;
    const order: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      sem.enter({ priority: 0, grant: (p) => (order.push(i), p.release()), reject: () => {} });
    }
    first.release();
    expect(order).toEqual([0, 1, 2, 3, 4]);
  });

  it('.enter() - serves higher priority first, FIFO within a priority', () => {
    const sem = new Semaphore({ name: 'pool', permits: 1 });
    const first = sem.enter(waiter().w)!;
    const order: string[] = [];
    const add = (label: string, priority: number) =>
      sem.enter({ priority, grant: (p) => (order.push(label), p.release()), reject: () => {} });
    add('low-1', 0);
    add('high-1', 5);
    add('low-2', 0);
    add('mid', 1);
    add('high-2', 5);
    first.release();
    expect(order).toEqual(['high-1', 'high-2', 'mid', 'low-1', 'low-2']);
  });

  it('.enter() - throws QueueFullError at once when maxQueue waiters are queued', () => {
    const sem = new Semaphore({ name: 'orders', permits: 1, maxQueue: 2 });
    sem.enter(waiter().w);
    sem.enter(waiter().w);
    sem.enter(waiter().w);
    expect(() => sem.enter(waiter().w)).toThrow(QueueFullError);
    try {
      sem.enter(waiter().w);
    } catch (error) {
      expect((error as QueueFullError).code).toBe('OVERLAP_QUEUE_FULL');
      expect((error as QueueFullError).message).toContain('gate "orders" is full');
    }
    expect(sem.queued).toBe(2);
  });

  it('.enter() - a waiter past queueTimeoutMs is rejected with QueueTimeoutError and leaves the queue', () => {
    const sem = new Semaphore({ name: 'pool', permits: 1, queueTimeoutMs: 100 });
    const held = sem.enter(waiter().w)!;
    const late = waiter();
    sem.enter(late.w);
    vi.advanceTimersByTime(99);
    expect(late.told.error).toBeUndefined();
    vi.advanceTimersByTime(1);
    expect(late.told.error).toBeInstanceOf(QueueTimeoutError);
    expect(sem.queued).toBe(0);
    held.release();
    expect(sem.available).toBe(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('.leave() - withdraws a queued waiter at once; a left waiter is never granted', () => {
    const sem = new Semaphore({ name: 'pool', permits: 1, queueTimeoutMs: 1000 });
    const held = sem.enter(waiter().w)!;
    const gone = waiter();
    const next = waiter();
    sem.enter(gone.w);
    sem.enter(next.w);
    expect(sem.leave(gone.w)).toBe(true);
    expect(sem.leave(gone.w)).toBe(false);
    expect(sem.queued).toBe(1);
    held.release();
    expect(gone.told.permit).toBeUndefined();
    expect(next.told.permit).toBeDefined();
    next.told.permit!.release();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('Permit.release() - a second release does nothing', () => {
    const sem = new Semaphore({ name: 'pool', permits: 2 });
    const p = sem.enter(waiter().w)!;
    p.release();
    p.release();
    expect(sem.available).toBe(2);
  });

  it('Permit.reclaim() - frees capacity while the body runs, up to maxReclaimed; release later settles the count', () => {
    const sem = new Semaphore({ name: 'pool', permits: 2, maxReclaimed: 1 });
    const a = sem.enter(waiter().w)!;
    const b = sem.enter(waiter().w)!;
    expect(a.reclaim()).toBe(true);
    expect([sem.available, sem.reclaimedRunning]).toEqual([1, 1]);
    expect(b.reclaim()).toBe(false);
    expect(sem.available).toBe(1);
    a.release();
    expect([sem.available, sem.reclaimedRunning, sem.reclaimedTotal]).toEqual([1, 0, 1]);
    b.release();
    expect(sem.available).toBe(2);
  });

  it('.acquire() - resolves in order and rejects with the signal reason when aborted while queued', async () => {
    const sem = new Semaphore({ name: 'pool', permits: 1 });
    const first = await sem.acquire();
    const controller = new AbortController();
    const aborted = sem.acquire({ signal: controller.signal });
    const after = sem.acquire();
    const reason = new Error('stop');
    controller.abort(reason);
    await expect(aborted).rejects.toBe(reason);
    expect(sem.queued).toBe(1);
    first.release();
    const second = await after;
    second.release();
    expect(sem.available).toBe(1);
  });

  it('.acquire() - rejects at once with an already-aborted signal, without queueing', async () => {
    const sem = new Semaphore({ name: 'pool', permits: 1 });
    await expect(sem.acquire({ signal: AbortSignal.abort('gone') })).rejects.toBe('gone');
    expect(sem.available).toBe(1);
  });

  it('.run() - releases the permit when the function throws', async () => {
    const sem = new Semaphore({ name: 'pool', permits: 1 });
    await expect(sem.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(sem.available).toBe(1);
    await expect(sem.run(() => 7)).resolves.toBe(7);
  });

  it('.run() - never has more than `permits` functions running', async () => {
    const sem = new Semaphore({ name: 'pool', permits: 3 });
    let running = 0;
    let max = 0;
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        sem.run(async () => {
          running += 1;
          max = Math.max(max, running);
          await new Promise((r) => setTimeout(r, 10 + (i % 3)));
          running -= 1;
        }),
      ).concat([vi.runAllTimersAsync().then(() => undefined)]),
    );
    expect(max).toBe(3);
  });

  it('.onAcquire() / .onRelease() / .onQueue() - report waits and state; disposers stop them', () => {
    const sem = new Semaphore({ name: 'pool', permits: 1 });
    const acquires: number[] = [];
    const queues: number[] = [];
    const releases: number[] = [];
    const stopAcquire = sem.onAcquire((e) => acquires.push(e.waitMs));
    sem.onQueue((e) => queues.push(e.ahead));
    sem.onRelease((e) => releases.push(e.heldMs));
    const a = sem.enter(waiter().w)!;
    const b = waiter();
    sem.enter(b.w);
    const c = waiter();
    sem.enter(c.w);
    vi.advanceTimersByTime(40);
    a.release();
    expect(acquires).toEqual([0, 40]);
    expect(queues).toEqual([0, 1]);
    expect(releases).toEqual([40]);
    stopAcquire();
    stopAcquire();
    b.told.permit!.release();
    expect(acquires).toEqual([0, 40]);
    c.told.permit!.release();
  });

  it('.onQueue() - ahead counts the waiters served first: every higher priority, and its own that came earlier', () => {
    const sem = new Semaphore({ name: 'pool', permits: 1 });
    const queues: number[] = [];
    sem.onQueue((e) => queues.push(e.ahead));
    sem.enter(waiter().w);
    for (const priority of [0, 5, 0, 1, 5]) sem.enter(waiter(priority).w);
    expect(queues).toEqual([0, 0, 2, 1, 1]);
  });

  it('queueTimeoutMs - the waiter that timed out is turned away, the others still wait, each timeout on its own', () => {
    const sem = new Semaphore({ name: 'pool', permits: 1, queueTimeoutMs: 100 });
    const held = sem.enter(waiter().w)!;
    const first = waiter();
    sem.enter(first.w);
    vi.advanceTimersByTime(50);
    const second = waiter();
    sem.enter(second.w);
    vi.advanceTimersByTime(50);
    expect(first.told.error).toBeInstanceOf(QueueTimeoutError);
    expect(second.told.error).toBeUndefined();
    expect(sem.queued).toBe(1);
    held.release();
    expect(second.told.permit).toBeDefined();
    vi.advanceTimersByTime(100);
    expect(second.told.error).toBeUndefined();
  });

  it('.onIdle() - resolves at once when idle, else when the last permit is released', async () => {
    const sem = new Semaphore({ name: 'pool', permits: 1 });
    await sem.onIdle();
    const p = sem.enter(waiter().w)!;
    let idle = false;
    void sem.onIdle().then(() => (idle = true));
    await flush();
    expect(idle).toBe(false);
    p.release();
    await flush();
    expect(idle).toBe(true);
  });
});
