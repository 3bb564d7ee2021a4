// The shared semaphore against a real redis-server. Each `redis.process()` stands for one process: its own
// connections and client id, so two of them share a gate only through Redis.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineTool, InvalidOptionError, QueueFullError, QueueTimeoutError, type Clock, type GateRejectEvent, type Permit } from '../../src/index.js';
import { createSharedGates, GateUnavailableError, isGateUnavailableError, type SharedGate } from '../../src/redis/index.js';
import { deferred, seededRandom, tracedRunner } from '../helpers.js';
import { gateKey, track, until, useRedis } from './fixture.js';

const redis = useRedis();

/** Resolves at the gate's next queue event: Redis answered that a waiter queues. */
function nextQueued(gate: SharedGate): Promise<void> {
  return new Promise((resolve) => {
    const dispose = gate.onQueue(() => {
      dispose();
      resolve();
    });
  });
}

/** Samples the expiry of the gate's one lease every 100 ms for `forMs`, on Redis's clock. */
async function leaseExpiries(prefix: string, forMs: number): Promise<number[]> {
  const expiries: number[] = [];
  const until = performance.now() + forMs;
  while (performance.now() < until) {
    const [member, score] = await redis.redis.zrange(gateKey(prefix, 's', 'api', 'leases'), 0, 0, 'WITHSCORES');
    if (member !== undefined) expiries.push(Number(score));
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return expiries;
}

describe('SharedSemaphore', () => {
  it('.acquire() - grants up to `permits` across processes and queues the rest until one is released', async () => {
    const prefix = redis.prefix('sem');
    const a = (await redis.process(prefix)).semaphore('api', { permits: 3, onRedisDown: 'fail-closed' });
    const b = (await redis.process(prefix)).semaphore('api', { permits: 3, onRedisDown: 'fail-closed' });
    const held = [await a.acquire(), await a.acquire(), await b.acquire()];
    expect(a.inFlight).toBe(2);
    expect(b.inFlight).toBe(1);
    expect(b.sharedInFlight).toBe(3);

    const queued = nextQueued(b);
    const fourth = b.acquire();
    const state = track(fourth);
    await queued;
    expect(state.settled).toBe(false);
    expect(b.queued).toBe(1);
    expect(b.sharedQueued).toBe(1);
    expect(await redis.redis.zcard(gateKey(prefix, 's', 'api', 'leases'))).toBe(3);

    held[0]!.release();
    const permit = await fourth;
    expect(b.inFlight).toBe(2);
    expect(a.inFlight).toBe(1);
    for (const p of [permit, held[1]!, held[2]!]) p.release();
    await Promise.all([a.onIdle(), b.onIdle()]);
    expect(a.inFlight + b.inFlight).toBe(0);
  });

  it('.acquire() - serves waiters from several processes in arrival order', async () => {
    const prefix = redis.prefix('fifo');
    const a = (await redis.process(prefix)).semaphore('api', { permits: 1, onRedisDown: 'fail-closed' });
    const b = (await redis.process(prefix)).semaphore('api', { permits: 1, onRedisDown: 'fail-closed' });
    const holder = await a.acquire();
    const served: string[] = [];
    const waits: Array<Promise<void>> = [];
    for (const [label, gate] of [['a1', a], ['b1', b], ['a2', a], ['b2', b], ['a3', a]] as const) {
      const queued = nextQueued(gate);
      waits.push(
        gate.acquire().then((permit) => {
          served.push(label);
          permit.release();
        }),
      );
      await queued;
    }
    expect(a.sharedQueued).toBe(5);
    holder.release();
    await Promise.all(waits);
    expect(served).toEqual(['a1', 'b1', 'a2', 'b2', 'a3']);
  });

  it('.acquire() - serves a higher priority first, whatever its process', async () => {
    const prefix = redis.prefix('priority');
    const a = (await redis.process(prefix)).semaphore('api', { permits: 1, onRedisDown: 'fail-closed' });
    const b = (await redis.process(prefix)).semaphore('api', { permits: 1, onRedisDown: 'fail-closed' });
    const holder = await a.acquire();
    const served: string[] = [];
    const queuedLow = nextQueued(a);
    const low = a.acquire().then((p) => (served.push('low'), p.release()));
    await queuedLow;
    const queuedHigh = nextQueued(b);
    const high = b.acquire({ priority: 5 }).then((p) => (served.push('high'), p.release()));
    await queuedHigh;
    holder.release();
    await Promise.all([low, high]);
    expect(served).toEqual(['high', 'low']);
  });

  it('.leave() - a waiter aborted while queued leaves at once, and its place in Redis is given back', async () => {
    const prefix = redis.prefix('abort');
    const gates = await redis.process(prefix);
    const sem = gates.semaphore('api', { permits: 1, onRedisDown: 'fail-closed' });
    const rejects: GateRejectEvent[] = [];
    sem.onReject((event) => rejects.push(event));
    const holder = await sem.acquire();
    const controller = new AbortController();
    const queued = nextQueued(sem);
    const waiting = sem.acquire({ signal: controller.signal });
    await queued;
    expect(await redis.redis.zcard(gateKey(prefix, 's', 'api', 'queue'))).toBe(1);

    const reason = new Error('caller gave up');
    controller.abort(reason);
    expect(sem.queued).toBe(0);
    await expect(waiting).rejects.toBe(reason);
    expect(rejects.map((e) => e.reason)).toEqual(['left']);
    await gates.flush();
    expect(await redis.redis.zcard(gateKey(prefix, 's', 'api', 'queue'))).toBe(0);
    expect(await redis.redis.zcard(gateKey(prefix, 's', 'api', 'alive'))).toBe(0);

    holder.release();
    await gates.flush();
    expect(await redis.redis.zcard(gateKey(prefix, 's', 'api', 'leases'))).toBe(0);
    const next = await sem.acquire();
    expect(sem.sharedInFlight).toBe(1);
    next.release();
  });

  it('.leave() - a waiter that leaves before Redis answers gives back the lease Redis granted it', async () => {
    const prefix = redis.prefix('early-leave');
    const gates = await redis.process(prefix);
    const sem = gates.semaphore('api', { permits: 1, onRedisDown: 'fail-closed' });
    const controller = new AbortController();
    const waiting = sem.acquire({ signal: controller.signal });
    controller.abort(new Error('changed my mind'));
    await expect(waiting).rejects.toThrow('changed my mind');
    await gates.flush();
    expect(await redis.redis.zcard(gateKey(prefix, 's', 'api', 'leases'))).toBe(0);
    expect(sem.inFlight).toBe(0);
    const permit = await sem.acquire();
    permit.release();
  });

  it('queueTimeoutMs - a waiter queued too long fails with QueueTimeoutError and leaves the Redis queue', async () => {
    const prefix = redis.prefix('queue-timeout');
    const gates = await redis.process(prefix);
    const sem = gates.semaphore('api', { permits: 1, queueTimeoutMs: 150, onRedisDown: 'fail-closed' });
    const holder = await sem.acquire();
    const error = await sem.acquire().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(QueueTimeoutError);
    expect((error as QueueTimeoutError).gate).toBe('api');
    await gates.flush();
    expect(await redis.redis.zcard(gateKey(prefix, 's', 'api', 'queue'))).toBe(0);
    holder.release();
  });

  it('maxQueue - holds across processes: one waiter too many fails with QueueFullError', async () => {
    const prefix = redis.prefix('max-queue');
    const a = (await redis.process(prefix)).semaphore('api', { permits: 1, maxQueue: 1, onRedisDown: 'fail-closed' });
    const b = (await redis.process(prefix)).semaphore('api', { permits: 1, maxQueue: 1, onRedisDown: 'fail-closed' });
    const holder = await a.acquire();
    const queued = nextQueued(a);
    const first = a.acquire();
    await queued;
    // B's own queue is empty, so Redis decides: its queue already holds maxQueue waiters.
    await expect(b.acquire()).rejects.toBeInstanceOf(QueueFullError);
    // A already has maxQueue waiters of its own, so it refuses at once, before asking Redis.
    await expect(a.acquire()).rejects.toBeInstanceOf(QueueFullError);
    holder.release();
    (await first).release();
  });

  it('release() - no permit is lost after 10,000 calls from 3 processes with random aborts', { timeout: 60_000 }, async () => {
    const prefix = redis.prefix('soak');
    const permits = 5;
    const gates = await Promise.all([redis.process(prefix), redis.process(prefix), redis.process(prefix)]);
    const sems = gates.map((g) => g.semaphore('api', { permits, onRedisDown: 'fail-closed' }));
    const random = seededRandom(42);
    let holding = 0;
    let maxHolding = 0;
    let granted = 0;
    let next = 0;
    const total = 10_000;
    /** Per kind of abort: how many were tried, and how many rejected with exactly their own reason. */
    const aborts = { atOnce: { tried: 0, rejected: 0 }, beforeAnswer: { tried: 0, rejected: 0 }, whileQueued: { tried: 0, rejected: 0 } };
    const unexpected: unknown[] = [];
    const worker = async (): Promise<void> => {
      while (next < total) {
        next += 1;
        const sem = sems[Math.floor(random() * sems.length)]!;
        const controller = new AbortController();
        const roll = random();
        let kind: keyof typeof aborts | undefined;
        const reason = new Error('aborted');
        if (roll < 0.15) (kind = 'atOnce'), controller.abort(reason);
        else if (roll < 0.3) (kind = 'beforeAnswer'), queueMicrotask(() => controller.abort(reason));
        else if (roll < 0.45) (kind = 'whileQueued'), setTimeout(() => controller.abort(reason), Math.floor(random() * 3));
        if (kind !== undefined) aborts[kind].tried += 1;
        let permit: Permit;
        try {
          permit = await sem.acquire({ signal: controller.signal });
        } catch (error) {
          // The only way to fail here is the waiter's own abort, rejected with its own reason.
          if (kind !== undefined && error === reason) aborts[kind].rejected += 1;
          else unexpected.push(error);
          continue;
        }
        granted += 1;
        holding += 1;
        maxHolding = Math.max(maxHolding, holding);
        await new Promise((resolve) => setImmediate(resolve));
        holding -= 1;
        permit.release();
      }
    };
    await Promise.all(Array.from({ length: 40 }, worker));
    await Promise.all(gates.map((g) => g.flush()));

    expect(unexpected).toEqual([]);
    // A signal aborted before the call always rejects; the later aborts race the grant, and each kind wins some.
    expect(aborts.atOnce.rejected).toBe(aborts.atOnce.tried);
    expect(aborts.atOnce.tried).toBeGreaterThan(1000);
    expect(aborts.beforeAnswer.rejected).toBeGreaterThan(0);
    expect(aborts.whileQueued.rejected).toBeGreaterThan(0);
    const rejected = aborts.atOnce.rejected + aborts.beforeAnswer.rejected + aborts.whileQueued.rejected;
    expect(granted + rejected).toBe(total);
    expect(granted).toBeGreaterThan(total / 2);
    expect(maxHolding).toBeLessThanOrEqual(permits);
    for (const sem of sems) {
      expect(sem.inFlight).toBe(0);
      expect(sem.queued).toBe(0);
    }
    expect(await redis.redis.zcard(gateKey(prefix, 's', 'api', 'leases'))).toBe(0);
    expect(await redis.redis.zcard(gateKey(prefix, 's', 'api', 'queue'))).toBe(0);
    // Every permit is still there: all of them can be held at once.
    const all = await Promise.all(Array.from({ length: permits }, (_, i) => sems[i % sems.length]!.acquire()));
    expect(await redis.redis.zcard(gateKey(prefix, 's', 'api', 'leases'))).toBe(permits);
    for (const p of all) p.release();
  });

  it('reclaim() - gives the lease back while the body still runs, up to maxReclaimed per process', async () => {
    const prefix = redis.prefix('reclaim');
    const gates = await redis.process(prefix);
    const sem = gates.semaphore('api', { permits: 1, maxReclaimed: 1, onRedisDown: 'fail-closed' });
    const first = await sem.acquire();
    expect(first.reclaim()).toBe(true);
    expect(sem.reclaimedRunning).toBe(1);
    expect(sem.inFlight).toBe(0);
    const second = await sem.acquire();
    expect(second.reclaim()).toBe(false);
    expect(sem.inFlight).toBe(1);
    first.release();
    expect(sem.reclaimedRunning).toBe(0);
    expect(sem.reclaimedTotal).toBe(1);
    second.release();
    await gates.flush();
    expect(await redis.redis.zcard(gateKey(prefix, 's', 'api', 'leases'))).toBe(0);
  });

  it('leaseTtlMs - a held lease is renewed while its call runs, so it outlives its TTL', { timeout: 20_000 }, async () => {
    const prefix = redis.prefix('renew');
    // Renewed every 667 ms; held for 2.5 TTLs.
    const a = (await redis.process(prefix)).semaphore('api', { permits: 1, leaseTtlMs: 2000, onRedisDown: 'fail-closed' });
    const b = (await redis.process(prefix)).semaphore('api', { permits: 1, leaseTtlMs: 2000, onRedisDown: 'fail-closed' });
    const holder = await a.acquire();
    const waiting = b.acquire();
    const state = track(waiting);
    const expiries = await leaseExpiries(prefix, 5000);
    // Renewed again and again: the lease's expiry moved on at least five times (once every 667 ms).
    expect(new Set(expiries).size).toBeGreaterThanOrEqual(5);
    expect(await redis.redis.zcard(gateKey(prefix, 's', 'api', 'leases'))).toBe(1);
    // A second holder could only come from a renewal later than the TTL (a machine stalled for over 1.3 s),
    // and then the holder learns it: two holders are never silent.
    if (state.settled) await until(() => a.lapsedLeases > 0, 'the holder to learn its lease lapsed', 5000);
    else expect(a.lapsedLeases).toBe(0);
    holder.release();
    (await waiting).release();
  });

  it('leaseTtlMs - renewal keeps going when timers fire up to 2 ms early, as Node timers do', { timeout: 20_000 }, async () => {
    const prefix = redis.prefix('early');
    // Timers that fire 2 ms before their delay is up: a renewal that re-checked "is it due yet?" would say
    // no, set no timer, and let the lease lapse while its call runs (the cause of a flaky run of the test above).
    const earlyTimers: Clock = {
      now: () => performance.now(),
      setTimeout: (callback, delayMs) => setTimeout(callback, Math.max(0, delayMs - 2)),
      clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
    };
    const a = (await redis.process(prefix)).semaphore('api', { permits: 1, leaseTtlMs: 1500, clock: earlyTimers, onRedisDown: 'fail-closed' });
    const b = (await redis.process(prefix)).semaphore('api', { permits: 1, leaseTtlMs: 1500, onRedisDown: 'fail-closed' });
    const holder = await a.acquire();
    const waiting = b.acquire();
    const state = track(waiting);
    const expiries = await leaseExpiries(prefix, 4000);
    expect(new Set(expiries).size).toBeGreaterThanOrEqual(5);
    expect(state.settled).toBe(false);
    holder.release();
    (await waiting).release();
  });

  it('lapsedLeases - a holder that could not renew for longer than its TTL learns its lease lapsed, and the gate counts both holders until one ends', { timeout: 20_000 }, async () => {
    const prefix = redis.prefix('lapsed');
    // The holder's timers fire only when the test says: a process whose event loop is stuck.
    const stuck: Array<() => void> = [];
    const stuckClock: Clock = { now: () => performance.now(), setTimeout: (callback) => stuck.push(callback), clearTimeout: () => undefined };
    const a = (await redis.process(prefix)).semaphore('api', { permits: 1, leaseTtlMs: 300, clock: stuckClock, onRedisDown: 'fail-closed' });
    const b = (await redis.process(prefix)).semaphore('api', { permits: 1, leaseTtlMs: 300, onRedisDown: 'fail-closed' });
    const first = await a.acquire();
    // Its lease runs out unrenewed, so the waiting process is granted the permit: two holders of one permit.
    const second = await b.acquire();
    expect(a.inFlight + b.inFlight).toBe(2);
    expect(a.lapsedLeases).toBe(0);
    // The stuck loop runs again: its renewal finds the lease lapsed, says so, and re-creates it.
    for (const fire of stuck.splice(0)) fire();
    await until(() => a.lapsedLeases === 1, 'the renewal to report the lapse');
    expect(await redis.redis.zcard(gateKey(prefix, 's', 'api', 'leases'))).toBe(2);
    // Redis counts both calls again, so nobody else is granted until one of them ends.
    const queued = nextQueued(b);
    const third = b.acquire();
    await queued;
    first.release();
    second.release();
    (await third).release();
  });

  it('Runner - a call waiting at a shared semaphore gets a queue span with kind shared_semaphore and scope shared', async () => {
    const prefix = redis.prefix('span');
    const gates = await redis.process(prefix);
    const sem = gates.semaphore('model-api', { permits: 1, onRedisDown: 'fail-closed' });
    const { runner, byName } = tracedRunner();
    const release = deferred();
    let running = 0;
    let maxRunning = 0;
    const tool = defineTool({
      name: 'call_model',
      input: z.object({}),
      gates: [sem],
      async run() {
        running += 1;
        maxRunning = Math.max(maxRunning, running);
        await release.promise;
        running -= 1;
        return 'ok';
      },
    });
    const calls = [runner.call(tool, {}), runner.call(tool, {})];
    await new Promise((resolve) => setTimeout(resolve, 20));
    release.resolve();
    expect(await Promise.all(calls)).toEqual(['ok', 'ok']);
    expect(maxRunning).toBe(1);
    const spans = byName('queue model-api');
    expect(spans).toHaveLength(2);
    for (const span of spans) {
      expect(span.attributes['overlap.gate.scope']).toBe('shared');
      expect(span.attributes['overlap.gate.kind']).toBe('shared_semaphore');
      expect(span.attributes['overlap.phase']).toBe('queue');
    }
    await sem.onIdle();
  });

  it('close() - gives back leases and queue places, and rejects waiters with GateUnavailableError', async () => {
    const prefix = redis.prefix('close');
    const aGates = createSharedGates({ url: redis.server.url, keyPrefix: prefix });
    await aGates.ready();
    const a = aGates.semaphore('api', { permits: 1, onRedisDown: 'fail-closed' });
    const b = (await redis.process(prefix)).semaphore('api', { permits: 1, onRedisDown: 'fail-closed' });
    const held = await a.acquire();
    const queued = nextQueued(a);
    const waiting = a.acquire().catch((e: unknown) => e);
    await queued;
    await aGates.close();
    const error = await waiting;
    expect(isGateUnavailableError(error)).toBe(true);
    expect((error as GateUnavailableError).reason).toBe('closed');
    expect(() => a.enter({ priority: 0, grant: () => undefined, reject: () => undefined })).toThrow(GateUnavailableError);
    held.release();
    expect(await redis.redis.zcard(gateKey(prefix, 's', 'api', 'leases'))).toBe(0);
    expect(await redis.redis.zcard(gateKey(prefix, 's', 'api', 'queue'))).toBe(0);
    const permit = await b.acquire();
    permit.release();
  });

  it('semaphore() - rejects bad options with an InvalidOptionError naming the option', async () => {
    const gates = await redis.process(redis.prefix('options'));
    const bad = (options: unknown) => () => gates.semaphore('api', options as never);
    expect(bad({ permits: 0, onRedisDown: 'fail-closed' })).toThrow(InvalidOptionError);
    expect(bad({ permits: 0, onRedisDown: 'fail-closed' })).toThrow(/SharedSemaphore\.permits/);
    expect(bad({ permits: 2 })).toThrow(/SharedSemaphore\.onRedisDown: expected one of 'fail-closed', 'fail-open'/);
    expect(bad({ permits: 2, onRedisDown: 'fail-closed', leaseTtlMs: 5 })).toThrow(/SharedSemaphore\.leaseTtlMs/);
    expect(bad({ permits: 2, onRedisDown: 'fail-closed', localShare: 0.5 })).toThrow(/SharedSemaphore\.localShare/);
    expect(() => gates.semaphore('', { permits: 1, onRedisDown: 'fail-open' })).toThrow(/SharedSemaphore\.name/);
  });
});
