// The page in real headless Chromium, served by the real server, fed over real HTTP and sockets.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { assembleTrace, GenAiAttributes, layoutWaterfall, OverlapAttributes, OverlapEvents, spansToOtlp, summarizeTrace } from '@overlap/shared';
import type { SpanRecord } from '@overlap/shared';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { formatDuration, formatFactor } from '../../src/page/format/formatDuration.js';
import type { PageHooks, RenderRecord, WaterfallSnapshot } from '../../src/page/testing/hookTypes.js';
import { SEGMENT_STYLES } from '../../src/page/theme/palette.js';
import { DASHBOARD_DIR, agentRoot, announceSpanStarts, launchChromium, newTraceId, postSpans, startDashboard, toolCall } from './pageHarness.js';
import type { StartedServer } from './pageHarness.js';

const HOSTILE = '<img src=x onerror=alert(1)>';
const TEST_TIMEOUT_MS = 30_000;

let browser: Browser;
let dashboard: StartedServer;
const pages: Page[] = [];
const dialogs: string[] = [];
const pageErrors: Error[] = [];

beforeAll(async () => {
  dashboard = await startDashboard({ tracesIntervalMs: 20, spansIntervalMs: 20 });
  browser = await launchChromium();
}, 120_000);

afterEach(async () => {
  for (const page of pages.splice(0)) await page.close();
  // No test may leave an uncaught error in the page behind.
  expect(pageErrors.splice(0)).toEqual([]);
});

afterAll(async () => {
  await browser?.close();
  await dashboard?.server.close();
});

/** Opens the page (optionally at a URL suffix such as `?token=`); its uncaught errors fail the test. */
async function openPage(suffix = '', url = dashboard.url): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  pages.push(page);
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  page.on('pageerror', (error) => pageErrors.push(error));
  await page.goto(`${url}${suffix}`);
  return page;
}

function snapshot(page: Page): Promise<WaterfallSnapshot> {
  return page.evaluate(() => (globalThis as unknown as { __overlapWaterfall: () => WaterfallSnapshot }).__overlapWaterfall());
}

/** Waits until the waterfall draws `traceId` and `predicate` holds for what chart.js was given. */
async function waitForWaterfall(page: Page, traceId: string, predicate: (snap: WaterfallSnapshot) => boolean = () => true): Promise<WaterfallSnapshot> {
  let last: WaterfallSnapshot | undefined;
  await expect
    .poll(
      async () => {
        last = await page.evaluate(() => (globalThis as unknown as { __overlapWaterfall?: () => WaterfallSnapshot }).__overlapWaterfall?.());
        return last !== undefined && last.traceId === traceId && last.rows.length > 0 && predicate(last);
      },
      { timeout: 10_000, interval: 25 },
    )
    .toBe(true);
  return last!;
}

const rowOf = (snap: WaterfallSnapshot, spanId: string) => snap.rows.find((row) => row.spanId === spanId);

let lastStartMs = 0;
/**
 * A start time `agoMs` before now, and after every start handed out before: each test's trace is the
 * newest, so "follow latest" selects it.
 */
function nextStartMs(agoMs: number): number {
  lastStartMs = Math.max(Date.now() - agoMs, lastStartMs + 10);
  return lastStartMs;
}

/** A small trace: an agent root and three calls on one semaphore, two of which queued. */
function sampleTrace(options: { agent?: string; rootName?: string; callName?: string } = {}): { traceId: string; root: SpanRecord; spans: SpanRecord[] } {
  const traceId = newTraceId();
  const t0 = nextStartMs(1500);
  const root = { ...agentRoot(traceId, options.agent ?? 'researcher', t0, t0 + 1000), ...(options.rootName === undefined ? {} : { name: options.rootName }) };
  const spans = [
    root,
    ...toolCall({ traceId, parentSpanId: root.spanId, tool: 'search', gate: 'search-api', startMs: t0 + 10, queueMs: 0, endMs: t0 + 400 }),
    ...toolCall({ traceId, parentSpanId: root.spanId, tool: 'search', gate: 'search-api', startMs: t0 + 20, queueMs: 380, endMs: t0 + 700 }),
    ...toolCall({ traceId, parentSpanId: root.spanId, tool: 'fetch', gate: 'search-api', startMs: t0 + 30, queueMs: 120, endMs: t0 + 950, outcome: 'timeout', name: options.callName, events: [{ name: OverlapEvents.TIMEOUT, tMs: t0 + 950, attributes: { [OverlapAttributes.TIMEOUT_MS]: 800 } }] }),
  ];
  return { traceId, root, spans };
}

describe('dashboard page', { timeout: TEST_TIMEOUT_MS }, () => {
  it('waterfall - draws one row per span, nested under its parent, with its name', async () => {
    const { traceId, spans } = sampleTrace({ agent: 'row-agent' });
    await postSpans(dashboard.url, spans);
    const page = await openPage();

    const snap = await waitForWaterfall(page, traceId, (snap) => snap.rowCount === 4);

    // Queue spans are folded into their call's row as a segment, not rows of their own.
    expect(snap.rows.map((row) => [row.name, row.depth])).toEqual([
      ['invoke_agent row-agent', 0],
      ['execute_tool search', 1],
      ['execute_tool search', 1],
      ['execute_tool fetch', 1],
    ]);
    await expect.poll(() => page.locator('.wf-label .wf-name').allTextContents()).toEqual(['invoke_agent row-agent', 'execute_tool search', 'execute_tool search', 'execute_tool fetch']);
    const item = page.locator(`li[data-trace-id="${traceId}"]`);
    await expect.poll(() => item.getAttribute('aria-selected')).toBe('true');
    expect(await item.textContent()).toContain('row-agent');
    expect(await item.textContent()).toContain(`${spans.length} spans`);
    const timeout = snap.rows[3]!;
    expect(timeout.markers.map((marker) => [marker.kind, marker.label])).toContainEqual(['timeout', 'timed out after 800 ms']);
  });

  it('waterfall - grows ten rows at a time, so a live trace gaining a row does not move the page below it', async () => {
    const { traceId, root, spans } = sampleTrace({ agent: 'stepping-agent' });
    await postSpans(dashboard.url, spans);
    const page = await openPage();
    await waitForWaterfall(page, traceId, (snap) => snap.rowCount === 4);
    const concurrencyTop = (): Promise<number> => page.locator('#concurrency').evaluate((section) => section.getBoundingClientRect().top);
    const topWithFour = await concurrencyTop();

    const t0 = Date.now() - 700;
    for (let i = 0; i < 6; i += 1) await postSpans(dashboard.url, toolCall({ traceId, parentSpanId: root.spanId, tool: `more_${i}`, gate: 'llm', startMs: t0 + i, queueMs: 0, endMs: t0 + 50 + i }));
    await waitForWaterfall(page, traceId, (snap) => snap.rowCount === 10);
    expect(await concurrencyTop()).toBe(topWithFour);

    await postSpans(dashboard.url, toolCall({ traceId, parentSpanId: root.spanId, tool: 'eleventh', gate: 'llm', startMs: t0 + 10, queueMs: 0, endMs: t0 + 60 }));
    await waitForWaterfall(page, traceId, (snap) => snap.rowCount === 11);
    expect(await concurrencyTop()).toBeGreaterThan(topWithFour);
  });

  it('waterfall - shows a span sent after the trace was opened, without a reload', async () => {
    const { traceId, root, spans } = sampleTrace({ agent: 'growing-agent' });
    await postSpans(dashboard.url, spans);
    const page = await openPage();
    await waitForWaterfall(page, traceId, (snap) => snap.rowCount === 4);
    await page.evaluate(() => ((globalThis as unknown as { __sameDocument: boolean }).__sameDocument = true));

    const late = toolCall({ traceId, parentSpanId: root.spanId, tool: 'summarize', gate: 'llm', startMs: Date.now() - 900, queueMs: 50, endMs: Date.now() - 800 });
    await postSpans(dashboard.url, late);

    const snap = await waitForWaterfall(page, traceId, (current) => rowOf(current, late[0]!.spanId) !== undefined);
    expect(snap.rowCount).toBe(5);
    expect(await page.evaluate(() => (globalThis as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
    await expect.poll(() => page.locator('.wf-label .wf-name').allTextContents()).toContain('execute_tool summarize');
  });

  it('waterfall - grows an in-flight span announced on /runners span-starts, then ends it', async () => {
    const traceId = newTraceId();
    const t0 = nextStartMs(200);
    const root = agentRoot(traceId, 'live-agent', t0, undefined);
    const call = toolCall({ traceId, parentSpanId: root.spanId, tool: 'slow', gate: 'slow-api', startMs: t0 + 10, queueMs: 0, endMs: undefined })[0]!;
    await announceSpanStarts(dashboard.url, [root, call]);
    const page = await openPage();

    const first = await waitForWaterfall(page, traceId, (snap) => rowOf(snap, call.spanId)?.inFlight === true);
    const endOf = (snap: WaterfallSnapshot): number => rowOf(snap, call.spanId)!.segments.at(-1)!.endMs;
    const firstEnd = endOf(first);
    expect(rowOf(first, call.spanId)!.segments.map((segment) => segment.kind)).toEqual(['runInFlight']);

    // The bar's end moves right while nothing new arrives: it is drawn to "now".
    const later = await waitForWaterfall(page, traceId, (snap) => endOf(snap) > firstEnd + 100);
    expect(endOf(later)).toBeGreaterThan(firstEnd + 100);
    expect(later.xMaxMs).toBeGreaterThanOrEqual(endOf(later));
    await expect.poll(() => page.locator(`.wf-label[data-span-id="${call.spanId}"] .wf-flag`).textContent()).toBe('in flight');

    const endMs = Date.now();
    await postSpans(dashboard.url, [{ ...call, endTimeUnixNano: `${BigInt(endMs) * 1_000_000n}`, attributes: { ...call.attributes, [OverlapAttributes.OUTCOME]: 'ok' } }]);
    const ended = await waitForWaterfall(page, traceId, (snap) => rowOf(snap, call.spanId)?.inFlight === false);
    const endedRow = rowOf(ended, call.spanId)!;
    expect(endedRow.segments.map((segment) => segment.kind)).toEqual(['run']);
    expect(endedRow.segments[0]!.endMs).toBeCloseTo(endMs - ended.originMs, 3);
  });

  it('span names and attributes - render as text: a hostile name is shown literally and runs nothing', async () => {
    const { traceId, spans } = sampleTrace({ agent: HOSTILE, rootName: HOSTILE, callName: HOSTILE });
    spans[1] = { ...spans[1]!, attributes: { ...spans[1]!.attributes, [HOSTILE]: HOSTILE, [GenAiAttributes.TOOL_CALL_ARGUMENTS]: `{"q":"${HOSTILE}"}` } };
    await postSpans(dashboard.url, spans);
    const dialogsBefore = dialogs.length;
    const page = await openPage();
    const snap = await waitForWaterfall(page, traceId, (snap) => snap.rowCount === 4);
    expect(snap.rows[0]!.name).toBe(HOSTILE);

    // Hover a row (tooltip and details panel), then click to pin it: every place a span's text goes.
    const label = page.locator(`.wf-label[data-span-id="${spans[1]!.spanId}"]`);
    await label.hover();
    await expect.poll(() => page.locator('#span-details').textContent()).toContain(HOSTILE);
    await label.click();
    await expect.poll(() => page.locator('#span-details.pinned').count()).toBe(1);

    expect(await page.locator('img').count()).toBe(0);
    await expect.poll(() => page.getByText(HOSTILE, { exact: true }).count()).toBeGreaterThanOrEqual(4);
    expect(await page.locator('.wf-tooltip').textContent()).toContain('execute_tool search');
    expect(await page.locator('#trace-headline h2').textContent()).toBe(HOSTILE);
    expect(await page.locator(`li[data-trace-id="${traceId}"] .trace-name`).textContent()).toBe(HOSTILE);
    expect(dialogs.length).toBe(dialogsBefore);
  });

  it('headline - shows wall time, the sum of the calls and "concurrency saved X (Y×)"', async () => {
    const { traceId, spans } = sampleTrace({ agent: 'headline-agent' });
    await postSpans(dashboard.url, spans);
    const page = await openPage();
    await waitForWaterfall(page, traceId);
    const summary = summarizeTrace(assembleTrace(spans));
    expect(summary.concurrencySavedMs).toBeGreaterThan(0);

    const saved = page.locator('#trace-headline .figure-saved');
    await expect.poll(() => saved.textContent()).toBe(`${formatDuration(summary.concurrencySavedMs)} (${formatFactor(summary.speedup)})concurrency saved`);
    const headline = (await page.locator('#trace-headline').textContent()) ?? '';
    expect(headline).toContain(`${formatDuration(summary.wallMs)}wall time`);
    expect(headline).toContain(`${formatDuration(summary.sumOfCallsMs)}sum of 3 calls`);
    // The critical path comes from the analysis worker, after the figures the page computes itself.
    await expect.poll(() => page.locator('#trace-headline').textContent()).toContain('critical path');
  });

  it('waterfall - draws the queue segment in its own colour, marks the critical path, and writes a screenshot', async () => {
    const { traceId, spans } = sampleTrace({ agent: 'colour-agent' });
    await postSpans(dashboard.url, spans);
    const page = await openPage();
    const snap = await waitForWaterfall(page, traceId, (current) => current.rows.some((row) => row.onCriticalPath));

    const queued = snap.rows[2]!;
    expect(queued.segments.map((segment) => [segment.kind, Math.round(segment.startMs), Math.round(segment.endMs)])).toEqual([
      ['queue', 20, 400],
      ['run', 400, 700],
    ]);
    const [queue, run] = queued.segments;
    expect(queue!.color).toBe(SEGMENT_STYLES.queue.color);
    expect(run!.color).toBe(SEGMENT_STYLES.run.color);
    expect(queue!.color).not.toBe(run!.color);
    // The timed-out fetch ends last among the calls: it is on the critical path.
    expect(snap.rows[3]!.onCriticalPath).toBe(true);
    // The time axis header lines up with the bars.
    expect(snap.axisChartArea).toEqual({ left: snap.chartArea.left, right: snap.chartArea.right });
    expect(snap.chartArea.top).toBe(0);

    const dir = join(DASHBOARD_DIR, 'test-results');
    mkdirSync(dir, { recursive: true });
    await page.locator('.wf-label').first().hover();
    await page.screenshot({ path: join(dir, 'page.png'), fullPage: true });
  });

  it('waterfall - draws a large trace\'s first screen from the server\'s rows, then every row once laid out off the main thread, then live updates', async () => {
    const traceId = newTraceId();
    const t0 = nextStartMs(5_000);
    const root = agentRoot(traceId, 'large', t0, t0 + 4_000);
    const spans: SpanRecord[] = [root];
    for (let i = 0; i < 700; i += 1) spans.push(...toolCall({ traceId, parentSpanId: root.spanId, tool: `t${i % 5}`, gate: 'g', startMs: t0 + 1 + i * 5, queueMs: i % 2 === 0 ? 2 : 0, endMs: t0 + 20 + i * 5 }));
    await postSpans(dashboard.url, spans);
    const page = await openPage();
    const full = layoutWaterfall(assembleTrace(spans));

    const records = async (): Promise<RenderRecord[]> => page.evaluate((id) => (globalThis as unknown as PageHooks).__overlapPerf!.records.filter((record) => record.traceId === id), traceId);
    await expect.poll(async () => (await records()).map((record) => [record.kind, record.layout]), { timeout: 10_000, interval: 25 }).toEqual([
      ['open', 'first-screen'],
      ['layout', 'rebuilt'],
    ]);
    const [open] = await records();
    expect(open).toMatchObject({ spanCount: spans.length, rowCount: full.rows.length });
    const top = await waitForWaterfall(page, traceId, (snap) => snap.rowCount === full.rows.length);
    expect(top.rows.map((row) => row.spanId)).toEqual(full.rows.slice(0, top.rows.length).map((row) => row.spanId));

    // Every row is laid out: the bottom of the trace draws too.
    await page.locator('.wf-scroll').evaluate((scroller) => {
      scroller.scrollTop = scroller.scrollHeight;
      scroller.dispatchEvent(new Event('scroll'));
    });
    const bottom = await waitForWaterfall(page, traceId, (snap) => snap.rows.at(-1)?.spanId === full.rows.at(-1)!.spanId);
    expect(bottom.rows.map((row) => row.spanId)).toEqual(full.rows.slice(bottom.windowStart, bottom.windowStart + bottom.rows.length).map((row) => row.spanId));

    // Live updates patch the adopted rows.
    const [late] = toolCall({ traceId, parentSpanId: root.spanId, tool: 'late', gate: 'g', startMs: t0 + 3_999, queueMs: 0, endMs: t0 + 4_000 });
    await postSpans(dashboard.url, [late!]);
    await waitForWaterfall(page, traceId, (snap) => snap.rowCount === full.rows.length + 1);
    await page.locator('.wf-scroll').evaluate((scroller) => {
      scroller.scrollTop = scroller.scrollHeight;
      scroller.dispatchEvent(new Event('scroll'));
    });
    await waitForWaterfall(page, traceId, (snap) => snap.rows.at(-1)?.spanId === late!.spanId);
    expect((await records()).at(-1)).toMatchObject({ kind: 'update', layout: 'patched' });
  });

  it('waterfall - collapses and expands a span\'s children with its button', async () => {
    const { traceId, root, spans } = sampleTrace({ agent: 'collapse-agent' });
    await postSpans(dashboard.url, spans);
    const page = await openPage();
    await waitForWaterfall(page, traceId, (snap) => snap.rowCount === 4);

    const toggle = page.getByRole('button', { name: 'Collapse invoke_agent collapse-agent' });
    await toggle.click();
    const collapsed = await waitForWaterfall(page, traceId, (snap) => snap.rowCount === 1);
    expect(collapsed.rows[0]).toMatchObject({ spanId: root.spanId, collapsed: true });

    await page.getByRole('button', { name: 'Expand invoke_agent collapse-agent' }).click();
    await waitForWaterfall(page, traceId, (snap) => snap.rowCount === 4);
  });

  it('trace list - follows the newest trace; turned off, it keeps the selection; arrow keys select', async () => {
    const older = sampleTrace({ agent: 'follow-older' });
    await postSpans(dashboard.url, older.spans);
    const page = await openPage();
    await waitForWaterfall(page, older.traceId);

    const newer = sampleTrace({ agent: 'follow-newer' });
    await postSpans(dashboard.url, newer.spans);
    await waitForWaterfall(page, newer.traceId);

    await page.getByLabel('Follow latest').uncheck();
    const newest = sampleTrace({ agent: 'follow-newest' });
    await postSpans(dashboard.url, newest.spans);
    await expect.poll(() => page.locator(`li[data-trace-id="${newest.traceId}"]`).count()).toBe(1);
    expect((await snapshot(page)).traceId).toBe(newer.traceId);

    await page.locator(`li[data-trace-id="${newer.traceId}"]`).click();
    await page.keyboard.press('ArrowDown');
    await waitForWaterfall(page, older.traceId);
    expect(await page.locator(`li[data-trace-id="${older.traceId}"]`).getAttribute('aria-selected')).toBe('true');
  });

  it('trace list - shows a trace\'s spans dropped past the server\'s maxSpansPerTrace as a "dropped" badge', async () => {
    const capped = await startDashboard({ maxSpansPerTrace: 3, tracesIntervalMs: 20, spansIntervalMs: 20 });
    try {
      const traceId = newTraceId();
      const start = nextStartMs(1000);
      const root = agentRoot(traceId, 'runaway', start, start + 500);
      const calls = [0, 1, 2, 3].flatMap((i) => toolCall({ traceId, parentSpanId: root.spanId, tool: `t${i}`, gate: 'g', startMs: start + 10, queueMs: 0, endMs: start + 100 }));
      const response = await fetch(`${capped.url}v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(spansToOtlp([root, ...calls])) });
      expect(response.status).toBe(200);
      const page = await openPage('', capped.url);
      const badge = page.locator(`li[data-trace-id="${traceId}"] .badge-error`, { hasText: 'dropped' });
      await expect.poll(() => badge.textContent(), { timeout: 10_000, interval: 25 }).toBe('2 dropped');
      expect(await badge.getAttribute('title')).toMatch(/--max-spans-per-trace/);
    } finally {
      await capped.server.close();
    }
  });

  it('page - passes ?token= to the REST API and the socket, and takes it out of the address bar', async () => {
    const secured = await startDashboard({ token: 's3cret', tracesIntervalMs: 20, spansIntervalMs: 20 });
    try {
      const { traceId, spans } = sampleTrace({ agent: 'token-agent' });
      await postSpans(secured.url, spans, 's3cret');
      const page = await openPage('?token=s3cret', secured.url);
      const snap = await waitForWaterfall(page, traceId, (snap) => snap.rowCount === 4);
      expect(snap.rows[0]!.name).toBe('invoke_agent token-agent');
      await expect.poll(() => page.locator('#connection-status').textContent()).toBe('live');
      // The token left the address bar (history, bookmarks, screen shares) as the page loaded, and the
      // URLs the page writes as it follows the newest trace do not bring it back...
      expect(page.url().startsWith(secured.url)).toBe(true);
      expect(page.url()).not.toContain('s3cret');
      // ...and the tab still has it: a reload keeps working.
      await page.reload();
      await waitForWaterfall(page, traceId, (snap) => snap.rowCount === 4);
      await expect.poll(() => page.locator('#connection-status').textContent()).toBe('live');
      expect(page.url()).not.toContain('s3cret');
    } finally {
      await secured.server.close();
    }
  });
});
