// The cross-site, DNS-rebinding and exposure probes of issue 11, from a real Chromium page: a second
// server on another local port plays the other web site, and Chromium resolves `evil.example` to
// 127.0.0.1 (--host-resolver-rules), as a rebinding DNS server does after the page's first load. Each
// probe is judged on the dashboard's side (did an agent run, did the store or the forward target change,
// what did the server answer) as well as by what the page could read. Used by test/page/crossSite.test.ts
// and by the reliability suite (bench/hostile.bench.ts), which writes the counts to hostile.json.
import { createServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { GenAiAttributes, spansToOtlp } from '@overlap/shared';
import type { AgentDescriptor } from '@overlap/shared';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { createDashboardServer, isUnsafeExposureError } from '../../src/server/index.js';
import type { DashboardServer } from '../../src/server/index.js';
import { CHROMIUM_ARGS, CHROMIUM_PATH, connectFakeRunner, newTraceId, postSpans, span, startOtlpListener } from './pageHarness.js';
import type { FakeRunner, OtlpListener } from './pageHarness.js';

/** The name a rebinding attacker points at 127.0.0.1. */
export const REBINDING_NAME = 'evil.example';

/** One probe and whether the dashboard refused it. */
export interface ProbeResult {
  readonly group: 'foreign-origin' | 'rebinding' | 'exposure';
  readonly name: string;
  readonly refused: boolean;
  /** What was observed, for the report and failure messages. */
  readonly detail: string;
}

/** Starts headless Chromium that resolves {@link REBINDING_NAME} to 127.0.0.1. */
export function launchRebindingChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS, `--host-resolver-rules=MAP ${REBINDING_NAME} 127.0.0.1`], headless: true });
}

const AGENT: AgentDescriptor = { name: 'spend_money', title: 'Spends money', description: 'calls a paid model API', parameters: [{ name: 'limit', description: 'l', default: 2, min: 1, max: 30 }] };

interface TapEntry {
  method: string;
  path: string;
  origin: string | undefined;
  status: number | 'refused-upgrade';
}

/** Records every request the dashboard answers, and every socket.io handshake it refuses. */
function tap(server: DashboardServer): { entries: TapEntry[]; stop: () => void } {
  const entries: TapEntry[] = [];
  const onRequest = (req: IncomingMessage, res: { on: (event: 'finish', listener: () => void) => void; statusCode: number }): void => {
    res.on('finish', () => entries.push({ method: req.method ?? '', path: req.url ?? '', origin: req.headers.origin, status: res.statusCode }));
  };
  const onRefused = (error: { req: IncomingMessage }): void => {
    if (error.req.headers.upgrade !== undefined) entries.push({ method: 'UPGRADE', path: error.req.url ?? '', origin: error.req.headers.origin, status: 'refused-upgrade' });
  };
  server.httpServer.on('request', onRequest);
  server.io.engine.on('connection_error', onRefused);
  return {
    entries,
    stop: () => {
      server.httpServer.off('request', onRequest);
      server.io.engine.off('connection_error', onRefused);
    },
  };
}

/** The other web site: one page, on its own port. */
async function startAttackerSite(): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>a page you visited</title><p>nothing to see</p>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** In the page: a WebSocket to socket.io; whether it opened and how many messages came. */
async function webSocketProbe(page: Page, url: string): Promise<{ opened: boolean; messages: number }> {
  return page.evaluate(
    (target) =>
      new Promise<{ opened: boolean; messages: number }>((resolve) => {
        const socket = new WebSocket(target);
        let opened = false;
        let messages = 0;
        socket.onopen = () => {
          opened = true;
          socket.send('40');
          socket.send('40/runners,');
        };
        socket.onmessage = () => {
          messages += 1;
        };
        socket.onerror = () => {};
        socket.onclose = () => resolve({ opened, messages });
        // A refused handshake closes at once; an accepted one is closed after a look at what arrives.
        setTimeout(() => socket.close(), 3000);
      }),
    url,
  );
}

/** In the page: a fetch; its status, or `error` when the browser gave the page nothing (CORS, network). */
async function fetchProbe(page: Page, url: string, init: { method?: string; mode?: 'cors' | 'no-cors' | 'same-origin'; headers?: Record<string, string>; body?: string }): Promise<{ status: number | 'error' | 'opaque'; text: string }> {
  return page.evaluate(
    async ({ target, options }) => {
      try {
        const response = await fetch(target, options);
        if (response.type === 'opaque') return { status: 'opaque' as const, text: '' };
        return { status: response.status, text: await response.text() };
      } catch (error) {
        return { status: 'error' as const, text: String(error) };
      }
    },
    { target: url, options: init },
  );
}

/** Options of {@link runCrossSiteProbes}. */
export interface CrossSiteProbeOptions {
  /** Chromium from {@link launchRebindingChromium}. */
  browser: Browser;
}

/**
 * Runs every probe against a fresh dashboard in its default set-up (loopback, no token, a runner offering
 * an agent, a forward target, a stored trace), plus the exposure probes, and reports each.
 */
export async function runCrossSiteProbes({ browser }: CrossSiteProbeOptions): Promise<ProbeResult[]> {
  const results: ProbeResult[] = [];
  const forwardTarget: OtlpListener = await startOtlpListener();
  const dashboard = createDashboardServer({ port: 0, forward: [forwardTarget.url], tracesIntervalMs: 20, spansIntervalMs: 20 });
  const { url } = await dashboard.listen();
  const port = new URL(url).port;
  const attacker = await startAttackerSite();
  const requests = tap(dashboard);
  let runner: FakeRunner | undefined;
  const context = await browser.newContext();
  try {
    // The runner's id has an '=' so that an HTML form (name=value) can write a valid run request.
    runner = await connectFakeRunner(url, { runnerId: 'victim=1', serviceName: 'victim-app', agents: [AGENT] });
    const secretTraceId = newTraceId();
    const now = Date.now();
    await postSpans(url, [span({ traceId: secretTraceId, name: 'invoke_agent secret', startMs: now - 100, endMs: now, attributes: { [GenAiAttributes.TOOL_CALL_ARGUMENTS]: 'the secret prompt' } })]);
    const runBody = JSON.stringify({ agent: AGENT.name, params: { limit: 30 }, runnerId: 'victim=1' });
    const planted = (traceId: string): string => JSON.stringify(spansToOtlp([span({ traceId, name: 'planted', startMs: now - 50, endMs: now })]));
    const importedTraceId = newTraceId();
    const ingestedTraceId = newTraceId();
    const runs = (): number => runner!.requests.length;
    const statusOf = (method: string, path: string): Array<number | 'refused-upgrade'> =>
      requests.entries.filter((e) => e.method === method && e.path.startsWith(path) && e.origin === attacker.url.slice(0, -1)).map((e) => e.status);

    // --------------------------------------------------------------- another web site (cross-site)
    const page = await context.newPage();
    await page.goto(attacker.url);
    const foreign = (name: string, refused: boolean, detail: string): void => void results.push({ group: 'foreign-origin', name, refused, detail });

    await fetchProbe(page, `${url}api/agents/run`, { method: 'POST', mode: 'no-cors', headers: { 'content-type': 'text/plain' }, body: runBody });
    foreign('POST /api/agents/run as text/plain (no pre-flight)', runs() === 0 && statusOf('POST', '/api/agents/run').every((s) => s === 403), `runs ${runs()}, answers ${statusOf('POST', '/api/agents/run').join(',')}`);

    const corsRun = await fetchProbe(page, `${url}api/agents/run`, { method: 'POST', mode: 'cors', headers: { 'content-type': 'application/json' }, body: runBody });
    foreign('POST /api/agents/run as JSON (pre-flighted)', runs() === 0 && corsRun.status === 'error', `runs ${runs()}, page saw ${corsRun.status}, pre-flight ${statusOf('OPTIONS', '/api/agents/run').join(',')}`);

    // text/plain forms send "name=value": the JSON is split at its '=' so the body is a valid run request.
    const at = runBody.indexOf('=');
    await page.evaluate(`new Promise((resolve) => {
      const frame = document.createElement('iframe');
      frame.name = 'sink';
      frame.onload = () => resolve();
      document.body.append(frame);
      const form = document.createElement('form');
      form.method = 'POST';
      form.action = ${JSON.stringify(`${url}api/agents/run`)};
      form.enctype = 'text/plain';
      form.target = 'sink';
      const input = document.createElement('input');
      input.name = ${JSON.stringify(runBody.slice(0, at))};
      input.value = ${JSON.stringify(runBody.slice(at + 1))};
      form.append(input);
      document.body.append(form);
      form.submit();
    })`);
    foreign('HTML form POST to /api/agents/run', runs() === 0, `runs ${runs()}, answers ${statusOf('POST', '/api/agents/run').join(',')}`);

    await fetchProbe(page, `${url}api/import`, { method: 'POST', mode: 'no-cors', headers: { 'content-type': 'text/plain' }, body: planted(importedTraceId) });
    const imported = dashboard.store.has(importedTraceId);
    foreign('POST /api/import (plant a trace)', !imported, `stored ${imported}, answers ${statusOf('POST', '/api/import').join(',')}`);

    const forwardedBefore = forwardTarget.received.length;
    await fetchProbe(page, `${url}api/traces/${secretTraceId}/forward`, { method: 'POST', mode: 'no-cors' });
    const forwarded = forwardTarget.received.length - forwardedBefore;
    foreign('POST /api/traces/:id/forward', forwarded === 0 && statusOf('POST', '/api/traces').every((s) => s === 403), `forwarded ${forwarded}, answers ${statusOf('POST', '/api/traces').join(',')}`);

    await fetchProbe(page, `${url}v1/traces`, { method: 'POST', mode: 'no-cors', headers: { 'content-type': 'text/plain' }, body: planted(ingestedTraceId) });
    const corsIngest = await fetchProbe(page, `${url}v1/traces`, { method: 'POST', mode: 'cors', headers: { 'content-type': 'application/json' }, body: planted(ingestedTraceId) });
    const ingested = dashboard.store.has(ingestedTraceId);
    foreign('POST /v1/traces (text/plain, then pre-flighted JSON)', !ingested && corsIngest.status === 'error', `stored ${ingested}, answers ${statusOf('POST', '/v1/traces').join(',')}, pre-flight ${statusOf('OPTIONS', '/v1/traces').join(',')}`);

    for (const namespace of ['/', '/runners']) {
      const ws = await webSocketProbe(page, `ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`);
      foreign(`WebSocket to socket.io (${namespace} namespace)`, !ws.opened && ws.messages === 0, `opened ${ws.opened}, messages ${ws.messages}`);
    }

    const polling = await fetchProbe(page, `${url}socket.io/?EIO=4&transport=polling`, { mode: 'cors' });
    const pollingAnswers = statusOf('GET', '/socket.io/');
    foreign('socket.io long-polling handshake', polling.status === 'error' && pollingAnswers.length > 0 && pollingAnswers.every((s) => s === 403), `page saw ${polling.status}, answers ${pollingAnswers.join(',')}`);

    await page.close();

    // ---------------------------------------------------------------------- DNS rebinding (same origin)
    const rebound = await context.newPage();
    const rebinding = (name: string, refused: boolean, detail: string): void => void results.push({ group: 'rebinding', name, refused, detail });
    const origin = `http://${REBINDING_NAME}:${port}/`;
    const navigation = await rebound.goto(origin);
    const pageText = (await navigation?.text()) ?? '';
    rebinding('open the page at the rebound name', navigation?.status() === 403 && !pageText.includes('<html'), `status ${navigation?.status()}`);
    for (const path of ['api/traces', `api/traces/${secretTraceId}`, 'healthz', `api/traces/${secretTraceId}/export?format=jaeger`]) {
      const answer = await fetchProbe(rebound, `${origin}${path}`, { mode: 'same-origin' });
      rebinding(`GET /${path.split('?')[0]}`, answer.status === 403 && !answer.text.includes(secretTraceId), `status ${answer.status}`);
    }
    const reboundRun = await fetchProbe(rebound, `${origin}api/agents/run`, { method: 'POST', mode: 'same-origin', headers: { 'content-type': 'application/json' }, body: runBody });
    rebinding('POST /api/agents/run', reboundRun.status === 403 && runs() === 0, `status ${reboundRun.status}, runs ${runs()}`);
    const reboundWs = await webSocketProbe(rebound, `ws://${REBINDING_NAME}:${port}/socket.io/?EIO=4&transport=websocket`);
    rebinding('WebSocket to socket.io', !reboundWs.opened && reboundWs.messages === 0, `opened ${reboundWs.opened}, messages ${reboundWs.messages}`);
    const reboundPolling = await fetchProbe(rebound, `${origin}socket.io/?EIO=4&transport=polling`, { mode: 'same-origin' });
    rebinding('socket.io long-polling handshake', reboundPolling.status === 403, `status ${reboundPolling.status}`);
    await rebound.close();

    // ----------------------------------------------------------------------------------- exposure
    results.push(...(await exposureProbes(context, attacker.url)));
  } finally {
    requests.stop();
    runner?.close();
    await context.close();
    await attacker.close();
    await dashboard.close();
    await forwardTarget.close();
  }
  return results;
}

/** This machine's first non-loopback IPv4 address, if it has one. */
function lanAddress(): string | undefined {
  for (const entries of Object.values(networkInterfaces())) {
    for (const entry of entries ?? []) if (entry.family === 'IPv4' && !entry.internal) return entry.address;
  }
  return undefined;
}

async function exposureProbes(context: Awaited<ReturnType<Browser['newContext']>>, attackerUrl: string): Promise<ProbeResult[]> {
  const results: ProbeResult[] = [];
  const exposure = (name: string, refused: boolean, detail: string): void => void results.push({ group: 'exposure', name, refused, detail });

  let refusedToStart = false;
  try {
    await createDashboardServer({ host: '0.0.0.0', port: 0 }).close();
  } catch (error) {
    refusedToStart = isUnsafeExposureError(error);
  }
  exposure('listen on 0.0.0.0 without a token', refusedToStart, refusedToStart ? 'UnsafeExposureError' : 'it started');

  const token = 'probe-token-1b2c3d';
  const exposed = createDashboardServer({ host: '0.0.0.0', port: 0, token, tracesIntervalMs: 20, spansIntervalMs: 20 });
  const { port } = await exposed.listen();
  const requests = tap(exposed);
  try {
    const page = await context.newPage();
    await page.goto(attackerUrl);
    await fetchProbe(page, `http://127.0.0.1:${port}/api/import`, { method: 'POST', mode: 'no-cors', headers: { 'content-type': 'text/plain' }, body: '{}' });
    const answers = requests.entries.filter((e) => e.path.startsWith('/api/import')).map((e) => e.status);
    exposure('exposed with a token: a foreign page posts without it', answers.length === 1 && (answers[0] === 403 || answers[0] === 401), `answers ${answers.join(',')}`);
    const lan = lanAddress();
    if (lan !== undefined) {
      const viaLan = await page.goto(`http://${lan}:${port}/api/traces`).catch(() => null);
      exposure(`exposed with a token: read /api/traces at ${lan} without the token`, viaLan !== null && viaLan.status() >= 400 && viaLan.status() < 500, `status ${viaLan?.status()}`);
    }
    await page.close();

    const own = await context.newPage();
    const response = await own.goto(`http://127.0.0.1:${port}/?token=${token}`);
    await own.waitForURL((address) => !address.search.includes('token='));
    exposure('the token in the page\'s address after loading', response?.status() === 200 && !own.url().includes(token), `address ${own.url()}`);
    await own.close();
  } finally {
    requests.stop();
    await exposed.close();
  }
  return results;
}

/** `{ tried, refused }` of one group of probes. */
export function countProbes(results: readonly ProbeResult[], group: ProbeResult['group']): { tried: number; refused: number } {
  const inGroup = results.filter((r) => r.group === group);
  return { tried: inGroup.length, refused: inGroup.filter((r) => r.refused).length };
}
