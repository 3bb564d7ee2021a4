// The usage example of docs/shared-gates.md ("When one process is not enough"), run both ways: without
// REDIS_URL the tool passes local gates, with it the same tool passes shared ones.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineTool, RateLimiter, Runner, Semaphore, type Gate } from '../../src/index.js';
import { createSharedGates, type SharedGates } from '../../src/redis/index.js';
import { useRedis } from './fixture.js';

const redis = useRedis();

/** What the example's body calls. */
async function complete(prompt: string, signal: AbortSignal): Promise<string> {
  signal.throwIfAborted();
  return `answer to ${prompt}`;
}

/** The example, with `process.env.REDIS_URL` and the key prefix passed in. */
function example(redisUrl: string | undefined, keyPrefix: string) {
  // One process: local gates. Several workers: set REDIS_URL and they share the quota.
  const shared: SharedGates | undefined = redisUrl ? createSharedGates({ url: redisUrl, keyPrefix }) : undefined;

  const modelPool: Gate = shared
    ? shared.semaphore('model-api', { permits: 5, onRedisDown: 'fail-open' })
    : new Semaphore({ name: 'model-api', permits: 5 });
  const modelRate: Gate = shared
    ? shared.rateLimiter('model-api', { limit: 20, burst: 5, onRedisDown: 'fail-open' })
    : new RateLimiter({ name: 'model-api', limit: 20, burst: 5 });

  const callModel = defineTool({
    name: 'call_model',
    input: z.object({ prompt: z.string() }),
    gates: [modelPool, modelRate],
    run: ({ prompt }, { signal }) => complete(prompt, signal),
  });
  return { shared, callModel };
}

describe('docs example', () => {
  it.each([
    ['local', false, ['semaphore', 'rate_limit']],
    ['shared', true, ['shared_semaphore', 'shared_rate_limit']],
  ] as const)('defineTool() - the same tool runs through %s gates', async (_label, withRedis, kinds) => {
    const { shared, callModel } = example(withRedis ? redis.server.url : undefined, redis.prefix('docs'));
    try {
      expect(callModel.gates.map((g) => g.kind)).toEqual(kinds);
      const runner = new Runner();
      const answers = await Promise.all(['a', 'b', 'c'].map((prompt) => runner.call(callModel, { prompt })));
      expect(answers).toEqual(['answer to a', 'answer to b', 'answer to c']);
    } finally {
      // On shutdown: give every permit and queue place back, and close the connections.
      await shared?.close();
    }
  });
});
