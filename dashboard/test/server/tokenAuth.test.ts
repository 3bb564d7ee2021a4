import * as crypto from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';

// Wraps timingSafeEqual (and keeps the rest of node:crypto) to see that the token check goes through it.
vi.mock('node:crypto', async (importOriginal) => {
  const original = await importOriginal<typeof import('node:crypto')>();
  return { ...original, timingSafeEqual: vi.fn(original.timingSafeEqual) };
});

const { tokenMatches } = await import('../../src/server/auth/tokenAuth.js');

describe('tokenMatches()', () => {
  it('tokenMatches() - compares equal-length digests with crypto.timingSafeEqual, whatever the lengths presented', () => {
    const compare = vi.mocked(crypto.timingSafeEqual);
    compare.mockClear();
    expect(tokenMatches('s3cret', 's3cret')).toBe(true);
    expect(tokenMatches('s3cret', 's3creT')).toBe(false);
    expect(tokenMatches('s3cret', 's3cret-and-more')).toBe(false);
    expect(tokenMatches('s3cret', '')).toBe(false);
    expect(compare).toHaveBeenCalledTimes(4);
    for (const [a, b] of compare.mock.calls) {
      // SHA-256 digests: the comparison's time cannot depend on how long the presented token is.
      expect((a as Buffer).length).toBe(32);
      expect((b as Buffer).length).toBe(32);
    }
  });

  it('tokenMatches() - refuses anything that is not a string without comparing', () => {
    for (const presented of [undefined, null, 5, ['s3cret']]) expect(tokenMatches('s3cret', presented)).toBe(false);
  });
});
