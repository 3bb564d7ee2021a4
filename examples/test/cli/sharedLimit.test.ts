// `overlap run burst --redis URL`: two processes share one concurrency limit through Redis.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisServer, type RedisServer } from '../../../runner/test/redis/redisServer.js';
import { createUpstream, type Upstream } from '../../src/index.js';
import { runCli } from './cliProcess.js';

let redis: RedisServer;
let upstream: Upstream;
beforeAll(async () => {
  redis = await startRedisServer();
  upstream = await createUpstream({ seed: 9, endpoints: { orders: { rateLimit: null } } });
});
afterAll(async () => {
  await upstream?.close();
  if (redis?.restartable) await redis.stop();
});

describe('overlap run --redis', () => {
  it('overlap run burst --redis - two processes through one shared limit of 3 never put more than 3 calls on the upstream', async () => {
    const args = ['run', 'burst', '--limit', '3', '--count', '20', '--redis', redis.url, '--upstream', upstream.url, '--no-dashboard'];
    const [a, b] = await Promise.all([runCli(args), runCli(args)]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const orders = upstream.stats.endpoint('orders');
    expect(orders.answered).toBe(40);
    expect(orders.maxInFlight).toBeLessThanOrEqual(3);
    // Both processes really ran at the same time and shared the limit (a local limit each would allow 6).
    expect(orders.maxInFlight).toBeGreaterThan(1);
    expect(a.stdout).toMatch(/queue wait p50 \/ p95/);
  }, 90_000);
});
