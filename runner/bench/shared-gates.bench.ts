// Shared gates against a local redis-server (started here on a free port, or REDIS_URL): the acquire +
// release round trip and the throughput of the shared semaphore and rate limiter, and their overhead
// against the in-process Semaphore. Writes bench/results/shared-gates.json and prints a table.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Redis } from 'ioredis';
import { Semaphore, type GateBase } from '@overlap/runner';
import { createSharedGates, type SharedGates } from '@overlap/runner/redis';
import { startRedisServer, uniquePrefix } from '../test/redis/redisServer.js';
import { resultsDir } from './paths.js';

const ROUND_TRIPS = 3000;
const LOCAL_ROUND_TRIPS = 50_000;
const THROUGHPUT_MS = 3000;
const LOOPS = 32;

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function collect(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** Microseconds of each `acquire()` + `release()` (+ `after`, such as waiting for Redis to see the release). */
async function roundTrips(gate: GateBase, count: number, after?: () => Promise<void>): Promise<{ p50: number; p99: number; mean: number }> {
  for (let i = 0; i < Math.min(500, count); i += 1) {
    (await gate.acquire()).release();
    await after?.();
  }
  collect();
  const samples: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const start = performance.now();
    const permit = await gate.acquire();
    permit.release();
    await after?.();
    samples.push((performance.now() - start) * 1000);
  }
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 50), p99: percentile(samples, 99), mean: samples.reduce((a, b) => a + b, 0) / samples.length };
}

/** Acquire + release per second with `loops` callers looping for `durationMs`. */
async function throughput(gate: GateBase, loops: number, durationMs: number): Promise<number> {
  collect();
  let done = 0;
  const end = performance.now() + durationMs;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: loops }, async () => {
      while (performance.now() < end) {
        const permit = await gate.acquire();
        permit.release();
        done += 1;
      }
    }),
  );
  return done / ((performance.now() - start) / 1000);
}

const round = (n: number, digits = 1): number => Number(n.toFixed(digits));

const server = await startRedisServer();
let gates: SharedGates | undefined;
try {
  const prefix = uniquePrefix('bench');
  gates = createSharedGates({ url: server.url, keyPrefix: prefix });
  await gates.ready();
  const shared = gates;

  const local = new Semaphore({ name: 'local', permits: LOOPS });
  const localTrip = await roundTrips(local, LOCAL_ROUND_TRIPS);
  const localOps = await throughput(local, LOOPS, THROUGHPUT_MS);

  const sharedSem = shared.semaphore('bench-free', { permits: LOOPS, onRedisDown: 'fail-closed' });
  const sharedTrip = await roundTrips(sharedSem, ROUND_TRIPS, () => shared.flush());
  const sharedOps = await throughput(sharedSem, LOOPS, THROUGHPUT_MS);

  const contended = shared.semaphore('bench-contended', { permits: 4, onRedisDown: 'fail-closed' });
  const contendedOps = await throughput(contended, LOOPS, THROUGHPUT_MS);

  const rate = shared.rateLimiter('bench-rate', { limit: 1e9, burst: 1e6, onRedisDown: 'fail-closed' });
  const rateTrip = await roundTrips(rate, ROUND_TRIPS);
  const rateOps = await throughput(rate, LOOPS, THROUGHPUT_MS);
  await shared.flush();

  const probe = new Redis(server.url);
  const redisVersion = /redis_version:(\S+)/.exec(await probe.info('server'))?.[1] ?? 'unknown';
  probe.disconnect();

  const results = {
    shared_acquire_release_p50_us: round(sharedTrip.p50),
    shared_acquire_release_p99_us: round(sharedTrip.p99),
    shared_acquire_release_mean_us: round(sharedTrip.mean),
    shared_gate_ops_per_s: Math.round(sharedOps),
    shared_contended_ops_per_s: Math.round(contendedOps),
    shared_rate_acquire_p50_us: round(rateTrip.p50),
    shared_rate_acquire_p99_us: round(rateTrip.p99),
    shared_rate_ops_per_s: Math.round(rateOps),
    local_acquire_release_p50_us: round(localTrip.p50, 2),
    local_acquire_release_p99_us: round(localTrip.p99, 2),
    local_gate_ops_per_s: Math.round(localOps),
    shared_overhead_p50_us: round(sharedTrip.p50 - localTrip.p50),
    shared_vs_local_ops_ratio: round(localOps / sharedOps),
    concurrent_callers: LOOPS,
    contended_permits: 4,
    round_trips: ROUND_TRIPS,
    throughput_window_ms: THROUGHPUT_MS,
    redis_version: redisVersion,
    node_version: process.version,
    measured_at: new Date().toISOString(),
  };
  const out = join(resultsDir, 'shared-gates.json');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);

  console.table({
    'local Semaphore': { 'acquire+release p50 µs': results.local_acquire_release_p50_us, 'p99 µs': results.local_acquire_release_p99_us, 'ops/s': results.local_gate_ops_per_s },
    'SharedSemaphore (free)': { 'acquire+release p50 µs': results.shared_acquire_release_p50_us, 'p99 µs': results.shared_acquire_release_p99_us, 'ops/s': results.shared_gate_ops_per_s },
    [`SharedSemaphore (${LOOPS} callers, 4 permits)`]: { 'acquire+release p50 µs': '', 'p99 µs': '', 'ops/s': results.shared_contended_ops_per_s },
    'SharedRateLimiter': { 'acquire+release p50 µs': results.shared_rate_acquire_p50_us, 'p99 µs': results.shared_rate_acquire_p99_us, 'ops/s': results.shared_rate_ops_per_s },
  });
  console.log(`shared overhead at p50: ${results.shared_overhead_p50_us} µs per acquire+release; written to ${out}`);
} finally {
  await gates?.close();
  await server.stop();
}
