// The factory of shared gates: options, REDIS_URL, and its lifecycle.
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../../src/index.js';
import { createSharedGates, GateUnavailableError, isGateUnavailableError } from '../../src/redis/index.js';
import { useRedis } from './fixture.js';

const redis = useRedis();
const savedUrl = process.env['REDIS_URL'];

afterEach(() => {
  if (savedUrl === undefined) delete process.env['REDIS_URL'];
  else process.env['REDIS_URL'] = savedUrl;
});

describe('createSharedGates', () => {
  it('createSharedGates() - rejects a URL that is not redis:// or rediss:// with an InvalidOptionError', () => {
    expect(() => createSharedGates({ url: 'http://localhost:6379' })).toThrow(InvalidOptionError);
    expect(() => createSharedGates({ url: 'http://localhost:6379' })).toThrow(/createSharedGates\.url: expected a redis:\/\/ or rediss:\/\/ URL/);
    expect(() => createSharedGates({ keyPrefix: '' })).toThrow(/createSharedGates\.keyPrefix/);
  });

  it('createSharedGates() - connects to REDIS_URL when no url is given', async () => {
    process.env['REDIS_URL'] = redis.server.url;
    const gates = createSharedGates({ keyPrefix: redis.prefix('env') });
    try {
      await gates.ready();
      expect(gates.state).toBe('up');
      const sem = gates.semaphore('api', { permits: 1, onRedisDown: 'fail-closed' });
      (await sem.acquire()).release();
    } finally {
      await gates.close();
    }
    expect(gates.state).toBe('closed');
  });

  it('close() - afterwards, creating a gate throws GateUnavailableError', async () => {
    const gates = await redis.process(redis.prefix('closed'));
    await gates.close();
    expect(() => gates.semaphore('api', { permits: 1, onRedisDown: 'fail-open' })).toThrow(GateUnavailableError);
    await expect(gates.ready()).rejects.toThrow(/closed/);
  });

  it('isGateUnavailableError() - recognises the error by its code, also from another copy of the library', () => {
    const error = new GateUnavailableError('api', 'redis_down', { cause: new Error('connect ECONNREFUSED') });
    expect(error.code).toBe('OVERLAP_GATE_UNAVAILABLE');
    expect(error.name).toBe('GateUnavailableError');
    expect(error.message).toBe('shared gate "api" is unavailable: Redis is unreachable (connect ECONNREFUSED), and the gate fails closed');
    expect(isGateUnavailableError(error)).toBe(true);
    expect(isGateUnavailableError({ code: 'OVERLAP_GATE_UNAVAILABLE' })).toBe(true);
    expect(isGateUnavailableError(new Error('other'))).toBe(false);
  });
});
