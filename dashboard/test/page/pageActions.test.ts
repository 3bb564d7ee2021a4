// The page's actions in real headless Chromium, against the real server: running an agent a (fake)
// runner process offers, downloading a trace for Jaeger UI, and sending a trace to Jaeger (a small
// OTLP listener here).
import { readFile } from 'node:fs/promises';
import type { SpanRecord } from '@overlap/shared';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AgentDescriptor } from '@overlap/shared';
import type { WaterfallSnapshot } from '../../src/page/testing/hookTypes.js';
import { agentRoot, connectFakeRunner, importSpans, launchChromium, newTraceId, postSpans, startDashboard, startOtlpListener, toolCall } from './pageHarness.js';
import type { FakeRunner, StartedServer } from './pageHarness.js';
import { OverlapAttributes } from '@overlap/shared';

const TEST_TIMEOUT_MS = 30_000;
/** Waits on the page, the server and the fake runner: generous, for a busy machine; done as soon as it holds. */
const POLL = { timeout: 10_000, interval: 25 };

let browser: Browser;
let dashboard: StartedServer;
const pages: Page[] = [];
const runners: FakeRunner[] = [];
const pageErrors: Error[] = [];

beforeAll(async () => {
  dashboard = await startDashboard({ tracesIntervalMs: 20, spansIntervalMs: 20 });
  browser = await launchChromium();
}, 120_000);

afterEach(async () => {
  for (const page of pages.splice(0)) await page.close();
  for (const runner of runners.splice(0)) runner.close();
  // The next test starts with no runner registered.
  await expect.poll(async () => ((await (await fetch(`${dashboard.url}api/agents`)).json()) as { runners: unknown[] }).runners.length, POLL).toBe(0);
  expect(pageErrors.splice(0)).toEqual([]);
});

afterAll(async () => {
  await browser?.close();
  await dashboard?.server.close();
});

/** Opens the page and waits until it has asked the server for its forward targets and agents. */
async function openPage(url = dashboard.url, suffix = ''): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  pages.push(page);
  page.on('pageerror', (error) => pageErrors.push(error));
  const answered = (path: string) => page.waitForResponse((response) => new URL(response.url()).pathname === `/api/${path}`);
  const loaded = Promise.all([answered('info'), answered('agents')]);
  await page.goto(`${url}${suffix}`);
  await loaded;
  return page;
}

async function waitForSelected(page: Page, traceId: string): Promise<void> {
  await expect
    .poll(() => page.evaluate(() => (globalThis as unknown as { __overlapWaterfall?: () => WaterfallSnapshot }).__overlapWaterfall?.().traceId), { timeout: 10_000, interval: 25 })
    .toBe(traceId);
  await expect.poll(() => page.locator(`li[data-trace-id="${traceId}"]`).getAttribute('aria-selected'), POLL).toBe('true');
}

let lastStartMs = 0;
/** A start time `agoMs` before now and after every earlier one, so each new trace is the newest. */
function nextStartMs(agoMs: number): number {
  lastStartMs = Math.max(Date.now() - agoMs, lastStartMs + 10);
  return lastStartMs;
}

/** An agent's trace: its `invoke_agent {agent}` root and two calls, one of which queued. */
function agentTrace(agent: string, agoMs = 600, rootAttributes: Record<string, string> = {}): { traceId: string; spans: SpanRecord[] } {
  const traceId = newTraceId();
  const t0 = nextStartMs(agoMs);
  const root = agentRoot(traceId, agent, t0, t0 + 500, rootAttributes);
  return {
    traceId,
    spans: [
      root,
      ...toolCall({ traceId, parentSpanId: root.spanId, tool: 'lookup', gate: 'pool', startMs: t0 + 5, queueMs: 0, endMs: t0 + 300 }),
      ...toolCall({ traceId, parentSpanId: root.spanId, tool: 'lookup', gate: 'pool', startMs: t0 + 10, queueMs: 290, endMs: t0 + 490 }),
    ],
  };
}

const BURST: AgentDescriptor = {
  name: 'burst',
  title: 'Burst: a semaphore against a rate-limited API',
  description: 'count lookups through a semaphore of limit permits',
  parameters: [
    { name: 'limit', description: 'Permits of the semaphore', default: 3, min: 1, max: 30 },
    { name: 'count', description: 'How many lookups', default: 30, min: 1, max: 200 },
  ],
};
const SUPPORT: AgentDescriptor = {
  name: 'support',
  description: 'three lookups at once, then the model',
  parameters: [{ name: 'timeoutMs', description: 'Timeout of each lookup, in milliseconds', default: 1000, min: 50, max: 10_000 }],
};

const runPanel = (page: Page) => page.locator('.run-panel');

describe('dashboard page actions', { timeout: TEST_TIMEOUT_MS }, () => {
  it('Run an agent - lists what a runner offers, sends the typed parameters, and selects the run\'s trace', async () => {
    const page = await openPage();
    // No runner yet: the panel says how to connect one.
    await expect.poll(() => runPanel(page).textContent(), POLL).toContain('No runner is connected');
    expect(await runPanel(page).textContent()).toContain('npm start');
    expect(await runPanel(page).textContent()).toContain('telemetry.dashboard.offerAgents(...)');

    const runs: string[] = [];
    let decoy: string | undefined;
    const runner = await connectFakeRunner(dashboard.url, { runnerId: 'runner-a', serviceName: 'fake-examples', agents: [BURST, SUPPORT] }, (request) => {
      // As a real runner: accept at once, then the run's spans arrive over OTLP, its root tagged with the
      // request's id; another process's trace, newer, arrives right after it.
      const trace = agentTrace(request.agent, 100, request.requestId ? { [OverlapAttributes.REQUEST_ID]: request.requestId } : {});
      runs.push(trace.traceId);
      const other = agentTrace('someone-else', 50);
      decoy = other.traceId;
      void postSpans(dashboard.url, trace.spans).then(() => postSpans(dashboard.url, other.spans));
      return { accepted: true };
    });
    runners.push(runner);

    const agent = page.getByLabel('Agent', { exact: true });
    await expect.poll(() => agent.locator('option').allTextContents(), POLL).toEqual(['burst', 'support']);
    expect(await runPanel(page).locator('.run-description').textContent()).toBe(BURST.description);
    const limit = page.getByLabel('limit', { exact: true });
    expect([await limit.inputValue(), await limit.getAttribute('min'), await limit.getAttribute('max'), await limit.getAttribute('step')]).toEqual(['3', '1', '30', '1']);
    expect(await runPanel(page).locator(`#${await limit.getAttribute('aria-describedby')}`).textContent()).toBe('Permits of the semaphore (1–30, default 3)');

    // A timeout in milliseconds reads "timeout (ms)".
    await agent.selectOption({ label: 'support' });
    expect(await page.getByLabel('timeout (ms)').inputValue()).toBe('1000');
    await agent.selectOption({ label: 'burst' });

    // Follow latest is off; the run's own trace is opened when it comes, even with a newer one beside it.
    const older = agentTrace('older-agent');
    await postSpans(dashboard.url, older.spans);
    await waitForSelected(page, older.traceId);
    await page.getByLabel('Follow latest').uncheck();
    await page.getByLabel('limit', { exact: true }).fill('4');
    await page.getByLabel('count', { exact: true }).fill('8');
    await page.getByRole('button', { name: 'Run', exact: true }).click();

    await expect.poll(() => runPanel(page).locator('.run-message').textContent(), POLL).toBe('Started burst (limit 4, count 8): its trace opens when it arrives.');
    expect(runner.requests).toEqual([{ agent: 'burst', params: { limit: 4, count: 8 }, requestId: expect.stringMatching(/^[0-9a-f-]{36}$/) }]);
    await expect.poll(() => runs.length, POLL).toBe(1);
    await waitForSelected(page, runs[0]!);
    // The newer trace from elsewhere arrives and is listed, but the run stays open.
    await expect.poll(() => page.locator(`li[data-trace-id="${decoy}"]`).count(), POLL).toBe(1);
    expect(await page.getByLabel('Follow latest').isChecked()).toBe(false);
    expect(await page.locator('#trace-headline h2').textContent()).toBe('burst');
    await waitForSelected(page, runs[0]!);
  });

  it('Run an agent - an out-of-range value gets a message and sends nothing; a refusal shows the runner\'s message', async () => {
    const runner = await connectFakeRunner(dashboard.url, { runnerId: 'runner-b', serviceName: 'fake-examples', agents: [BURST] }, () => ({
      error: { code: 'busy', message: 'already running a burst' },
    }));
    runners.push(runner);
    const page = await openPage();
    const limit = page.getByLabel('limit', { exact: true });
    await limit.fill('500');
    await page.getByRole('button', { name: 'Run', exact: true }).click();

    const message = runPanel(page).locator('.run-message');
    await expect.poll(() => message.textContent(), POLL).toBe('limit: expected an integer from 1 to 30, received 500');
    expect(await limit.getAttribute('aria-invalid')).toBe('true');
    await limit.fill('2.5');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await expect.poll(() => message.textContent(), POLL).toBe('limit: expected an integer from 1 to 30, received 2.5');

    // The next valid run is the first request the runner sees: the bad ones were never sent.
    await limit.fill('2');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await expect.poll(() => message.textContent(), POLL).toBe('Could not run burst: runner "runner-b" refused: already running a burst');
    expect(await message.getAttribute('data-kind')).toBe('error');
    expect(runner.requests).toEqual([{ agent: 'burst', params: { limit: 2, count: 30 }, requestId: expect.stringMatching(/^[0-9a-f-]{36}$/) }]);
  });

  it('Run an agent - groups the agents by runner when several offer them, and forgets a runner that leaves', async () => {
    const first = await connectFakeRunner(dashboard.url, { runnerId: 'runner-c', serviceName: 'one', agents: [BURST] });
    runners.push(first);
    const page = await openPage();
    await expect.poll(() => page.getByLabel('Agent', { exact: true }).locator('option').allTextContents(), POLL).toEqual(['burst']);
    expect(await page.getByLabel('Agent', { exact: true }).locator('optgroup').count()).toBe(0);

    const second = await connectFakeRunner(dashboard.url, { runnerId: 'runner-d', serviceName: 'two', agents: [SUPPORT, BURST] });
    runners.push(second);
    const groups = page.getByLabel('Agent', { exact: true }).locator('optgroup');
    await expect.poll(() => groups.evaluateAll((nodes) => nodes.map((group) => `${group.getAttribute('label')}: ${[...group.children].map((option) => option.textContent).join(', ')}`)), POLL).toEqual([
      'one (runner-c): burst',
      'two (runner-d): support, burst',
    ]);
    // The second runner's burst goes to the second runner.
    await page.getByLabel('Agent', { exact: true }).selectOption({ index: 2 });
    expect(await runPanel(page).locator('.run-runner').textContent()).toBe('offered by two (runner-d)');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await expect.poll(() => second.requests.length, POLL).toBe(1);
    expect(first.requests).toEqual([]);

    first.close();
    second.close();
    await expect.poll(() => runPanel(page).textContent(), POLL).toContain('No runner is connected');
    expect(await page.getByLabel('Agent', { exact: true }).isVisible()).toBe(false);
  });

  it('Download for Jaeger UI - downloads the selected trace as a Jaeger UI file, with the page\'s token (as agent runs do); no "Send to Jaeger" without forward targets', async () => {
    const secured = await startDashboard({ token: 's3cret', tracesIntervalMs: 20, spansIntervalMs: 20 });
    try {
      runners.push(await connectFakeRunner(secured.url, { runnerId: 'runner-t', serviceName: 'fake-examples', agents: [BURST] }, undefined, 's3cret'));
      const { traceId, spans } = agentTrace('download-agent');
      await postSpans(secured.url, spans, 's3cret');
      const page = await openPage(secured.url, '?token=s3cret');
      await waitForSelected(page, traceId);

      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download for Jaeger UI' }).click()]);
      expect(download.suggestedFilename()).toBe(`trace-${traceId}.jaeger.json`);
      const file = JSON.parse(await readFile(await download.path(), 'utf8')) as { data: Array<{ traceID: string; spans: unknown[] }> };
      expect(file.data).toHaveLength(1);
      expect(file.data[0]!.traceID).toBe(traceId);
      expect(file.data[0]!.spans).toHaveLength(spans.length);
      // /api/info has answered (openPage waits for it) with no targets.
      expect(await page.getByRole('button', { name: 'Send to Jaeger' }).count()).toBe(0);

      // The token also goes with the agent list and a run.
      await page.getByRole('button', { name: 'Run', exact: true }).click();
      await expect.poll(() => runPanel(page).locator('.run-message').textContent(), POLL).toBe('Started burst (limit 3, count 30): its trace opens when it arrives.');
    } finally {
      await secured.server.close();
    }
  });

  it('Send to Jaeger - shown when the server has forward targets; sends the selected trace there and says so', async () => {
    const listener = await startOtlpListener();
    const forwarding = await startDashboard({ forward: [listener.url], tracesIntervalMs: 20, spansIntervalMs: 20 });
    try {
      // Imported, not ingested: the server forwards what arrives on /v1/traces, not imports.
      const { traceId, spans } = agentTrace('forward-agent');
      await importSpans(forwarding.url, spans);
      const page = await openPage(forwarding.url);
      await waitForSelected(page, traceId);

      const send = page.getByRole('button', { name: 'Send to Jaeger' });
      expect(await send.getAttribute('title')).toContain(listener.url);
      expect(listener.received).toEqual([]);
      await send.click();

      await expect.poll(() => page.locator('.action-status').textContent(), POLL).toBe(`sent ${spans.length} spans to ${listener.url}`);
      await expect.poll(() => listener.received.length, POLL).toBe(1);
      const received = listener.received[0]!;
      expect(received.map((span) => span.spanId).sort()).toEqual(spans.map((span) => span.spanId).sort());
      expect(new Set(received.map((span) => span.traceId))).toEqual(new Set([traceId]));
    } finally {
      await forwarding.server.close();
      await listener.close();
    }
  });
});
