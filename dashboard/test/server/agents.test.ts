import { io as connect, type Socket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import { deferred, getJson, startServer, type RunningServer } from './helpers.js';

const running: RunningServer[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.close();
  for (const r of running.splice(0)) await r.close();
});

const burst = {
  name: 'burst',
  title: 'Burst',
  description: '30 tasks through a semaphore',
  parameters: [
    { name: 'limit', description: 'permits', default: 3, min: 1, max: 30 },
    { name: 'count', description: 'tasks', default: 30, min: 1, max: 200 },
  ],
};

async function runnerSocket(url: string, onRun?: (payload: unknown, ack: (answer: unknown) => void) => void): Promise<Socket> {
  const socket = connect(`${url}runners`, { transports: ['websocket'] });
  sockets.push(socket);
  if (onRun) socket.on('run-agent', onRun);
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  const ack = await socket.emitWithAck('register', { runnerId: 'runner-1', serviceName: 'examples', agents: [burst] });
  expect(ack).toEqual({ ok: true });
  return socket;
}

describe('runners and agents', () => {
  it('GET /api/agents - lists what registered runners offer, and forgets a runner that leaves', async () => {
    const dashboard = await startServer();
    running.push(dashboard);
    const page = connect(dashboard.url, { transports: ['websocket'] });
    sockets.push(page);
    const announced = deferred<unknown>();
    page.on('agents', (event: unknown) => announced.resolve(event));
    await new Promise<void>((resolve) => page.once('connect', () => resolve()));
    const runner = await runnerSocket(dashboard.url);
    expect(await announced.promise).toMatchObject({ runners: [{ runnerId: 'runner-1', agents: [{ name: 'burst' }] }] });
    const listed = await getJson<{ runners: Array<{ runnerId: string; serviceName: string }> }>(`${dashboard.url}api/agents`);
    expect(listed.body.runners).toMatchObject([{ runnerId: 'runner-1', serviceName: 'examples' }]);
    runner.close();
    for (let i = 0; i < 50 && (await getJson<{ runners: unknown[] }>(`${dashboard.url}api/agents`)).body.runners.length > 0; i += 1) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect((await getJson<{ runners: unknown[] }>(`${dashboard.url}api/agents`)).body.runners).toEqual([]);
  });

  it('register - a malformed registration is refused with a reason', async () => {
    const dashboard = await startServer();
    running.push(dashboard);
    const socket = connect(`${dashboard.url}runners`, { transports: ['websocket'] });
    sockets.push(socket);
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const ack = await socket.emitWithAck('register', { runnerId: 'x', agents: [{ name: '' }] });
    expect(ack).toMatchObject({ error: { code: 'invalid_registration' } });
    expect((await getJson<{ runners: unknown[] }>(`${dashboard.url}api/agents`)).body.runners).toEqual([]);
  });

  it('POST /api/agents/run - passes the run to the runner with defaults filled in; checks parameters', async () => {
    const dashboard = await startServer();
    running.push(dashboard);
    const requests: unknown[] = [];
    await runnerSocket(dashboard.url, (payload, ack) => {
      requests.push(payload);
      ack({ accepted: true });
    });
    const post = (body: unknown) =>
      fetch(`${dashboard.url}api/agents/run`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const ok = await post({ agent: 'burst', params: { limit: 6 } });
    expect(ok.status).toBe(202);
    const accepted = (await ok.json()) as { requestId: string };
    expect(accepted).toMatchObject({ accepted: true, runnerId: 'runner-1', agent: 'burst', params: { limit: 6, count: 30 } });
    // The request is named, so the runner can tag the run's span and the page can find its trace.
    expect(accepted.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(requests).toEqual([{ agent: 'burst', params: { limit: 6, count: 30 }, requestId: accepted.requestId }]);
    const tooMany = await post({ agent: 'burst', params: { limit: 500 } });
    expect(tooMany.status).toBe(400);
    expect(((await tooMany.json()) as { error: { message: string } }).error.message).toBe('limit: expected an integer from 1 to 30, received 500');
    expect((await post({ agent: 'burst', params: { speed: 1 } })).status).toBe(400);
    expect((await post({ agent: 'nope' })).status).toBe(404);
    expect((await post({ params: {} })).status).toBe(400);
    const broken = await fetch(`${dashboard.url}api/agents/run`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{not json' });
    expect(broken.status).toBe(400);
    expect(requests).toHaveLength(1);
  });

  it('POST /api/agents/run - a runner that does not answer in time gives 504; one that refuses gives 502', async () => {
    const dashboard = await startServer({ runRequestTimeoutMs: 200 });
    running.push(dashboard);
    await runnerSocket(dashboard.url, (payload, ack) => {
      if ((payload as { params: { limit: number } }).params.limit === 2) ack({ error: { code: 'busy', message: 'already running' } });
    });
    const post = (limit: number) =>
      fetch(`${dashboard.url}api/agents/run`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ agent: 'burst', params: { limit } }) });
    expect((await post(1)).status).toBe(504);
    const refused = await post(2);
    expect(refused.status).toBe(502);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toContain('already running');
  });
});
