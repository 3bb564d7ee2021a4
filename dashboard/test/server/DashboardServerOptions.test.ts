import { describe, expect, it } from 'vitest';
import { DEFAULT_HOST, DEFAULT_PORT, InvalidOptionError, createDashboardServer, isInvalidOptionError, resolveDashboardOptions } from '../../src/server/index.js';

describe('resolveDashboardOptions()', () => {
  it('resolveDashboardOptions() - applies the documented defaults', () => {
    const options = resolveDashboardOptions({});
    expect(options).toMatchObject({ host: DEFAULT_HOST, port: DEFAULT_PORT, maxSpans: 200_000, maxTraces: 2000, maxBodyMb: 16, token: undefined, tracesIntervalMs: 100, spansIntervalMs: 20 });
    expect(DEFAULT_HOST).toBe('127.0.0.1');
    expect(DEFAULT_PORT).toBe(16700);
    expect(options.pageDir).toMatch(/dashboard[\\/]dist[\\/]page[\\/]?$/);
  });

  it('resolveDashboardOptions() - treats undefined as not given', () => {
    expect(resolveDashboardOptions({ port: undefined, token: undefined }).port).toBe(DEFAULT_PORT);
  });

  it('resolveDashboardOptions() - rejects bad values with an error naming the option and the value', () => {
    const cases: Array<[Record<string, unknown>, string, RegExp]> = [
      [{ port: 70_000 }, 'port', /^port: expected an integer from 0 to 65535, received 70000$/],
      [{ port: '80' }, 'port', /expected an integer from 0 to 65535, received "80"/],
      [{ maxSpans: 0 }, 'maxSpans', /expected an integer >= 1, received 0/],
      [{ maxTraces: 2.5 }, 'maxTraces', /expected an integer/],
      [{ maxBodyMb: -1 }, 'maxBodyMb', /expected a number > 0 and <= 1024, received -1/],
      [{ token: '' }, 'token', /expected a non-empty string/],
      [{ host: '' }, 'host', /non-empty/],
      [{ forward: ['ftp://x'] }, 'forward[0]', /expected an http:\/\/ or https:\/\/ URL, received "ftp:\/\/x"/],
      [{ prot: 1 }, 'options', /expected only the options host, port, .*, received "prot"/],
    ];
    for (const [options, option, message] of cases) {
      let caught: unknown;
      try {
        resolveDashboardOptions(options);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(InvalidOptionError);
      expect(isInvalidOptionError(caught)).toBe(true);
      expect((caught as InvalidOptionError).option).toBe(option);
      expect((caught as InvalidOptionError).message).toMatch(message);
    }
  });

  it('createDashboardServer() - validates its options before building anything', () => {
    expect(() => createDashboardServer({ maxTraces: 0 })).toThrow(/maxTraces/);
  });
});
