// What shared gates do when Redis goes away and comes back: this file's redis-server is stopped, killed
// and started again on the same port. Each policy is checked in one process, then under real workers.
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineTool, Runner } from '../../src/index.js';
import { createSharedGates, GateUnavailableError, isGateUnavailableError, type SharedGate, type SharedSemaphoreOptions } from '../../src/redis/index.js';
import { flush, tracedRunner } from '../helpers.js';
import { gateKey, track, until, useRedis } from './fixture.js';
import { startUpstream, type Upstream } from './upstream.js';
import type { WorkerMessage } from './worker.js';
import { killAll, spawnWorker, type Worker } from './workers.js';

const redis = useRedis();
const external = process.env['REDIS_URL'] !== undefined && process.env['REDIS_URL'] !== '';
let workers: Worker[] = [];
let upstream: Upstream | undefined;

afterEach(async () => {
  killAll(workers);
  workers = [];
  await upstream?.close();
  upstream = undefined;
  if (!external) {
    // Leave the server running for the next test, whatever this one did to it.
    await redis.server.start().catch(() => undefined);
  }
});

function nextQueued(gate: SharedGate): Promise<void> {
  return new Promise((resolve) => {
    const dispose = gate.onQueue(() => {
      dispose();
      resolve();
    });
  });
}

const noWaiter = { priority: 0, grant: () => undefined, reject: () => undefined };

describe.skipIf(external)('shared gates while Redis is down', () => {
  it("onRedisDown: 'fail-closed' - rejects queued waiters and new calls with GateUnavailableError at once, and serves through Redis again when it is back", async () => {
    const prefix = redis.prefix('closed');
    const gates = await redis.process(prefix);
    const sem = gates.semaphore('api', { permits: 1, onRedisDown: 'fail-closed' });
    const holder = await sem.acquire();
    const queued = nextQueued(sem);
    const waiting = sem.acquire().catch((e: unknown) => e);
    await queued;

    await redis.server.stop();
    const error = await waiting;
    expect(isGateUnavailableError(error)).toBe(true);
    expect((error as GateUnavailableError).reason).toBe('redis_down');
    expect(sem.mode).toBe('unavailable');
    expect(() => sem.enter(noWaiter)).toThrow(GateUnavailableError);
    await expect(sem.acquire()).rejects.toBeInstanceOf(GateUnavailableError);
    // Through the runner: turned away at once, before it ran, so the call's outcome is rejected.
    const t = tracedRunner();
    const work = defineTool({ name: 'work', input: z.object({}), gates: [sem], run: () => 'ran' });
    await expect(t.runner.call(work, {})).rejects.toBeInstanceOf(GateUnavailableError);
    expect(t.one('execute_tool work').attributes['overlap.outcome']).toBe('rejected');
    expect(sem.queued).toBe(0);

    await redis.server.start();
    await gates.ready();
    await gates.flush();
    expect(sem.mode).toBe('shared');
    // The fresh server lost everything; the lease still held was re-created by its renewal.
    expect(await redis.redis.zcard(gateKey(prefix, 's', 'api', 'leases'))).toBe(1);
    const nextQueuedAgain = nextQueued(sem);
    const next = sem.acquire();
    await nextQueuedAgain;
    holder.release();
    (await next).release();
    await sem.onIdle();
  });

  it("onRedisDown: 'fail-open' - serves from a local gate holding this process's share while Redis is down, counting the permits it holds", async () => {
    const prefix = redis.prefix('open');
    const gates = await redis.process(prefix);
    const sem = gates.semaphore('api', { permits: 4, expectedProcesses: 2, onRedisDown: 'fail-open' });
    expect(sem.localShare).toBe(2);
    const p1 = await sem.acquire();

    await redis.server.stop();
    await until(() => sem.mode === 'local', 'the gate to fail open');
    // p1 takes one of the 2 local permits, so one more call passes and the next one waits.
    const p2 = await sem.acquire();
    expect(sem.inFlight).toBe(2);
    const third = sem.acquire();
    const state = track(third);
    await flush();
    expect(state.settled).toBe(false);
    expect(sem.queued).toBe(1);
    p2.release();
    const p3 = await third;

    await redis.server.start();
    await gates.ready();
    await gates.flush();
    expect(sem.mode).toBe('shared');
    const p4 = await sem.acquire();
    await gates.flush();
    // In Redis: p1 (re-created by its renewal) and p4. p3 finishes under the local share.
    expect(await redis.redis.zcard(gateKey(prefix, 's', 'api', 'leases'))).toBe(2);
    expect(sem.inFlight).toBe(3);
    for (const p of [p1, p3, p4]) p.release();
    await sem.onIdle();
    await gates.flush();
    expect(await redis.redis.zcard(gateKey(prefix, 's', 'api', 'leases'))).toBe(0);
  });

  it("onRedisDown: 'fail-open' - moves waiters queued in Redis to the local gate when it goes down", async () => {
    const prefix = redis.prefix('open-move');
    const gates = await redis.process(prefix);
    const sem = gates.semaphore('api', { permits: 1, onRedisDown: 'fail-open' });
    const holder = await sem.acquire();
    const queued = nextQueued(sem);
    const waiting = sem.acquire();
    const state = track(waiting);
    await queued;
    await redis.server.stop();
    await until(() => sem.mode === 'local', 'the gate to fail open');
    await flush();
    expect(state.settled).toBe(false);
    expect(sem.queued).toBe(1);
    holder.release();
    (await waiting).release();
    await sem.onIdle();
  });

  it('a hung Redis - a queued call leaves at its caller\'s deadline; without one it fails closed, or moves to the local share, when the command times out', async () => {
    const prefix = redis.prefix('hung');
    const gates = await redis.process(prefix, { redis: { commandTimeout: 300 } });
    const closed = gates.semaphore('closed', { permits: 1, onRedisDown: 'fail-closed' });
    const open = gates.semaphore('open', { permits: 1, onRedisDown: 'fail-open' });
    const tool = defineTool({ name: 'work', input: z.object({}), gates: [closed], run: () => 'ok' });
    const runner = new Runner();
    redis.server.pause();
    try {
      const withDeadline = runner.call(tool, {}, { signal: AbortSignal.timeout(50) }).catch((e: unknown) => e);
      const withoutDeadline = closed.acquire().catch((e: unknown) => e);
      const failingOpen = open.acquire();
      expect((await withDeadline) as Error).toMatchObject({ name: 'TimeoutError' });
      const error = await withoutDeadline;
      expect(isGateUnavailableError(error)).toBe(true);
      expect((error as GateUnavailableError).reason).toBe('redis_error');
      const permit = await failingOpen;
      expect(open.inFlight).toBe(1);
      permit.release();
    } finally {
      redis.server.resume();
    }
    // Redis ran the unanswered scripts once thawed, and the give-backs sent after them: the one permit of
    // each gate is free again (a lease left behind would hold it for its 10 s TTL). These calls run on the
    // same connection, so after everything Redis buffered while frozen.
    (await closed.acquire()).release();
    (await open.acquire()).release();
    await gates.flush();
    expect(await redis.redis.zcard(gateKey(prefix, 's', 'closed', 'leases'))).toBe(0);
    expect(await redis.redis.zcard(gateKey(prefix, 's', 'open', 'leases'))).toBe(0);
    expect(closed.inFlight + closed.queued + open.inFlight + open.queued).toBe(0);
  });

  it("createSharedGates() - with no Redis to reach, a gate failing closed rejects at once and one failing open serves locally", async () => {
    const prefix = redis.prefix('never');
    await redis.server.stop();
    const gates = createSharedGates({ url: redis.server.url, keyPrefix: prefix });
    try {
      const closed = gates.semaphore('closed', { permits: 1, onRedisDown: 'fail-closed' });
      const open = gates.semaphore('open', { permits: 1, onRedisDown: 'fail-open' });
      // Calls made while connecting wait for the outcome of the first attempt.
      const early = closed.acquire().catch((e: unknown) => e);
      expect(isGateUnavailableError(await early)).toBe(true);
      expect(gates.state).toBe('down');
      await expect(closed.acquire()).rejects.toBeInstanceOf(GateUnavailableError);
      const permit = await open.acquire();
      expect(open.mode).toBe('local');
      permit.release();
    } finally {
      await gates.close();
    }
  });

  it('Redis killed and restarted mid-run - workers failing closed and failing open keep going: no crash, no hang, every call settles', { timeout: 120_000 }, async () => {
    upstream = await startUpstream(5);
    const keyPrefix = redis.prefix('mp-restart');
    const base = { permits: 4, expectedProcesses: 2 } as const;
    const start = (options: SharedSemaphoreOptions): Worker =>
      spawnWorker({ url: redis.server.url, keyPrefix, gate: { kind: 'semaphore', name: 'upstream', options }, task: { type: 'stream', concurrency: 3, upstream: upstream!.url } });
    const closedWorker = start({ ...base, onRedisDown: 'fail-closed' });
    const openWorker = start({ ...base, onRedisDown: 'fail-open' });
    workers = [closedWorker, openWorker];
    type Progress = Extract<WorkerMessage, { type: 'progress' | 'done' }>;
    const latest = (w: Worker): Progress => {
      const all = w.messages.filter((m): m is Progress => m.type === 'progress' || m.type === 'done');
      return all[all.length - 1] ?? { type: 'progress', ok: 0, failures: {} };
    };
    await Promise.all(workers.map((w) => w.waitFor((m) => m.type === 'ready')));
    for (const w of workers) w.send({ type: 'go' });
    await until(() => latest(closedWorker).ok >= 20 && latest(openWorker).ok >= 20, 'both workers to make calls', 30_000);

    await redis.server.kill();
    const openOkAtKill = latest(openWorker).ok;
    await until(() => (latest(closedWorker).failures['OVERLAP_GATE_UNAVAILABLE'] ?? 0) >= 1, 'the closed worker to fail fast', 30_000);
    await until(() => latest(openWorker).ok >= openOkAtKill + 20, 'the open worker to keep serving', 30_000);

    await redis.server.start();
    const closedOkAtStart = latest(closedWorker).ok;
    await until(() => latest(closedWorker).ok >= closedOkAtStart + 20, 'the closed worker to recover', 30_000);

    for (const w of workers) w.send({ type: 'stop' });
    const [closedDone, openDone] = await Promise.all(workers.map((w) => w.waitFor((m) => m.type === 'done')));
    expect(await Promise.all(workers.map((w) => w.exited))).toEqual([
      { code: 0, signal: null },
      { code: 0, signal: null },
    ]);
    // Failing closed: the only failures are GateUnavailableError. Failing open: no failure at all.
    expect(Object.keys((closedDone as Progress).failures)).toEqual(['OVERLAP_GATE_UNAVAILABLE']);
    expect((openDone as Progress).failures).toEqual({});
    // 4 permits through Redis; at the switch back, calls still running under the local share (2) finish.
    expect(upstream.maxInFlight).toBeLessThanOrEqual(6);
  });
});
