// `overlap run burst --redis URL`: two processes share one concurrency limit through Redis.
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, type RedisServer } from '../../../runner/test/redis/redisServer.js';
import { createUpstream, type Upstream } from '../../src/index.js';
import { runCli } from './cliProcess.js';

/** One request through the proxy: which process sent it, and when it was in flight (ms, this process's clock). */
interface Exchange {
  process: string;
  startMs: number;
  endMs: number;
}

/**
 * A proxy in front of the upstream that tells the processes apart: process `a` is given `{url}/a` as its
 * upstream and `b` `{url}/b`; the proxy strips the prefix, forwards, and records when each request was
 * in flight.
 */
function startTaggingProxy(upstreamUrl: string): Promise<{ url: string; exchanges: Exchange[]; close: () => Promise<void> }> {
  const target = new URL(upstreamUrl);
  const exchanges: Exchange[] = [];
  const server: Server = createServer((req, res) => {
    const [, processTag = '?', ...rest] = (req.url ?? '/').split('/');
    const startMs = performance.now();
    const forward = request(
      { host: target.hostname, port: target.port, path: `/${rest.join('/')}`, method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        answer.on('end', () => exchanges.push({ process: processTag, startMs, endMs: performance.now() }));
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        exchanges,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}

/** Milliseconds during which requests of both processes were in flight at once. */
function overlapMs(exchanges: readonly Exchange[]): number {
  const events = exchanges.flatMap((e) => [
    { tMs: e.startMs, process: e.process, delta: 1 },
    { tMs: e.endMs, process: e.process, delta: -1 },
  ]);
  events.sort((x, y) => x.tMs - y.tMs || x.delta - y.delta);
  const open: Record<string, number> = { a: 0, b: 0 };
  let both = 0;
  let previousMs = 0;
  for (const event of events) {
    if (open['a']! > 0 && open['b']! > 0) both += event.tMs - previousMs;
    open[event.process] = (open[event.process] ?? 0) + event.delta;
    previousMs = event.tMs;
  }
  return both;
}

let redis: RedisServer;
let upstream: Upstream;
let proxy: Awaited<ReturnType<typeof startTaggingProxy>>;
beforeAll(async () => {
  redis = await startRedisServer();
  upstream = await createUpstream({ seed: 9, endpoints: { orders: { rateLimit: null } } });
  proxy = await startTaggingProxy(upstream.url);
});
afterAll(async () => {
  await proxy?.close();
  await upstream?.close();
  if (redis?.restartable) await redis.stop();
});

describe('overlap run --redis', () => {
  it('overlap run burst --redis - two processes running at the same time through one shared limit of 3 never put more than 3 calls on the upstream', async () => {
    const args = (processTag: string) => ['run', 'burst', '--limit', '3', '--count', '20', '--redis', redis.url, '--upstream', `${proxy.url}/${processTag}`, '--no-dashboard'];
    const [a, b] = await Promise.all([runCli(args('a')), runCli(args('b'))]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const orders = upstream.stats.endpoint('orders');
    expect(orders.answered).toBe(40);
    expect(orders.maxInFlight).toBeLessThanOrEqual(3);
    // Both processes really ran at the same time: their requests were in flight together for a while, so
    // the limit of 3 held across them (a local limit each would allow 6).
    expect(proxy.exchanges.filter((e) => e.process === 'a')).toHaveLength(20);
    expect(proxy.exchanges.filter((e) => e.process === 'b')).toHaveLength(20);
    expect(overlapMs(proxy.exchanges)).toBeGreaterThan(0);
    expect(a.stdout).toMatch(/queue wait p50 \/ p95/);
  }, 90_000);
});
