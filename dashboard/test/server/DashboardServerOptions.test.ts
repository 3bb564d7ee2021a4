import { describe, expect, it } from 'vitest';
import { DEFAULT_HOST, DEFAULT_PORT, InvalidOptionError, createDashboardServer, isInvalidOptionError, resolveDashboardOptions } from '../../src/server/index.js';

describe('resolveDashboardOptions()', () => {
  it('resolveDashboardOptions() - applies the documented defaults', () => {
    const options = resolveDashboardOptions({});
    expect(options).toMatchObject({ host: DEFAULT_HOST, port: DEFAULT_PORT, db: undefined, maxSpans: 200_000, maxTraces: 2000, maxAgeMs: Infinity, maxBodyMb: 16, token: undefined, tracesIntervalMs: 100, spansIntervalMs: 20 });
    expect(options).toMatchObject({ allowedHosts: [], allowedOrigins: [], corsOrigins: [], insecure: false, maxIngestQueue: 32, maxSpansPerTrace: 100_000 });
    expect(options.hostAllowList.names).toEqual(['localhost', '127.0.0.1', '[::1]']);
    expect(DEFAULT_HOST).toBe('127.0.0.1');
    expect(DEFAULT_PORT).toBe(16700);
    expect(options.pageDir).toMatch(/dashboard[\\/]dist[\\/]page[\\/]?$/);
  });

  it('resolveDashboardOptions() - with a db file, keeps every trace unless bounded', () => {
    expect(resolveDashboardOptions({ db: 'traces.db' })).toMatchObject({ db: 'traces.db', maxSpans: Infinity, maxTraces: Infinity, maxAgeMs: Infinity });
    expect(resolveDashboardOptions({ db: 'traces.db', maxTraces: 10, maxAgeMs: 60_000 })).toMatchObject({ maxSpans: Infinity, maxTraces: 10, maxAgeMs: 60_000 });
  });

  it('resolveDashboardOptions() - treats undefined as not given', () => {
    expect(resolveDashboardOptions({ port: undefined, token: undefined }).port).toBe(DEFAULT_PORT);
  });

  it('resolveDashboardOptions() - rejects bad values with an error naming the option and the value', () => {
    const cases: Array<[Record<string, unknown>, string, RegExp]> = [
      [{ port: 70_000 }, 'port', /^port: expected an integer from 0 to 65535, received 70000$/],
      [{ port: '80' }, 'port', /expected an integer from 0 to 65535, received "80"/],
      [{ maxSpans: 0 }, 'maxSpans', /expected an integer >= 1, or Infinity, received 0/],
      [{ maxAgeMs: 0 }, 'maxAgeMs', /expected a number of milliseconds > 0, or Infinity, received 0/],
      [{ db: '' }, 'db', /expected a non-empty string, received ""/],
      [{ maxTraces: 2.5 }, 'maxTraces', /expected an integer/],
      [{ maxBodyMb: -1 }, 'maxBodyMb', /expected a number > 0 and <= 1024, received -1/],
      [{ token: '' }, 'token', /expected a non-empty string/],
      [{ host: '' }, 'host', /non-empty/],
      [{ forward: ['ftp://x'] }, 'forward[0]', /expected an http:\/\/ or https:\/\/ URL, received "ftp:\/\/x"/],
      [{ allowedHosts: 'dash.example.com' }, 'allowedHosts', /expected an array of strings/],
      [{ allowedHosts: ['https://dash.example.com/'] }, 'allowedHosts[0]', /expected a host name such as dash\.example\.com/],
      [{ allowedOrigins: ['dash.example.com'] }, 'allowedOrigins[0]', /expected an http\(s\) origin/],
      [{ corsOrigins: [7] }, 'corsOrigins[0]', /expected a non-empty string, received 7/],
      [{ insecure: 'yes' }, 'insecure', /expected a boolean/],
      [{ maxIngestQueue: 0 }, 'maxIngestQueue', /expected an integer >= 1, received 0/],
      [{ maxSpansPerTrace: 0 }, 'maxSpansPerTrace', /expected an integer >= 1, or Infinity, received 0/],
      [{ onWarning: 'log' }, 'onWarning', /expected a function/],
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
