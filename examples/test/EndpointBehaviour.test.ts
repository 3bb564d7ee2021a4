import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ENDPOINTS, EndpointBehaviour, isScheduled, seededRandom, streamSeed, type ResolvedEndpointOptions } from '../src/index.js';

const plainEndpoint: ResolvedEndpointOptions = {
  latencyMs: [100, 200],
  rateLimit: null,
  failures: null,
  hangs: null,
  slow: null,
  tokenLatencyMs: [0, 0],
  tokenRateLimit: null,
};

describe('seededRandom', () => {
  it('seededRandom() - the same seed gives the same sequence, in [0, 1)', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const a = seededRandom(seed);
        const b = seededRandom(seed);
        for (let i = 0; i < 20; i += 1) {
          const x = a();
          expect(b()).toBe(x);
          expect(x).toBeGreaterThanOrEqual(0);
          expect(x).toBeLessThan(1);
        }
      }),
    );
  });

  it('streamSeed() - distinct seeds give distinct streams for the same name', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 0xffffffff }), fc.string(), (a, b, name) => {
        fc.pre(a !== b);
        expect(streamSeed(a, name)).not.toBe(streamSeed(b, name));
      }),
    );
  });
});

describe('isScheduled', () => {
  it('isScheduled() - a pattern hits exactly its x positions, cycling, whatever the draw', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[x.]{1,8}$/), fc.nat(100), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (pattern, index, draw) => {
        expect(isScheduled({ pattern }, index, draw)).toBe(pattern[index % pattern.length] === 'x');
      }),
    );
  });

  it('isScheduled() - a probability hits when the draw is below it; never at 0, always at 1', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (probability, draw) => {
        expect(isScheduled({ probability }, 0, draw)).toBe(draw < probability);
        expect(isScheduled({ probability: 0 }, 0, draw)).toBe(false);
        expect(isScheduled({ probability: 1 }, 0, draw)).toBe(true);
      }),
    );
    expect(isScheduled(null, 0, 0)).toBe(false);
  });
});

describe('EndpointBehaviour', () => {
  it('.plan() - draws latencies within the range times the scale, the same ones for the same seed', () => {
    fc.assert(
      fc.property(fc.integer(), fc.double({ min: 0, max: 3, noNaN: true }), (seed, scale) => {
        const a = new EndpointBehaviour('weather', plainEndpoint, seed, scale);
        const b = new EndpointBehaviour('weather', plainEndpoint, seed, scale);
        for (let i = 0; i < 10; i += 1) {
          const plan = a.plan(i);
          expect(b.plan(i)).toEqual(plan);
          if (plan.kind !== 'answer') throw new Error('expected an answer');
          expect(plan.index).toBe(i);
          expect(plan.status).toBe(200);
          expect(plan.latencyMs).toBeGreaterThanOrEqual(100 * scale);
          expect(plan.latencyMs).toBeLessThanOrEqual(200 * scale);
        }
      }),
    );
  });

  it('.plan() - one endpoint draws the same whatever another one does', () => {
    const alone = new EndpointBehaviour('orders', plainEndpoint, 3, 1);
    const expected = [0, 1, 2, 3].map((t) => alone.plan(t));
    const busy = new EndpointBehaviour('orders', plainEndpoint, 3, 1);
    const other = new EndpointBehaviour('weather', plainEndpoint, 3, 1);
    const got = [0, 1, 2, 3].map((t) => (other.plan(t), other.plan(t), busy.plan(t)));
    expect(got).toEqual(expected);
  });

  it('.plan() - admits at most `limit` requests in any window, and Retry-After is when the window has room again', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 10, max: 1000 }),
        fc.array(fc.integer({ min: 0, max: 3000 }), { minLength: 1, maxLength: 60 }),
        (limit, intervalMs, times) => {
          const arrivals = [...times].sort((a, b) => a - b);
          const behaviour = new EndpointBehaviour('orders', { ...plainEndpoint, rateLimit: { limit, intervalMs } }, 1, 1);
          const admitted: number[] = [];
          for (const t of arrivals) {
            const plan = behaviour.plan(t);
            const inWindow = admitted.filter((a) => a > t - intervalMs).length;
            if (plan.kind === 'rate_limited') {
              expect(inWindow).toBe(limit);
              expect(plan.retryAfterMs).toBeGreaterThan(0);
              expect(plan.retryAfterMs).toBeLessThanOrEqual(intervalMs);
              // At the hinted time, the admissions so far leave room for one more.
              const at = t + plan.retryAfterMs;
              expect(admitted.filter((a) => a > at - intervalMs).length).toBeLessThan(limit);
            } else {
              expect(inWindow).toBeLessThan(limit);
              admitted.push(t);
            }
          }
          expect(behaviour.admitted).toBe(admitted.length);
        },
      ),
    );
  });

  it('.plan() - a hang wins over a failure and a slow answer; a slow answer takes the slow latency', () => {
    const options: ResolvedEndpointOptions = {
      latencyMs: [10, 10],
      rateLimit: null,
      failures: { pattern: '.xx', status: 502 },
      hangs: { pattern: '..x' },
      slow: { pattern: 'x..', latencyMs: [500, 500] },
      tokenLatencyMs: [3, 3],
      tokenRateLimit: null,
    };
    const behaviour = new EndpointBehaviour('faq', options, 1, 2);
    expect(behaviour.plan(0)).toEqual({ kind: 'answer', index: 0, status: 200, latencyMs: 1000, tokenLatencyMs: 6, slow: true });
    expect(behaviour.plan(1)).toEqual({ kind: 'answer', index: 1, status: 502, latencyMs: 20, tokenLatencyMs: 6, slow: false });
    expect(behaviour.plan(2)).toEqual({ kind: 'hang', index: 2 });
  });

  it('.admitTokens() - admits tokens up to the budget per window, then says when the oldest leave', () => {
    const behaviour = new EndpointBehaviour('model', { ...plainEndpoint, tokenRateLimit: { tokens: 100, intervalMs: 1000 } }, 1, 1);
    expect(behaviour.admitTokens(0, 40)).toEqual({ ok: true, window: { limit: 100, remaining: 60, resetMs: 1000 } });
    expect(behaviour.admitTokens(200, 50)).toEqual({ ok: true, window: { limit: 100, remaining: 10, resetMs: 800 } });
    // 30 more would make 120: room comes when the first 40 leave, at 1000.
    expect(behaviour.admitTokens(300, 30)).toEqual({ ok: false, retryAfterMs: 700, limit: 100, used: 90 });
    // 70 more need both earlier requests gone, at 1200.
    expect(behaviour.admitTokens(300, 70)).toEqual({ ok: false, retryAfterMs: 900, limit: 100, used: 90 });
    // More than the whole budget never fits: wait a full window.
    expect(behaviour.admitTokens(300, 101)).toMatchObject({ ok: false, retryAfterMs: 1000 });
    expect(behaviour.admitTokens(1000, 30)).toMatchObject({ ok: true, window: { remaining: 20 } });
    expect(new EndpointBehaviour('weather', plainEndpoint, 1, 1).admitTokens(0, 1e9)).toEqual({ ok: true, window: undefined });
  });

  it('.requestWindow() - tells the request limit, what is left and when the window resets, without admitting', () => {
    const behaviour = new EndpointBehaviour('orders', { ...plainEndpoint, rateLimit: { limit: 2, intervalMs: 1000 } }, 1, 1);
    expect(behaviour.requestWindow(0)).toEqual({ limit: 2, remaining: 2, resetMs: 0 });
    behaviour.plan(100);
    expect(behaviour.requestWindow(400)).toEqual({ limit: 2, remaining: 1, resetMs: 700 });
    expect(behaviour.admitted).toBe(1);
    expect(new EndpointBehaviour('weather', plainEndpoint, 1, 1).requestWindow(0)).toBeUndefined();
  });

  it('DEFAULT_ENDPOINTS - every default is a valid, frozen endpoint', () => {
    for (const [name, options] of Object.entries(DEFAULT_ENDPOINTS)) {
      expect(options.latencyMs[0], name).toBeLessThanOrEqual(options.latencyMs[1]);
    }
    expect(Object.isFrozen(DEFAULT_ENDPOINTS)).toBe(true);
  });
});
