import { afterEach, describe, expect, it } from 'vitest';
import { UnsafeExposureError, createDashboardServer, isUnsafeExposureError } from '../../src/server/index.js';
import type { DashboardServer } from '../../src/server/index.js';

const servers: DashboardServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

function create(options: Parameters<typeof createDashboardServer>[0]): DashboardServer {
  const server = createDashboardServer({ port: 0, pageDir: '/nonexistent-overlap-page', ...options });
  servers.push(server);
  return server;
}

describe('exposure rule', () => {
  it('createDashboardServer() - refuses a non-loopback host without a token, naming --token and --insecure', () => {
    for (const host of ['0.0.0.0', '::', '192.168.1.20', 'dash.example.com']) {
      let caught: unknown;
      try {
        create({ host });
      } catch (error) {
        caught = error;
      }
      expect(caught, host).toBeInstanceOf(UnsafeExposureError);
      expect(isUnsafeExposureError(caught)).toBe(true);
      expect((caught as UnsafeExposureError).code).toBe('OVERLAP_UNSAFE_EXPOSURE');
      expect((caught as UnsafeExposureError).host).toBe(host);
      expect((caught as Error).message).toMatch(new RegExp(`^refusing to listen on ${host.replace(/\./g, '\\.')} without a token: .*--token.*--insecure`));
    }
  });

  it('createDashboardServer() - listens on loopback without a token, and anywhere with one, without a warning', async () => {
    const warnings: string[] = [];
    for (const options of [{ host: '127.0.0.1' }, { host: 'localhost' }, { host: '0.0.0.0', token: 's3cret' }]) {
      const server = create({ ...options, onWarning: (message) => warnings.push(message) });
      await server.listen();
    }
    expect(warnings).toEqual([]);
  });

  it('createDashboardServer({ insecure: true }) - listens on a non-loopback host without a token and warns at each start', async () => {
    const warnings: string[] = [];
    for (let start = 0; start < 2; start++) {
      const server = create({ host: '0.0.0.0', insecure: true, onWarning: (message) => warnings.push(message) });
      const { host } = await server.listen();
      expect(host).toBe('0.0.0.0');
      expect(warnings).toHaveLength(start + 1);
    }
    expect(warnings[0]).toMatch(/^listening on 0\.0\.0\.0 without a token \(insecure\): every machine that can reach this port can read every trace and run agents/);
  });
});
