import { isInvalidOptionError, parseRetryAfter } from '@overlap/runner';
import { describe, expect, it, vi } from 'vitest';
import { DEFAULT_ENDPOINTS, ENDPOINT_NAMES, UPSTREAM_PROFILES, createUpstream, resolveUpstreamOptions, upstreamProfile } from '../src/index.js';
import { startUpstream } from './helpers.js';

/** The latency an answer says it was given (its Server-Timing header). */
async function drawnLatency(url: string): Promise<number> {
  const res = await fetch(url);
  await res.text();
  const match = /upstream;dur=([\d.]+)/.exec(res.headers.get('server-timing') ?? '');
  if (match === null) throw new Error(`no Server-Timing on ${url}`);
  return Number(match[1]);
}

async function latencies(seed: number, count: number): Promise<number[]> {
  const upstream = await startUpstream({ seed, latencyScale: 0.02 });
  const drawn: number[] = [];
  for (let i = 0; i < count; i += 1) drawn.push(await drawnLatency(`${upstream.url}/weather?city=Oslo`));
  return drawn;
}

describe('createUpstream', () => {
  it('createUpstream() - the same seed draws the same latencies, another seed others', async () => {
    const first = await latencies(5, 6);
    const again = await latencies(5, 6);
    const other = await latencies(6, 6);
    expect(again).toEqual(first);
    expect(other).not.toEqual(first);
    // weather's default range, 250-400 ms, scaled by 0.02
    for (const ms of [...first, ...other]) {
      expect(ms).toBeGreaterThanOrEqual(5);
      expect(ms).toBeLessThanOrEqual(8);
    }
  });

  it('createUpstream() - answers 429 with Retry-After in whole seconds once the rate is exceeded', async () => {
    const upstream = await startUpstream({ latencyScale: 0, endpoints: { orders: { rateLimit: { limit: 3, intervalMs: 60_000 } } } });
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 5; i += 1) {
      const res = await fetch(`${upstream.url}/orders/A-${i}`);
      await res.text();
      statuses.push(res.status);
      if (res.status === 429) retryAfter = res.headers.get('retry-after');
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    expect(retryAfter).toMatch(/^\d+$/);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(59);
    expect(Number(retryAfter)).toBeLessThanOrEqual(60);
    expect(upstream.stats.endpoint('orders')).toMatchObject({ requests: 5, answered: 3, rateLimited: 2, inFlight: 0 });
  });

  it('createUpstream() - a request after the Retry-After delay is admitted (fractional Retry-After)', async () => {
    const upstream = await startUpstream({
      latencyScale: 0,
      fractionalRetryAfter: true,
      endpoints: { orders: { rateLimit: { limit: 2, intervalMs: 300 } } },
    });
    const get = async () => {
      const res = await fetch(`${upstream.url}/orders/A-1`);
      await res.text();
      return res;
    };
    await get();
    await get();
    const limited = await get();
    expect(limited.status).toBe(429);
    const waitMs = parseRetryAfter(limited.headers.get('retry-after')!)!;
    expect(waitMs).toBeGreaterThan(0);
    expect(waitMs).toBeLessThanOrEqual(300);
    await new Promise((resolve) => setTimeout(resolve, waitMs + 5));
    expect((await get()).status).toBe(200);
  });

  it('createUpstream() - fails with its status exactly where a pattern says', async () => {
    const upstream = await startUpstream({ latencyScale: 0, endpoints: { faq: { failures: { pattern: 'x.x..', status: 502 } } } });
    const statuses: number[] = [];
    for (let i = 0; i < 10; i += 1) {
      const res = await fetch(`${upstream.url}/faq?q=refunds`);
      await res.text();
      statuses.push(res.status);
    }
    expect(statuses).toEqual([502, 200, 502, 200, 200, 502, 200, 502, 200, 200]);
    expect(upstream.stats.endpoint('faq')).toMatchObject({ failed: 4, answered: 6 });
  });

  it('createUpstream() - a probability schedule fails the same requests for the same seed', async () => {
    const run = async (seed: number) => {
      const upstream = await startUpstream({ seed, latencyScale: 0, endpoints: { vectorStore: { failures: { probability: 0.5 } } } });
      const statuses: number[] = [];
      for (let i = 0; i < 16; i += 1) {
        const res = await fetch(`${upstream.url}/vectors/query`, { method: 'POST', body: JSON.stringify({ query: 'refund' }) });
        await res.text();
        statuses.push(res.status);
      }
      return statuses;
    };
    const first = await run(11);
    expect(await run(11)).toEqual(first);
    expect(first).toContain(503);
    expect(first).toContain(200);
  });

  it('createUpstream() - a hung request stays open until the client aborts, then counts as closed by the client', async () => {
    const upstream = await startUpstream();
    const controller = new AbortController();
    const pending = fetch(`${upstream.url}/db/tickets?userId=u-7`, { signal: controller.signal });
    await vi.waitFor(() => expect(upstream.stats.endpoint('database')).toMatchObject({ hung: 1, inFlight: 1 }));
    expect(upstream.stats.endpoint('database').closedByClient).toBe(0);
    controller.abort(new Error('gave up'));
    await expect(pending).rejects.toThrow('gave up');
    await vi.waitFor(() => expect(upstream.stats.endpoint('database')).toMatchObject({ closedByClient: 1, inFlight: 0 }));
    expect(upstream.stats.total.closedByClient).toBe(1);
  });

  it('createUpstream() - an aborted slow request is closed by the client before its answer', async () => {
    const upstream = await startUpstream({ endpoints: { materials: { latencyMs: [5000, 5000] } } });
    const pending = fetch(`${upstream.url}/materials?topic=fractions`, { signal: AbortSignal.timeout(50) });
    await expect(pending).rejects.toThrow();
    await vi.waitFor(() => expect(upstream.stats.endpoint('materials')).toMatchObject({ closedByClient: 1, inFlight: 0, answered: 0 }));
  });

  it('createUpstream() - counts the most requests in progress at once', async () => {
    const upstream = await startUpstream({ endpoints: { template: { latencyMs: [40, 40] } } });
    await Promise.all([1, 2, 3].map(async (n) => (await fetch(`${upstream.url}/templates/t${n}`)).text()));
    expect(upstream.stats.endpoint('template')).toMatchObject({ requests: 3, answered: 3, maxInFlight: 3, inFlight: 0 });
  });

  it('createUpstream() - answers 404 to unknown paths, 405 to wrong methods and 400 to bad input', async () => {
    const upstream = await startUpstream({ latencyScale: 0 });
    const status = async (path: string, init?: RequestInit) => {
      const res = await fetch(`${upstream.url}${path}`, init);
      await res.text();
      return res.status;
    };
    expect(await status('/nowhere')).toBe(404);
    expect(await status('/model')).toBe(405);
    expect(await status('/weather')).toBe(400);
    expect(await status('/model', { method: 'POST', body: '{not json' })).toBe(400);
    expect(await status('/model', { method: 'POST', body: JSON.stringify({ messages: [] }) })).toBe(400);
    expect(upstream.stats.notFound).toBe(1);
    expect(upstream.stats.endpoint('model').rejected).toBe(2);
  });

  it('createUpstream() - a model answers with a completion and its token usage', async () => {
    const upstream = await startUpstream({ latencyScale: 0 });
    const res = await fetch(`${upstream.url}/model/small`, {
      method: 'POST',
      body: JSON.stringify({ messages: [{ role: 'user', content: 'Where is my order?' }] }),
    });
    const body = (await res.json()) as { model: string; text: string; usage: { inputTokens: number; outputTokens: number } };
    expect(res.status).toBe(200);
    expect(body.model).toBe('upstream-small');
    expect(body.text).toContain('Where is my order?');
    expect(body.usage.inputTokens).toBe(Math.ceil('Where is my order?'.length / 4));
    expect(body.usage.outputTokens).toBeGreaterThan(0);
  });

  it('close() - drops hung requests and stops listening', async () => {
    const upstream = await createUpstream();
    const pending = fetch(`${upstream.url}/db/tickets?userId=u-7`);
    await vi.waitFor(() => expect(upstream.stats.endpoint('database').hung).toBe(1));
    await upstream.close();
    await expect(pending).rejects.toThrow();
    await expect(fetch(`${upstream.url}/weather?city=Oslo`)).rejects.toThrow();
    // Closing is not counted as the client going away.
    expect(upstream.stats.endpoint('database').closedByClient).toBe(0);
    await upstream.close();
  });

  it('createUpstream() - rejects bad options with an InvalidOptionError naming the option', async () => {
    const cases: Array<[unknown, string]> = [
      [{ seed: 1.5 }, 'createUpstream.seed'],
      [{ latencyScale: -1 }, 'createUpstream.latencyScale'],
      [{ port: 70_000 }, 'createUpstream.port'],
      [{ endpoints: { nope: {} } }, 'createUpstream.endpoints.nope'],
      [{ endpoints: { orders: { latencyMs: [300, 100] } } }, 'createUpstream.endpoints.orders.latencyMs'],
      [{ endpoints: { orders: { rateLimit: { limit: 0 } } } }, 'createUpstream.endpoints.orders.rateLimit.limit'],
      [{ endpoints: { faq: { failures: { pattern: 'xo' } } } }, 'createUpstream.endpoints.faq.failures.pattern'],
      [{ endpoints: { faq: { failures: { probability: 1, status: 404 } } } }, 'createUpstream.endpoints.faq.failures.status'],
      [{ endpoints: { database: { hangs: { probability: 2 } } } }, 'createUpstream.endpoints.database.hangs.probability'],
    ];
    for (const [options, option] of cases) {
      const error = await createUpstream(options as never).then(
        (u) => (void u.close(), undefined),
        (e: unknown) => e,
      );
      expect(isInvalidOptionError(error), `${JSON.stringify(options)} should be rejected`).toBe(true);
      expect((error as { option: string }).option).toBe(option);
    }
  });

  it('upstreamProfile() - each profile is valid; fast has no faults or limits, realistic is the defaults, overloaded fails, hangs and limits tokens', () => {
    for (const profile of UPSTREAM_PROFILES) expect(() => resolveUpstreamOptions({ endpoints: upstreamProfile(profile) }), profile).not.toThrow();
    const fast = resolveUpstreamOptions({ endpoints: upstreamProfile('fast') }).endpoints;
    for (const name of ENDPOINT_NAMES) {
      expect(fast[name], name).toMatchObject({ rateLimit: null, tokenRateLimit: null, failures: null, hangs: null, slow: null });
      expect(fast[name].latencyMs[1]).toBeLessThanOrEqual(20);
    }
    expect(resolveUpstreamOptions({ endpoints: upstreamProfile('realistic') }).endpoints).toEqual(DEFAULT_ENDPOINTS);
    const overloaded = resolveUpstreamOptions({ endpoints: upstreamProfile('overloaded') }).endpoints;
    expect(overloaded.model.tokenRateLimit).toEqual({ tokens: 4000, intervalMs: 60_000 });
    for (const name of ENDPOINT_NAMES) expect(overloaded[name].failures, name).not.toBeNull();
  });
});
