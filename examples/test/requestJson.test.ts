import { isUpstreamError, type UpstreamError } from '@overlap/runner';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { requestJson } from '../src/index.js';
import { startUpstream } from './helpers.js';

const never = new AbortController().signal;

async function failure(promise: Promise<unknown>): Promise<UpstreamError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isUpstreamError(error)) throw new Error(`expected an UpstreamError, got ${String(error)}`);
  return error;
}

describe('requestJson', () => {
  it('requestJson() - returns the JSON answer', async () => {
    const upstream = await startUpstream({ latencyScale: 0 });
    const weather = await requestJson<{ city: string }>(upstream.url, '/weather?city=Oslo', { signal: never });
    expect(weather.city).toBe('Oslo');
    const matches = await requestJson<{ matches: unknown[] }>(`${upstream.url}/`, '/vectors/query', { signal: never, body: { query: 'q', topK: 2 } });
    expect(matches.matches).toHaveLength(2);
  });

  it('requestJson() - a 5xx is a retryable UpstreamError with its status', async () => {
    const upstream = await startUpstream({ latencyScale: 0, endpoints: { faq: { failures: { pattern: 'x', status: 503 } } } });
    const error = await failure(requestJson(upstream.url, '/faq?q=refunds', { signal: never }));
    expect(error).toMatchObject({ status: 503, retryable: true, retryAfterMs: undefined });
    expect(error.message).toBe('GET /faq answered 503 Service Unavailable');
  });

  it('requestJson() - a 429 is a retryable UpstreamError carrying the Retry-After hint', async () => {
    const upstream = await startUpstream({ latencyScale: 0, endpoints: { orders: { rateLimit: { limit: 1, intervalMs: 2000 } } } });
    await requestJson(upstream.url, '/orders/A-1', { signal: never });
    const error = await failure(requestJson(upstream.url, '/orders/A-2', { signal: never }));
    expect(error).toMatchObject({ status: 429, retryable: true, retryAfterMs: 2000 });
  });

  it('requestJson() - a 400 is an UpstreamError that is not retryable', async () => {
    const upstream = await startUpstream({ latencyScale: 0 });
    const error = await failure(requestJson(upstream.url, '/weather', { signal: never }));
    expect(error).toMatchObject({ status: 400, retryable: false });
  });

  it('requestJson() - an unreachable upstream is a retryable UpstreamError without status', async () => {
    const upstream = await startUpstream();
    const url = upstream.url;
    await upstream.close();
    const error = await failure(requestJson(url, '/weather?city=Oslo', { signal: never }));
    expect(error).toMatchObject({ status: undefined, retryable: true });
  });

  it('requestJson() - an answer that is not JSON is an UpstreamError that is not retryable', async () => {
    const server = createServer((_req, res) => res.end('<html>'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const error = await failure(requestJson(`http://127.0.0.1:${port}`, '/anything', { signal: never }));
      expect(error).toMatchObject({ status: 200, retryable: false });
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("requestJson() - an abort rejects with the signal's reason and closes the request at the upstream", async () => {
    const upstream = await startUpstream();
    const controller = new AbortController();
    const reason = new Error('timed out');
    const pending = requestJson(upstream.url, '/db/tickets?userId=u-7', { signal: controller.signal });
    await vi.waitFor(() => expect(upstream.stats.endpoint('database').hung).toBe(1));
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    await vi.waitFor(() => expect(upstream.stats.endpoint('database').closedByClient).toBe(1));
  });
});
