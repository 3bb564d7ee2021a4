// Two runs side by side, in real headless Chromium against the real server: ticking two traces opens
// /compare/<a>/<b>, whose figures are GET /api/compare's, cell for cell as comparisonTable() writes them
// (the same `overlap compare` prints); the waterfalls aligned by tool and order, one-sided calls marked;
// swap, close, back; "run again and compare" and an agent's one-click comparisons with a (fake) runner.
import { comparisonTable, OverlapAttributes } from '@overlap/shared';
import type { AgentDescriptor, CompareResponse, SpanRecord } from '@overlap/shared';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { agentRoot, connectFakeRunner, launchChromium, newTraceId, postSpans, startDashboard, toolCall } from './pageHarness.js';
import type { FakeRunner, RunRequest, StartedServer } from './pageHarness.js';

const TEST_TIMEOUT_MS = 30_000;
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
  expect(pageErrors.splice(0)).toEqual([]);
});

afterAll(async () => {
  await browser?.close();
  await dashboard?.server.close();
});

async function openPage(path = ''): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  pages.push(page);
  page.on('pageerror', (error) => pageErrors.push(error));
  await page.goto(`${dashboard.url}${path}`);
  return page;
}

const pathOf = (page: Page): string => {
  const url = new URL(page.url());
  return `${url.pathname}${url.search}${url.hash}`;
};

let lastStartMs = 0;
/**
 * A knowledge-base-like run: `search_kb` and `get_user_status` one after the other (`sequential`) or at
 * once, then `call_llm`; `extraSearch` adds a second search only this run makes.
 */
function kbRun(options: { agent: string; sequential: boolean; extraSearch?: boolean; attributes?: Record<string, string> }): { traceId: string; spans: SpanRecord[] } {
  const traceId = newTraceId();
  lastStartMs = Math.max(Date.now() - 60_000, lastStartMs + 10);
  const t0 = lastStartMs;
  const statusStart = options.sequential ? 300 : 0;
  const llmStart = options.sequential ? 500 : 300;
  const root = agentRoot(traceId, options.agent, t0, t0 + llmStart + 400, options.attributes);
  const spans = [
    root,
    ...toolCall({ traceId, parentSpanId: root.spanId, tool: 'search_kb', gate: 'kb', startMs: t0, queueMs: 0, endMs: t0 + 300 }),
    ...toolCall({ traceId, parentSpanId: root.spanId, tool: 'get_user_status', gate: 'users', startMs: t0 + statusStart, queueMs: options.sequential ? 0 : 40, endMs: t0 + statusStart + 200 }),
    ...toolCall({ traceId, parentSpanId: root.spanId, tool: 'call_llm', gate: 'model', startMs: t0 + llmStart, queueMs: 0, endMs: t0 + llmStart + 390 }),
    ...(options.extraSearch ? toolCall({ traceId, parentSpanId: root.spanId, tool: 'search_kb', gate: 'kb', startMs: t0 + 310, queueMs: 0, endMs: t0 + 350, outcome: 'timeout' }) : []),
  ];
  return { traceId, spans };
}

async function shownComparison(page: Page): Promise<CompareResponse | undefined> {
  return page.evaluate(() => (globalThis as unknown as { __overlapCompare?: () => CompareResponse | undefined }).__overlapCompare?.());
}

/** The text of a table's body cells, row by row. */
function tableCells(page: Page, selector: string): Promise<string[][]> {
  return page.locator(`${selector} tbody tr`).evaluateAll((rows) => rows.map((row) => [...row.children].map((cell) => cell.textContent ?? '')));
}

async function waitForComparison(page: Page, a: string, b: string): Promise<CompareResponse> {
  await expect.poll(async () => {
    const shown = await shownComparison(page);
    return shown === undefined ? undefined : [shown.a.traceId, shown.b.traceId];
  }, POLL).toEqual([a, b]);
  return (await shownComparison(page))!;
}

describe('comparing two runs on the page', { timeout: TEST_TIMEOUT_MS }, () => {
  it('Compare - two ticked traces side by side: the API\'s figures cell for cell, the calls aligned by tool and order, one-sided calls marked', async () => {
    const sequential = kbRun({ agent: 'kb_sequential', sequential: true });
    const concurrent = kbRun({ agent: 'kb_concurrent', sequential: false, extraSearch: true });
    await postSpans(dashboard.url, [...sequential.spans, ...concurrent.spans]);
    const page = await openPage();
    await expect.poll(() => page.locator(`li[data-trace-id="${concurrent.traceId}"]`).count(), POLL).toBe(1);

    expect(await page.locator('#compare-button').isDisabled()).toBe(true);
    await page.getByLabel(`Compare kb_sequential (${sequential.traceId.slice(0, 8)})`).check();
    expect(await page.locator('#compare-button').isDisabled()).toBe(true);
    await page.getByLabel(`Compare kb_concurrent (${concurrent.traceId.slice(0, 8)})`).check();
    await page.locator('#compare-button').click();

    const shown = await waitForComparison(page, sequential.traceId, concurrent.traceId);
    expect(pathOf(page)).toBe(`/compare/${sequential.traceId}/${concurrent.traceId}`);
    const api = (await (await fetch(`${dashboard.url}api/compare?a=${sequential.traceId}&b=${concurrent.traceId}`)).json()) as CompareResponse;
    expect(shown).toEqual(api);
    // The tables: every cell as comparisonTable() writes it from the API's figures.
    const table = comparisonTable(api);
    expect(await tableCells(page, '.compare-figures')).toEqual(table.runRows);
    expect(await tableCells(page, '.compare-tools')).toEqual(table.toolRows);
    expect((await tableCells(page, '.compare-figures'))[0]).toEqual(['wall time', '900 ms', '700 ms', '-200 ms (-22.2%)']);
    expect(await page.locator('.compare-figures thead').textContent()).toBe('ABB − A');

    // The waterfalls: a row per call, its partner beside it; the search only B made is marked.
    const rows = await page.locator('.compare-row-call').evaluateAll((items) =>
      items.map((item) => [item.getAttribute('data-tool'), item.getAttribute('data-occurrence'), item.getAttribute('data-side'), item.querySelector('[data-run="a"]')?.textContent ?? '']),
    );
    expect(rows).toEqual([
      ['search_kb', '1', 'both', ''],
      ['get_user_status', '1', 'both', ''],
      // At its own start in B (310 ms), before the model call (500 ms into A).
      ['search_kb', '2', 'b', 'not in A: only in B'],
      ['call_llm', '1', 'both', ''],
    ]);
    // One time scale: both tracks' bars are placed on the longer run's 900 ms.
    const bar = (run: 'a' | 'b', tool: string) =>
      page.locator(`.compare-row-call[data-tool="${tool}"][data-occurrence="1"] [data-run="${run}"] .compare-bar`).evaluate((el) => {
        const { style } = el as unknown as { style: { left: string; width: string } };
        return { left: Number.parseFloat(style.left), width: Number.parseFloat(style.width) };
      });
    const expectBar = async (run: 'a' | 'b', tool: string, startMs: number, durationMs: number): Promise<void> => {
      const placed = await bar(run, tool);
      expect(placed.left).toBeCloseTo((startMs / 900) * 100, 3);
      expect(placed.width).toBeCloseTo((durationMs / 900) * 100, 3);
    };
    expect(api.scaleMs).toBe(900);
    await expectBar('a', 'call_llm', 500, 390);
    await expectBar('b', 'call_llm', 300, 390);
    await expectBar('b', 'get_user_status', 0, 200);

    // Swap, back, close.
    await page.getByRole('button', { name: 'Swap A and B' }).click();
    await waitForComparison(page, concurrent.traceId, sequential.traceId);
    expect(pathOf(page)).toBe(`/compare/${concurrent.traceId}/${sequential.traceId}`);
    await page.goBack();
    await waitForComparison(page, sequential.traceId, concurrent.traceId);
    await page.getByRole('button', { name: 'Close' }).click();
    await expect.poll(() => pathOf(page), POLL).toBe(`/traces/${sequential.traceId}`);
    expect(await page.locator('#compare-view').isHidden()).toBe(true);
    await page.goBack();
    await waitForComparison(page, sequential.traceId, concurrent.traceId);
    expect(await page.locator('#trace-view').isHidden()).toBe(true);
  });

  it('/compare/<a>/<b> - a link opens the comparison; an unknown trace is not found (evicted or never received)', async () => {
    const a = kbRun({ agent: 'kb_sequential', sequential: true });
    const b = kbRun({ agent: 'kb_concurrent', sequential: false });
    await postSpans(dashboard.url, [...a.spans, ...b.spans]);
    const page = await openPage(`compare/${a.traceId}/${b.traceId}`);
    await waitForComparison(page, a.traceId, b.traceId);
    expect(await page.locator('.compare-run-a .compare-trace-link').textContent()).toBe('kb_sequential');
    // The run's name links to its own trace.
    await page.locator('.compare-run-b .compare-trace-link').click();
    await expect.poll(() => pathOf(page), POLL).toBe(`/traces/${b.traceId}`);

    const unknown = newTraceId();
    const missing = await openPage(`compare/${a.traceId}/${unknown}`);
    await expect.poll(() => missing.locator('.compare-error').textContent(), POLL).toBe(`Cannot compare: trace ${unknown} not found (evicted or never received).`);
  });

  it('Run again and compare - runs the agent with the new parameters and opens it beside the last run when it ends', async () => {
    const BURST: AgentDescriptor = { name: 'burst', parameters: [{ name: 'limit', description: 'permits', default: 3, min: 1, max: 30 }] };
    const runnerRuns: Array<{ request: RunRequest; traceId: string }> = [];
    const runner = await connectFakeRunner(dashboard.url, { runnerId: 'runner-again', serviceName: 'fake', agents: [BURST] }, (request) => {
      const run = kbRun({ agent: 'burst_agent', sequential: request.params.limit! < 4, attributes: { [OverlapAttributes.REQUEST_ID]: request.requestId! } });
      runnerRuns.push({ request, traceId: run.traceId });
      void postSpans(dashboard.url, run.spans);
      return { accepted: true };
    });
    runners.push(runner);
    const page = await openPage();
    const panel = page.locator('.run-panel');
    await expect.poll(() => page.getByLabel('Agent', { exact: true }).locator('option').allTextContents(), POLL).toEqual(['burst']);
    expect(await page.getByRole('button', { name: 'Run again and compare' }).isHidden()).toBe(true);
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await expect.poll(() => runnerRuns.length, POLL).toBe(1);
    await expect.poll(() => pathOf(page), POLL).toBe(`/traces/${runnerRuns[0]!.traceId}`);

    await page.getByLabel('limit', { exact: true }).fill('6');
    await page.getByRole('button', { name: 'Run again and compare' }).click();
    await expect.poll(() => panel.locator('.run-message').textContent(), POLL).toBe('Started burst (limit 6): it opens beside the last run when it ends.');
    await expect.poll(() => runnerRuns.length, POLL).toBe(2);
    expect(runnerRuns[1]!.request.params).toEqual({ limit: 6 });
    const shown = await waitForComparison(page, runnerRuns[0]!.traceId, runnerRuns[1]!.traceId);
    expect(pathOf(page)).toBe(`/compare/${runnerRuns[0]!.traceId}/${runnerRuns[1]!.traceId}`);
    expect(shown.figures.wallMs.diff).toBe(-200);
  });

  it('an agent\'s comparisons - one click runs both sides (once when only the agent differs) and opens them side by side', async () => {
    const KB: AgentDescriptor = {
      name: 'knowledge-base',
      parameters: [{ name: 'timeoutMs', description: 'timeout', default: 2000, min: 50, max: 10_000 }],
      comparisons: [{ title: 'sequential vs concurrent', a: { label: 'sequential', agentName: 'kb_sequential' }, b: { label: 'concurrent', agentName: 'kb_concurrent' } }],
    };
    const BURST: AgentDescriptor = {
      name: 'burst',
      parameters: [{ name: 'limit', description: 'permits', default: 2, min: 1, max: 30 }],
      comparisons: [{ title: 'limit 3 vs 6', a: { label: 'limit 3', params: { limit: 3 } }, b: { label: 'limit 6', params: { limit: 6 } } }],
    };
    const runs: Array<{ request: RunRequest; traceIds: string[] }> = [];
    const runner = await connectFakeRunner(dashboard.url, { runnerId: 'runner-presets', serviceName: 'fake', agents: [KB, BURST] }, (request) => {
      const tag = { [OverlapAttributes.REQUEST_ID]: request.requestId! };
      // knowledge-base runs both agents in one run, as the example does; burst runs one.
      const traces =
        request.agent === 'knowledge-base'
          ? [kbRun({ agent: 'kb_concurrent', sequential: false, attributes: tag }), kbRun({ agent: 'kb_sequential', sequential: true, attributes: tag })]
          : [kbRun({ agent: 'burst_agent', sequential: request.params.limit === 3, attributes: tag })];
      runs.push({ request, traceIds: traces.map((t) => t.traceId) });
      void postSpans(dashboard.url, traces.flatMap((t) => t.spans));
      return { accepted: true };
    });
    runners.push(runner);
    const page = await openPage();
    const presets = page.locator('.run-compare-preset');
    await expect.poll(() => presets.allTextContents(), POLL).toEqual(['knowledge-base: sequential vs concurrent', 'burst: limit 3 vs 6']);

    await presets.filter({ hasText: 'knowledge-base' }).click();
    await expect.poll(() => runs.length, POLL).toBe(1);
    expect(runs[0]!.request).toMatchObject({ agent: 'knowledge-base', params: {} });
    const [concurrentId, sequentialId] = runs[0]!.traceIds as [string, string];
    await waitForComparison(page, sequentialId, concurrentId);
    expect(await page.locator('.run-compare-message').textContent()).toBe('Started knowledge-base: sequential (A) and concurrent (B); the comparison opens when both end.');

    await presets.filter({ hasText: 'burst' }).click();
    await expect.poll(() => runs.length, POLL).toBe(3);
    expect(runs.slice(1).map((run) => run.request.params)).toEqual([{ limit: 3 }, { limit: 6 }]);
    await waitForComparison(page, runs[1]!.traceIds[0]!, runs[2]!.traceIds[0]!);
    expect(pathOf(page)).toBe(`/compare/${runs[1]!.traceIds[0]}/${runs[2]!.traceIds[0]}`);
  });
});
