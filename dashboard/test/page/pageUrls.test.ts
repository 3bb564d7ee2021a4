// Links that open what they name, in real headless Chromium against the real server: /traces/<id> with
// or without "follow latest", the hash form, back and forward, the pinned span in the URL, unknown ids,
// and the trace list's filter in the URL.
import type { SpanRecord } from '@overlap/shared';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { WaterfallSnapshot } from '../../src/page/testing/hookTypes.js';
import { agentRoot, launchChromium, newTraceId, postSpans, startDashboard, toolCall } from './pageHarness.js';
import type { StartedServer } from './pageHarness.js';

const TEST_TIMEOUT_MS = 30_000;
/** Waits on the page and the server: generous, for a busy machine; done as soon as it holds. */
const POLL = { timeout: 10_000, interval: 25 };

let browser: Browser;
let dashboard: StartedServer;
let secured: StartedServer;
const pages: Page[] = [];
const pageErrors: Error[] = [];

beforeAll(async () => {
  [dashboard, secured] = await Promise.all([startDashboard({ tracesIntervalMs: 20, spansIntervalMs: 20 }), startDashboard({ token: 'page-s3cret' })]);
  browser = await launchChromium();
}, 120_000);

afterEach(async () => {
  for (const page of pages.splice(0)) await page.close();
  expect(pageErrors.splice(0)).toEqual([]);
});

afterAll(async () => {
  await browser?.close();
  await dashboard?.server.close();
  await secured?.server.close();
});

async function openPage(path: string, server = dashboard): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  pages.push(page);
  page.on('pageerror', (error) => pageErrors.push(error));
  await page.goto(`${server.url}${path.replace(/^\//, '')}`);
  return page;
}

function shownTraceId(page: Page): Promise<string | undefined> {
  return page.evaluate(() => (globalThis as unknown as { __overlapWaterfall?: () => WaterfallSnapshot }).__overlapWaterfall?.().traceId);
}

async function waitForShown(page: Page, traceId: string): Promise<void> {
  await expect.poll(() => shownTraceId(page), POLL).toBe(traceId);
  await expect.poll(() => page.locator(`li[data-trace-id="${traceId}"]`).getAttribute('aria-selected'), POLL).toBe('true');
}

const path = async (page: Page): Promise<string> => {
  const url = new URL(page.url());
  return `${url.pathname}${url.search}${url.hash}`;
};
const historyLength = (page: Page): Promise<number> => page.evaluate(() => (globalThis as unknown as { history: { length: number } }).history.length);

let lastStartMs = 0;
/** A trace of `agent` (a root and two calls), starting after every earlier one. */
function agentTrace(agent: string, service = 'page-test-agent', durationMs = 500): { traceId: string; spans: SpanRecord[]; callIds: string[] } {
  const traceId = newTraceId();
  lastStartMs = Math.max(Date.now() - 60_000, lastStartMs + 10);
  const t0 = lastStartMs;
  const root = agentRoot(traceId, agent, t0, t0 + durationMs);
  const calls = [
    ...toolCall({ traceId, parentSpanId: root.spanId, tool: 'lookup', gate: 'pool', startMs: t0 + 5, queueMs: 0, endMs: t0 + 300 }),
    ...toolCall({ traceId, parentSpanId: root.spanId, tool: 'fetch', gate: 'pool', startMs: t0 + 10, queueMs: 50, endMs: t0 + durationMs - 10, outcome: durationMs > 800 ? 'timeout' : 'ok' }),
  ];
  const spans = [root, ...calls].map((span) => ({ ...span, resource: { serviceName: service, attributes: { 'service.name': service } } }));
  return { traceId, spans, callIds: calls.filter((span) => span.name.startsWith('execute_tool')).map((span) => span.spanId) };
}

describe('the page\'s URLs', { timeout: TEST_TIMEOUT_MS }, () => {
  it('/traces/<id> - opens that trace with "follow latest" off, though newer traces exist; ?follow=1 opens it and then follows', async () => {
    const older = agentTrace('older');
    const newer = agentTrace('newer');
    await postSpans(dashboard.url, [...older.spans, ...newer.spans]);

    const page = await openPage(`/traces/${older.traceId}`);
    await waitForShown(page, older.traceId);
    expect(await page.getByLabel('Follow latest').isChecked()).toBe(false);
    expect(await path(page)).toBe(`/traces/${older.traceId}`);

    const following = await openPage(`/traces/${older.traceId.toUpperCase()}?follow=1`);
    await waitForShown(following, older.traceId);
    expect(await following.getByLabel('Follow latest').isChecked()).toBe(true);
    // The next new trace is selected, and the URL names it (in place: no history entry per trace).
    const entries = await historyLength(following);
    const next = agentTrace('next');
    await postSpans(dashboard.url, next.spans);
    await waitForShown(following, next.traceId);
    expect(await path(following)).toBe(`/traces/${next.traceId}?follow=1`);
    expect(await historyLength(following)).toBe(entries);
    // The first page, not following, stayed on its trace.
    expect(await shownTraceId(page)).toBe(older.traceId);
  });

  it('/ - follows the newest trace and names it in the URL; #/traces/<id> opens that trace too', async () => {
    const trace = agentTrace('hash-form');
    await postSpans(dashboard.url, trace.spans);
    const latest = await openPage('/');
    await waitForShown(latest, trace.traceId);
    expect(await path(latest)).toBe(`/traces/${trace.traceId}?follow=1`);

    const newer = agentTrace('newer-than-hash');
    await postSpans(dashboard.url, newer.spans);
    const hashed = await openPage(`/#/traces/${trace.traceId}`);
    await waitForShown(hashed, trace.traceId);
    expect(await hashed.getByLabel('Follow latest').isChecked()).toBe(false);
    // A page opened with the hash form keeps it.
    await hashed.locator(`li[data-trace-id="${newer.traceId}"] .trace-name`).click();
    await waitForShown(hashed, newer.traceId);
    expect(await path(hashed)).toBe(`/#/traces/${newer.traceId}`);
  });

  it('back and forward - go back to the trace and the span that were shown', async () => {
    const first = agentTrace('first');
    const second = agentTrace('second');
    await postSpans(dashboard.url, [...first.spans, ...second.spans]);
    const page = await openPage(`/traces/${first.traceId}`);
    await waitForShown(page, first.traceId);

    await page.locator(`li[data-trace-id="${second.traceId}"] .trace-name`).click();
    await waitForShown(page, second.traceId);
    expect(await path(page)).toBe(`/traces/${second.traceId}`);
    // Pinning a span puts it in the URL.
    const spanId = second.callIds[1]!;
    await page.locator(`.wf-label[data-span-id="${spanId}"]`).click();
    await expect.poll(() => path(page), POLL).toBe(`/traces/${second.traceId}?span=${spanId}`);

    await page.goBack();
    await waitForShown(page, first.traceId);
    expect(await path(page)).toBe(`/traces/${first.traceId}`);
    await page.goForward();
    await waitForShown(page, second.traceId);
    await expect.poll(() => page.locator('#span-details.pinned .details-name').textContent(), POLL).toBe('execute_tool fetch');
    expect(await path(page)).toBe(`/traces/${second.traceId}?span=${spanId}`);

    // Unpinning takes the span out of the URL.
    await page.keyboard.press('Escape');
    await expect.poll(() => path(page), POLL).toBe(`/traces/${second.traceId}`);
  });

  it('?span=<id> - a link to a span opens its trace with that span pinned', async () => {
    const trace = agentTrace('span-link');
    await postSpans(dashboard.url, trace.spans);
    const spanId = trace.callIds[0]!;
    const page = await openPage(`/traces/${trace.traceId}?span=${spanId}`);
    await waitForShown(page, trace.traceId);
    await expect.poll(() => page.locator('#span-details.pinned .details-name').textContent(), POLL).toBe('execute_tool lookup');
    await expect.poll(() => page.locator('.wf-highlight.pinned').count(), POLL).toBe(1);
  });

  it('/traces/<unknown id> - says the trace was not found (evicted or never received)', async () => {
    const unknown = newTraceId();
    const page = await openPage(`/traces/${unknown}`);
    const message = `Trace ${unknown} not found (evicted or never received).`;
    await expect.poll(() => page.locator('#waterfall').textContent(), POLL).toContain(message);
    expect(await page.locator('#trace-headline').textContent()).toContain(message);
    expect(await path(page)).toBe(`/traces/${unknown}`);
  });

  it('with a token - /traces/<id>?token=… loads the page\'s scripts from its base, shows the trace and takes the token out of the address bar', async () => {
    const trace = agentTrace('secured');
    const response = await fetch(`${secured.url}v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer page-s3cret' },
      body: JSON.stringify((await import('@overlap/shared')).spansToOtlp(trace.spans)),
    });
    expect(response.status).toBe(200);
    const page = await openPage(`/traces/${trace.traceId}?token=page-s3cret`, secured);
    await waitForShown(page, trace.traceId);
    expect(await path(page)).toBe(`/traces/${trace.traceId}`);
  });

  it('the filter - lists only the matching traces, lives in the URL, goes back with the history, and takes in matching traces as they arrive', async () => {
    const run = `run${Date.now().toString(36)}`;
    const slowWriter = agentTrace(`writer-${run}`, 'billing', 1200);
    const fastWriter = agentTrace(`writer-${run}`, 'billing', 400);
    const reader = agentTrace(`reader-${run}`, 'search', 1500);
    await postSpans(dashboard.url, [...slowWriter.spans, ...fastWriter.spans, ...reader.spans]);
    const listed = (page: Page): Promise<string[]> => page.locator('#trace-list li[data-trace-id]').evaluateAll((items) => items.map((item) => item.getAttribute('data-trace-id')!));

    const page = await openPage(`/?agent=writer-${run}`);
    await expect.poll(() => listed(page), POLL).toEqual([fastWriter.traceId, slowWriter.traceId]);
    expect(await page.locator('#filter-box').getAttribute('open')).not.toBeNull();
    expect(await page.getByLabel('Agent name').inputValue()).toBe(`writer-${run}`);
    // The tool figures over "all stored traces" follow the filter: its time range, its agent.
    await page.locator('#tool-scope').selectOption('all');
    await expect.poll(() => page.locator('#tool-stats caption').textContent(), POLL).toBe('Per-tool latency — all 2 matching traces');

    await page.getByLabel('Min duration (ms)').fill('1000');
    await page.getByLabel('Min duration (ms)').press('Enter');
    await expect.poll(() => listed(page), POLL).toEqual([slowWriter.traceId]);
    expect(new URL(page.url()).searchParams.get('minDurationMs')).toBe('1000');
    expect(new URL(page.url()).searchParams.get('agent')).toBe(`writer-${run}`);

    await page.getByLabel('Outcome').selectOption('timeout');
    await expect.poll(() => new URL(page.url()).searchParams.get('outcome'), POLL).toBe('timeout');
    await page.getByLabel('Agent name').fill('');
    await page.getByLabel('Agent name').press('Enter');
    await expect.poll(() => listed(page), POLL).toContain(reader.traceId);
    expect(await listed(page)).toContain(slowWriter.traceId);
    expect(await listed(page)).not.toContain(fastWriter.traceId);

    // Back: the filter before, in the form and the list.
    await page.goBack();
    await expect.poll(() => page.getByLabel('Agent name').inputValue(), POLL).toBe(`writer-${run}`);
    await expect.poll(() => listed(page), POLL).toEqual([slowWriter.traceId]);

    // A matching trace arriving is listed; one that does not match is not.
    const another = agentTrace(`writer-${run}`, 'billing', 2000);
    const other = agentTrace(`reader-${run}`, 'search', 2000);
    await postSpans(dashboard.url, [...another.spans, ...other.spans]);
    await expect.poll(() => listed(page), POLL).toEqual([another.traceId, slowWriter.traceId]);

    // A time range that excludes everything: nothing matches, and the page says so.
    const empty = await openPage(`/?service=billing&until=${encodeURIComponent(new Date(Date.now() - 3_600_000).toISOString())}`);
    await expect.poll(() => empty.locator('#waterfall').textContent(), POLL).toContain('No trace matches the filter.');
    expect(await listed(empty)).toEqual([]);
    expect(await empty.getByLabel('Service').inputValue()).toBe('billing');
    expect(await empty.getByLabel('To', { exact: true }).inputValue()).not.toBe('');
  });
});
