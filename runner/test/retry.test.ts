import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import {
  CircuitOpenError,
  RetriesExhaustedError,
  ToolTimeoutError,
  UpstreamError,
  backoffDelayMs,
  defineAgent,
  defineTool,
  isRetriesExhaustedError,
  parseRetryAfter,
} from '../src/index.js';
import { retryPolicy } from '../src/retry.js';
import { flush, seededRandom, sleep, tracedRunner } from './helpers.js';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('backoffDelayMs()', () => {
  const policy = retryPolicy({ attempts: 6, baseDelayMs: 100, factor: 2, maxDelayMs: 1000, jitter: 'none' }, 'retry');

  it('backoffDelayMs() - doubles from baseDelayMs and caps at maxDelayMs', () => {
    expect([2, 3, 4, 5, 6, 7].map((n) => backoffDelayMs(policy, n, 0.5))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('backoffDelayMs() - full jitter spreads over [0, d], equal jitter over [d/2, d]', () => {
    const full = retryPolicy({ baseDelayMs: 100, jitter: 'full' }, 'retry');
    const equal = retryPolicy({ baseDelayMs: 100, jitter: 'equal' }, 'retry');
    expect(backoffDelayMs(full, 3, 0)).toBe(0);
    expect(backoffDelayMs(full, 3, 0.5)).toBe(100);
    expect(backoffDelayMs(equal, 3, 0)).toBe(100);
    expect(backoffDelayMs(equal, 3, 0.999)).toBeCloseTo(199.9);
  });

  it('backoffDelayMs() - waits at least the Retry-After hint, capped at maxRetryAfterMs', () => {
    const p = retryPolicy({ baseDelayMs: 100, jitter: 'none', maxRetryAfterMs: 5000 }, 'retry');
    expect(backoffDelayMs(p, 2, 0, 2000)).toBe(2000);
    expect(backoffDelayMs(p, 2, 0, 50)).toBe(100);
    expect(backoffDelayMs(p, 2, 0, 60_000)).toBe(5000);
  });
});

describe('parseRetryAfter()', () => {
  it('parseRetryAfter() - reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('2')).toBe(2000);
    expect(parseRetryAfter(' 1.5 ')).toBe(1500);
    expect(parseRetryAfter(3)).toBe(3000);
    const now = Date.parse('Wed, 25 Nov 2026 12:00:00 GMT');
    expect(parseRetryAfter('Wed, 25 Nov 2026 12:00:04 GMT', now)).toBe(4000);
    expect(parseRetryAfter('Wed, 25 Nov 2026 11:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(-1)).toBeUndefined();
  });
});

describe('retries', () => {
  it('call() - retries retryable failures with the back-off sequence and records each attempt', async () => {
    const t = tracedRunner({ random: () => 0.5 });
    let attempts = 0;
    const startTimes: number[] = [];
    const start = performance.now();
    const flaky = defineTool({
      name: 'flaky',
      input: z.object({}),
      retry: { attempts: 4, baseDelayMs: 100, jitter: 'none' },
      run(_i, { attempt }) {
        attempts += 1;
        expect(attempt).toBe(attempts);
        startTimes.push(performance.now() - start);
        if (attempt < 4) throw new UpstreamError('503 from upstream', { status: 503 });
        return 'ok';
      },
    });
    const p = t.runner.call(flaky, {});
    await vi.runAllTimersAsync();
    expect(await p).toBe('ok');
    expect(startTimes).toEqual([0, 100, 300, 700]);
    const span = t.one('execute_tool flaky');
    expect(span.attributes['overlap.attempt']).toBe(4);
    expect(span.attributes['overlap.outcome']).toBe('ok');
    expect(span.events.filter((e) => e.name === 'overlap.retry.backoff').map((e) => e.attributes?.['overlap.retry.delay_ms'])).toEqual([
      100, 200, 400,
    ]);
    expect(span.events.filter((e) => e.name === 'overlap.attempt.failed')).toHaveLength(3);
  });

  it('call() - honours a Retry-After hint and shows it in the trace', async () => {
    const t = tracedRunner();
    let n = 0;
    const limited = defineTool({
      name: 'limited',
      input: z.object({}),
      retry: { attempts: 2, baseDelayMs: 10, jitter: 'none' },
      run() {
        n += 1;
        if (n === 1) throw new UpstreamError('429', { status: 429, retryAfter: '2' });
        return 'ok';
      },
    });
    const start = performance.now();
    const p = t.runner.call(limited, {}).then(() => performance.now() - start);
    await vi.runAllTimersAsync();
    expect(await p).toBe(2000);
    const backoff = t.one('execute_tool limited').events.find((e) => e.name === 'overlap.retry.backoff');
    expect(backoff?.attributes).toMatchObject({ 'overlap.retry.delay_ms': 2000, 'overlap.retry.after_ms': 2000 });
  });

  it('call() - does not retry errors that are not retryable', async () => {
    const t = tracedRunner();
    let n = 0;
    const bad = defineTool({
      name: 'bad',
      input: z.object({}),
      retry: { attempts: 5 },
      run() {
        n += 1;
        throw new UpstreamError('404', { status: 404 });
      },
    });
    const p = t.runner.call(bad, {}).catch((e: unknown) => e);
    await vi.runAllTimersAsync();
    expect(await p).toBeInstanceOf(UpstreamError);
    expect(n).toBe(1);
  });

  it('call() - retries timeouts by default and fails with RetriesExhaustedError after the last attempt', async () => {
    const t = tracedRunner({ random: seededRandom(1) });
    const slow = defineTool({
      name: 'slow',
      input: z.object({}),
      timeoutMs: 100,
      retry: { attempts: 3, baseDelayMs: 50 },
      run: async (_i, { signal }) => (await sleep(1000, signal), 'never'),
    });
    const p = t.runner.call(slow, {}).catch((e: unknown) => e);
    await vi.runAllTimersAsync();
    const error = (await p) as RetriesExhaustedError;
    expect(isRetriesExhaustedError(error)).toBe(true);
    expect(error.attempts).toBe(3);
    expect(error.reason).toBe('exhausted');
    expect(error.cause).toBeInstanceOf(ToolTimeoutError);
    const span = t.one('execute_tool slow');
    expect(span.attributes['overlap.outcome']).toBe('timeout');
    expect(span.attributes['error.type']).toBe('OVERLAP_RETRIES_EXHAUSTED');
  });

  it('call() - starts no retry that the run deadline cannot fit', async () => {
    const t = tracedRunner();
    let n = 0;
    const flaky = defineTool({
      name: 'flaky',
      input: z.object({}),
      retry: { attempts: 10, baseDelayMs: 400, jitter: 'none' },
      run() {
        n += 1;
        throw new UpstreamError('502', { status: 502 });
      },
    });
    const agent = defineAgent({ name: 'a', run: (ctx) => ctx.call(flaky, {}) });
    const start = performance.now();
    const p = t.runner.run(agent, undefined, { deadlineMs: 1000 }).catch((e: unknown) => ({ e, at: performance.now() - start }));
    await vi.runAllTimersAsync();
    const { e, at } = (await p) as { e: RetriesExhaustedError; at: number };
    // Attempts at 0 and 400 ms; the next back-off (800 ms) would end past the 1000 ms deadline.
    expect(n).toBe(2);
    expect(e.reason).toBe('deadline');
    expect(at).toBe(400);
    expect(t.one('execute_tool flaky').attributes['overlap.retry.stop_reason']).toBe('deadline');
  });

  it('call() - a cancelled call stops its back-off at once and is not retried', async () => {
    const t = tracedRunner();
    let n = 0;
    const flaky = defineTool({
      name: 'flaky',
      input: z.object({}),
      retry: { attempts: 5, baseDelayMs: 1000, jitter: 'none' },
      run() {
        n += 1;
        throw new UpstreamError('500', { status: 500 });
      },
    });
    const controller = new AbortController();
    const p = t.runner.call(flaky, {}, { signal: controller.signal }).catch((e: unknown) => e);
    await flush();
    controller.abort('stop');
    expect(await p).toBe('stop');
    expect(n).toBe(1);
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('circuit breaker', () => {
  it('call() - opens after failureThreshold failures, fails fast, probes after halfOpenAfterMs, and records state changes', async () => {
    const t = tracedRunner();
    let healthy = false;
    let bodyRuns = 0;
    const fragile = defineTool({
      name: 'fragile',
      input: z.object({}),
      circuitBreaker: { failureThreshold: 3, windowMs: 10_000, halfOpenAfterMs: 1000 },
      run() {
        bodyRuns += 1;
        if (!healthy) throw new Error('down');
        return 'up';
      },
    });
    for (let i = 0; i < 3; i += 1) await expect(t.runner.call(fragile, {})).rejects.toThrow('down');
    const fast = await t.runner.call(fragile, {}).catch((e: unknown) => e);
    expect(fast).toBeInstanceOf(CircuitOpenError);
    expect((fast as CircuitOpenError).retryInMs).toBe(1000);
    expect(bodyRuns).toBe(3);
    await vi.advanceTimersByTimeAsync(1000);
    // The probe fails: open again.
    await expect(t.runner.call(fragile, {})).rejects.toThrow('down');
    await expect(t.runner.call(fragile, {})).rejects.toBeInstanceOf(CircuitOpenError);
    await vi.advanceTimersByTimeAsync(1000);
    healthy = true;
    expect(await t.runner.call(fragile, {})).toBe('up');
    expect(await t.runner.call(fragile, {})).toBe('up');
    const changes = t
      .byName('execute_tool fragile')
      .flatMap((s) => s.events.filter((e) => e.name === 'overlap.circuit.state_change'))
      .map((e) => `${e.attributes?.['overlap.circuit.previous_state']}->${e.attributes?.['overlap.circuit.state']}`);
    expect(changes).toEqual(['closed->open', 'open->half_open', 'half_open->open', 'open->half_open', 'half_open->closed']);
    const rejected = t.byName('execute_tool fragile').filter((s) => s.attributes['overlap.outcome'] === 'rejected');
    expect(rejected).toHaveLength(2);
  });

  it('call() - circuit state is per runner', async () => {
    const a = tracedRunner();
    const b = tracedRunner();
    const failing = defineTool({
      name: 'failing',
      input: z.object({}),
      circuitBreaker: { failureThreshold: 1 },
      run() {
        throw new Error('no');
      },
    });
    await expect(a.runner.call(failing, {})).rejects.toThrow('no');
    await expect(a.runner.call(failing, {})).rejects.toBeInstanceOf(CircuitOpenError);
    await expect(b.runner.call(failing, {})).rejects.toThrow('no');
  });
});
