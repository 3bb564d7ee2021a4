import { describe, expect, it } from 'vitest';
import { formatAxisTick, formatDuration, formatFactor, formatRate } from '../../src/page/format/formatDuration.js';
import { formatValue } from '../../src/page/format/formatValue.js';

describe('formatDuration', () => {
  it.each([
    [0, '0 ms'],
    [0.425, '0.42 ms'],
    [8.46, '8.5 ms'],
    [120.4, '120 ms'],
    [1234.5, '1.23 s'],
    [9999, '10 s'],
    [12_345, '12.3 s'],
    [125_000, '2 min 5 s'],
    [7_260_000, '2 h 1 min'],
    [-50, '-50 ms'],
    [Number.NaN, '–'],
  ])('formatDuration(%s) - reads %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('formatAxisTick() - uses one unit for the whole axis', () => {
    expect([0, 500, 1500].map((ms) => formatAxisTick(ms, 1800))).toEqual(['0 ms', '500 ms', '1500 ms']);
    expect([0, 500, 1500].map((ms) => formatAxisTick(ms, 4000))).toEqual(['0 s', '0.5 s', '1.5 s']);
  });

  it('formatFactor() and formatRate() - read as a speed-up and a percentage', () => {
    expect(formatFactor(3.44)).toBe('3.4×');
    expect(formatFactor(12.6)).toBe('13×');
    expect(formatRate(0.025)).toBe('2.5%');
    expect(formatRate(0)).toBe('0%');
  });

  it('formatValue() - writes lists, maps and bytes as text', () => {
    expect(formatValue(['a', 'b'])).toBe('["a","b"]');
    expect(formatValue({ bytesBase64: 'AAE=' })).toBe('base64:AAE=');
    expect(formatValue('<b>x</b>')).toBe('<b>x</b>');
    expect(formatValue('x'.repeat(30), 10)).toBe('xxxxxxxxxx… (30 characters)');
  });
});
