import { spansToOtlp } from '@overlap/shared';
import type { AgentDescriptor, TraceListResponse } from '@overlap/shared';
import { io as connect } from 'socket.io-client';
import type { Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HostAllowList, OriginPolicy, hostNameOf, isLoopbackHost } from '../../src/server/index.js';
import { getJson, newTraceId, postSpans, spanRecord, startServer } from './helpers.js';
import type { RunningServer } from './helpers.js';
import { errorOf, probe, tryConnect } from './httpProbe.js';

const EVIL = 'https://evil.example';
const AGENT: AgentDescriptor = { name: 'burst', title: 'Burst', description: 'd', parameters: [{ name: 'limit', description: 'l', default: 2, min: 1, max: 30 }] };

let running: RunningServer;
let base: string;
let host: string;
let runner: Socket;
const runRequests: unknown[] = [];
const openSockets: Socket[] = [];
let traceId: string;

beforeAll(async () => {
  running = await startServer();
  base = running.url;
  host = new URL(base).host;
  traceId = newTraceId();
  expect((await postSpans(base, [spanRecord({ traceId, name: 'seeded' })])).status).toBe(200);
  runner = connect(`${base}runners`, { transports: ['websocket'], forceNew: true, reconnection: false });
  runner.on('run-agent', (request: unknown, ack: (answer: unknown) => void) => {
    runRequests.push(request);
    ack({ accepted: true });
  });
  expect(await runner.emitWithAck('register', { runnerId: 'r1', serviceName: 'svc', agents: [AGENT] })).toEqual({ ok: true });
});
afterEach(() => {
  for (const socket of openSockets.splice(0)) socket.close();
});
afterAll(async () => {
  runner.close();
  await running.close();
});

async function storedSpanCount(): Promise<number> {
  return (await getJson<{ store: { spans: number } }>(`${base}healthz`)).body.store.spans;
}

describe('host names', () => {
  it('hostNameOf() - lowercases, drops the port and a trailing dot, brackets IPv6', () => {
    expect(hostNameOf('LocalHost:16700')).toBe('localhost');
    expect(hostNameOf('[::1]:80')).toBe('[::1]');
    expect(hostNameOf('::1')).toBe('[::1]');
    expect(hostNameOf('evil.example.:1')).toBe('evil.example');
    expect(hostNameOf('')).toBeUndefined();
    expect(hostNameOf(undefined)).toBeUndefined();
  });

  it('isLoopbackHost() - only localhost, 127.0.0.0/8 and ::1 are loopback', () => {
    for (const name of ['localhost', '127.0.0.1', '127.1.2.3', '::1', '[::1]', '::ffff:127.0.0.1']) expect(isLoopbackHost(name), name).toBe(true);
    for (const name of ['0.0.0.0', '::', '192.168.1.20', 'dash.example.com', '127.0.0.1.evil.example', '128.0.0.1', '127.0.0.256']) expect(isLoopbackHost(name), name).toBe(false);
  });

  it('new HostAllowList() - allows the loopback names, the listen address and the listed names, and nothing else', () => {
    const hosts = new HostAllowList('10.0.0.5', ['dash.example.com', '.corp.example', '[fe80::1]']);
    for (const allowed of ['localhost:1', '127.0.0.1', '[::1]:16700', '10.0.0.5:16700', 'DASH.example.com', 'corp.example', 'a.b.corp.example:8080', '[fe80::1]:1']) {
      expect(hosts.allows(allowed), allowed).toBe(true);
    }
    for (const refused of [undefined, '', 'evil.example:16700', 'dash.example.com.evil.example', 'xcorp.example', '127.0.0.2', '10.0.0.6']) {
      expect(hosts.allows(refused), String(refused)).toBe(false);
    }
    expect(() => new HostAllowList('127.0.0.1', ['http://dash.example.com/'])).toThrow(/allowedHosts\[0\]: expected a host name/);
    expect(() => new HostAllowList('127.0.0.1', ['*'])).toThrow(/allowedHosts\[0\]/);
  });

  it('every route - refuses a Host that is not allowed with 403 host_not_allowed naming --allowed-hosts (DNS rebinding)', async () => {
    const headers = { host: 'evil.example:16700' };
    for (const path of ['api/traces', `api/traces/${traceId}`, 'api/stats', 'healthz', '', 'assets/page.js', 'no/such/route']) {
      const answer = await probe(`${base}${path}`, { headers });
      expect(answer.status, path).toBe(403);
      const error = errorOf(answer);
      expect(error.code).toBe('host_not_allowed');
      expect(error.message).toMatch(/Host "evil\.example:16700" is not a name this dashboard answers to \(localhost, 127\.0\.0\.1, \[::1\]\)/);
      expect(error.message).toMatch(/--allowed-hosts evil\.example \(option allowedHosts\)/);
      expect(answer.text).not.toContain(traceId);
    }
    const run = await probe(`${base}api/agents/run`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ agent: 'burst' }) });
    expect(run.status).toBe(403);
    expect(runRequests).toHaveLength(0);
  });

  it('POST /v1/traces - refuses a Host that is not allowed with a google.rpc.Status (code 7) and stores nothing', async () => {
    const before = await storedSpanCount();
    const answer = await probe(`${base}v1/traces`, {
      method: 'POST',
      headers: { host: 'evil.example', 'content-type': 'application/json' },
      body: JSON.stringify(spansToOtlp([spanRecord({ traceId: newTraceId() })])),
    });
    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.text)).toMatchObject({ code: 7, message: expect.stringMatching(/--allowed-hosts evil\.example/) });
    expect(await storedSpanCount()).toBe(before);
  });

  it('every route - answers the loopback names whatever port they carry', async () => {
    for (const name of ['localhost', '127.0.0.1', '[::1]', 'LOCALHOST.']) {
      expect((await probe(`${base}api/traces`, { headers: { host: `${name}:${new URL(base).port}` } })).status, name).toBe(200);
    }
  });

  it('allowedHosts - lets the listed names in, a leading dot for the name and its subdomains', async () => {
    const open = await startServer({ allowedHosts: ['dash.example.com', '.corp.example'] });
    try {
      for (const name of ['dash.example.com', 'corp.example', 'a.corp.example']) expect((await probe(`${open.url}api/traces`, { headers: { host: name } })).status, name).toBe(200);
      expect((await probe(`${open.url}api/traces`, { headers: { host: 'evil.example' } })).status).toBe(403);
    } finally {
      await open.close();
    }
  });

  it('socket.io handshake - refuses a Host that is not allowed, polling (403 naming the option) and WebSocket, on both namespaces', async () => {
    const evilHost = `evil.example:${new URL(base).port}`;
    const polling = await probe(`${base}socket.io/?EIO=4&transport=polling`, { headers: { host: evilHost } });
    expect(polling.status).toBe(403);
    expect(JSON.parse(polling.text)).toMatchObject({ message: expect.stringMatching(/--allowed-hosts evil\.example/) });
    const upgrade = await probe(`${base}socket.io/?EIO=4&transport=websocket`, {
      headers: { host: evilHost, connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' },
    });
    expect(upgrade.status).toBe(400);
    expect(upgrade.text).toMatch(/--allowed-hosts evil\.example/);
    // The ws client sends the Host it is given, as a browser on a rebinding name would.
    for (const namespace of ['', 'runners'] as const) {
      const outcome = await tryConnect(base, namespace, 'websocket', { host: evilHost });
      if (outcome.connected) openSockets.push(outcome.socket);
      expect(outcome.connected, namespace || '/').toBe(false);
      const own = await tryConnect(base, namespace, 'websocket', { host: `localhost:${new URL(base).port}` });
      if (own.connected) openSockets.push(own.socket);
      expect(own.connected, `${namespace || '/'} localhost`).toBe(true);
    }
  });
});

describe('origins', () => {
  it('OriginPolicy.classify() - no Origin is no browser; the page\'s own host and port are same-origin; listed origins are trusted', () => {
    const origins = new OriginPolicy(['https://dash.example.com'], ['http://localhost:5173']);
    expect(origins.classify(undefined, '127.0.0.1:16700')).toBe('no-browser');
    expect(origins.classify(undefined, '127.0.0.1:16700', 'same-origin')).toBe('no-browser');
    expect(origins.classify(undefined, '127.0.0.1:16700', 'cross-site')).toBe('foreign');
    expect(origins.classify(undefined, '127.0.0.1:16700', 'same-site')).toBe('foreign');
    expect(origins.classify('http://127.0.0.1:16700', '127.0.0.1:16700')).toBe('same-origin');
    expect(origins.classify('http://127.0.0.1:5000', '127.0.0.1:16700')).toBe('foreign');
    expect(origins.classify('HTTPS://DASH.example.com:443', '127.0.0.1:16700')).toBe('allowed-origin');
    expect(origins.classify('http://localhost:5173', '127.0.0.1:16700')).toBe('cors-origin');
    expect(origins.classify('null', '127.0.0.1:16700')).toBe('foreign');
    expect(origins.classify(EVIL, '127.0.0.1:16700')).toBe('foreign');
    expect(() => new OriginPolicy(['dash.example.com'], [])).toThrow(/allowedOrigins\[0\]: expected an http\(s\) origin/);
    expect(() => new OriginPolicy([], ['https://app.example/path'])).toThrow(/corsOrigins\[0\]/);
  });

  it('POST /api/agents/run - refuses another site\'s page with 403 origin_not_allowed, text/plain or JSON, and runs nothing', async () => {
    for (const contentType of ['text/plain', 'application/json']) {
      const answer = await probe(`${base}api/agents/run`, {
        method: 'POST',
        headers: { origin: EVIL, 'content-type': contentType },
        body: JSON.stringify({ agent: 'burst', params: { limit: 3 } }),
      });
      expect(answer.status, contentType).toBe(403);
      const error = errorOf(answer);
      expect(error.code).toBe('origin_not_allowed');
      expect(error.message).toMatch(/from a web page on "https:\/\/evil\.example" is refused/);
      expect(error.message).toMatch(/--allowed-origins https:\/\/evil\.example \(option allowedOrigins\)/);
    }
    // A browser that sends fetch metadata but no Origin is refused too.
    const noOrigin = await probe(`${base}api/agents/run`, { method: 'POST', headers: { 'sec-fetch-site': 'cross-site', 'content-type': 'application/json' }, body: '{"agent":"burst"}' });
    expect(noOrigin.status).toBe(403);
    expect(runRequests).toHaveLength(0);
  });

  it('POST /api/agents/run - the dashboard\'s own page (same origin) and clients without Origin still run agents', async () => {
    const body = JSON.stringify({ agent: 'burst', params: { limit: 3 } });
    const page = await probe(`${base}api/agents/run`, { method: 'POST', headers: { origin: base.slice(0, -1), 'content-type': 'application/json', 'sec-fetch-site': 'same-origin' }, body });
    expect(page.status).toBe(202);
    const cli = await probe(`${base}api/agents/run`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(cli.status).toBe(202);
    expect(runRequests).toHaveLength(2);
    runRequests.length = 0;
  });

  it('POST /api/import, /api/traces/:id/forward and /v1/traces - refuse another site\'s page and keep the store as it was', async () => {
    const before = await storedSpanCount();
    const otlp = JSON.stringify(spansToOtlp([spanRecord({ traceId: newTraceId() })]));
    const answers = [
      await probe(`${base}api/import`, { method: 'POST', headers: { origin: EVIL, 'content-type': 'text/plain' }, body: otlp }),
      await probe(`${base}api/import`, { method: 'POST', headers: { origin: EVIL, 'content-type': 'application/json' }, body: otlp }),
      await probe(`${base}api/traces/${traceId}/forward`, { method: 'POST', headers: { origin: EVIL } }),
      await probe(`${base}v1/traces`, { method: 'POST', headers: { origin: EVIL, 'content-type': 'application/json' }, body: otlp }),
      await probe(`${base}v1/traces`, { method: 'POST', headers: { origin: 'null', 'content-type': 'application/json' }, body: otlp }),
    ];
    expect(answers.map((a) => a.status)).toEqual([403, 403, 403, 403, 403]);
    expect(JSON.parse(answers[3]!.text)).toMatchObject({ code: 7, message: expect.stringMatching(/--cors-origins https:\/\/evil\.example \(option corsOrigins\)/) });
    expect(await storedSpanCount()).toBe(before);
  });

  it('GET routes - answer any origin (a browser keeps the answer from a foreign page: no CORS header)', async () => {
    const answer = await probe(`${base}api/traces`, { headers: { origin: EVIL } });
    expect(answer.status).toBe(200);
    expect(answer.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('socket.io handshake - refuses another site\'s page on both namespaces, polling and WebSocket; admits the page\'s origin and clients without Origin', async () => {
    for (const namespace of ['', 'runners'] as const) {
      for (const transport of ['polling', 'websocket'] as const) {
        const label = `${namespace || '/'} ${transport}`;
        for (const origin of [EVIL, 'null', 'http://127.0.0.1:1']) {
          const refused = await tryConnect(base, namespace, transport, { origin });
          if (refused.connected) openSockets.push(refused.socket);
          expect(refused.connected, `${label} ${origin}`).toBe(false);
        }
        const own = await tryConnect(base, namespace, transport, { origin: base.slice(0, -1) });
        if (own.connected) openSockets.push(own.socket);
        expect(own.connected, `${label} own origin`).toBe(true);
        const node = await tryConnect(base, namespace, transport, {});
        if (node.connected) openSockets.push(node.socket);
        expect(node.connected, `${label} no origin`).toBe(true);
      }
    }
  });

  it('socket.io watch - a refused page never sees a trace; the page\'s own origin does', async () => {
    const foreign = await tryConnect(base, '', 'websocket', { origin: EVIL });
    expect(foreign.connected).toBe(false);
    const own = await tryConnect(base, '', 'websocket', { origin: base.slice(0, -1) });
    if (!own.connected) throw new Error(`own origin refused: ${own.message}`);
    openSockets.push(own.socket);
    const ack = (await own.socket.emitWithAck('watch', { traceId })) as { found: boolean };
    expect(ack.found).toBe(true);
  });

  it('allowedOrigins - trusts the listed origin like the page: state changes, sockets and CORS answers', async () => {
    const trusted = 'https://dash.example.com';
    const open = await startServer({ allowedOrigins: [trusted] });
    try {
      const imported = await probe(`${open.url}api/import`, {
        method: 'POST',
        headers: { origin: trusted, 'content-type': 'application/json' },
        body: JSON.stringify(spansToOtlp([spanRecord({ traceId: newTraceId() })])),
      });
      expect(imported.status).toBe(200);
      expect(imported.headers['access-control-allow-origin']).toBe(trusted);
      const preflight = await probe(`${open.url}api/agents/run`, {
        method: 'OPTIONS',
        headers: { origin: trusted, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, authorization' },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers['access-control-allow-headers']).toBe('content-type, authorization');
      for (const transport of ['polling', 'websocket'] as const) {
        const socket = await tryConnect(open.url, '', transport, { origin: trusted });
        if (socket.connected) openSockets.push(socket.socket);
        expect(socket.connected, transport).toBe(true);
      }
      expect((await probe(`${open.url}api/import`, { method: 'POST', headers: { origin: EVIL, 'content-type': 'application/json' }, body: '{}' })).status).toBe(403);
    } finally {
      await open.close();
    }
  });
});

describe('CORS for browser OTLP senders', () => {
  const app = 'http://localhost:5173';
  let open: RunningServer;
  beforeAll(async () => {
    open = await startServer({ corsOrigins: [app] });
  });
  afterAll(async () => {
    await open.close();
  });

  it('OPTIONS /v1/traces - answers a corsOrigins pre-flight with 204 and the CORS headers, before any token', async () => {
    const secured = await startServer({ corsOrigins: [app], token: 's3cret' });
    try {
      for (const url of [open.url, secured.url]) {
        const answer = await probe(`${url}v1/traces`, {
          method: 'OPTIONS',
          headers: { origin: app, 'access-control-request-method': 'POST', 'access-control-request-headers': 'Content-Type, Content-Encoding, Authorization' },
        });
        expect(answer.status).toBe(204);
        expect(answer.headers).toMatchObject({
          'access-control-allow-origin': app,
          'access-control-allow-methods': 'POST',
          'access-control-allow-headers': 'Content-Type, Content-Encoding, Authorization',
          'access-control-max-age': '600',
        });
        expect(String(answer.headers.vary)).toMatch(/Origin/);
      }
    } finally {
      await secured.close();
    }
  });

  it('POST /v1/traces - stores spans from a corsOrigins page and lets it read the answer', async () => {
    const id = newTraceId();
    const answer = await probe(`${open.url}v1/traces`, { method: 'POST', headers: { origin: app, 'content-type': 'application/json' }, body: JSON.stringify(spansToOtlp([spanRecord({ traceId: id })])) });
    expect(answer.status).toBe(200);
    expect(answer.headers['access-control-allow-origin']).toBe(app);
    expect((await getJson<TraceListResponse>(`${open.url}api/traces`)).body.traces.map((t) => t.traceId)).toContain(id);
  });

  it('corsOrigins - open /v1/traces only: the API, pre-flights elsewhere and sockets stay closed to them', async () => {
    const preflight = await probe(`${open.url}api/agents/run`, { method: 'OPTIONS', headers: { origin: app, 'access-control-request-method': 'POST' } });
    expect(preflight.status).toBe(403);
    expect(errorOf(preflight).code).toBe('origin_not_allowed');
    const run = await probe(`${open.url}api/agents/run`, { method: 'POST', headers: { origin: app, 'content-type': 'application/json' }, body: '{"agent":"burst"}' });
    expect(run.status).toBe(403);
    const socket = await tryConnect(open.url, '', 'websocket', { origin: app });
    if (socket.connected) openSockets.push(socket.socket);
    expect(socket.connected).toBe(false);
  });

  it('OPTIONS /v1/traces - refuses a pre-flight from any other origin with 403', async () => {
    const answer = await probe(`${open.url}v1/traces`, { method: 'OPTIONS', headers: { origin: EVIL, 'access-control-request-method': 'POST' } });
    expect(answer.status).toBe(403);
    expect(answer.headers['access-control-allow-origin']).toBeUndefined();
    expect(JSON.parse(answer.text)).toMatchObject({ code: 7, message: expect.stringMatching(/--cors-origins https:\/\/evil\.example/) });
  });
});
