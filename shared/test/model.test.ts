import { describe, expect, it } from 'vitest';
import { msToNanos, nanosToMs } from '../src/model.js';

describe('nanosToMs()', () => {
  it('nanosToMs() - keeps whole milliseconds of a 19-digit timestamp exact', () => {
    expect(nanosToMs('1764072000123456789')).toBe(1764072000123 + 0.456789);
  });
  it('nanosToMs() - handles values shorter than a millisecond', () => {
    expect(nanosToMs('500000')).toBe(0.5);
    expect(nanosToMs('0')).toBe(0);
  });
});

describe('msToNanos()', () => {
  it('msToNanos() - round-trips through nanosToMs() at microsecond precision', () => {
    for (const nanos of ['1764072000123456000', '1000000', '1764072000999999000']) {
      expect(msToNanos(nanosToMs(nanos))).toBe(nanos);
    }
  });
  it('msToNanos() - writes sub-millisecond values without leading zeros', () => {
    expect(msToNanos(0.25)).toBe('250000');
    expect(msToNanos(0.0004)).toBe('0');
    expect(msToNanos(0)).toBe('0');
  });
});
