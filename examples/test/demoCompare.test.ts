// The seed's exercises as one-click comparisons in the one-command demo, as a user meets them: the built
// CLI started with `overlap demo`, its page in headless Chromium (Debian's /usr/bin/chromium through
// playwright-core, never a downloaded browser), each comparison clicked in the run panel and opened side
// by side; the page, `GET /api/compare` and `overlap compare` agree on the figures; and the README's
// first picture, a comparison (refreshed with OVERLAP_UPDATE_SCREENSHOT=1).
import type { ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { comparisonTable } from '@overlap/shared';
import type { CompareResponse } from '@overlap/shared';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { exited, runCli, startCli } from './cli/cliProcess.js';

const CHROMIUM_PATH = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];
/** A comparison waits for both its runs, behind the demo's start-up runs: generous, for a busy machine. */
const RUNS = { timeout: 90_000, interval: 250 };
const POLL = { timeout: 10_000, interval: 50 };

const EXAMPLES_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
const SCREENSHOT = join(EXAMPLES_DIR, 'test-results', 'compare.png');
/** The picture on the root README's first screen. */
const README_PICTURE = join(EXAMPLES_DIR, '..', 'docs', 'compare.png');

let child: ChildProcess | undefined;
let browser: Browser | undefined;

afterAll(async () => {
  await browser?.close();
  if (child !== undefined && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

function shownComparison(page: Page): Promise<CompareResponse | undefined> {
  return page.evaluate(() => (globalThis as unknown as { __overlapCompare?: () => CompareResponse | undefined }).__overlapCompare?.());
}

function tableCells(page: Page, selector: string): Promise<string[][]> {
  return page.locator(`${selector} tbody tr`).evaluateAll((rows) => rows.map((row) => [...row.children].map((cell) => cell.textContent ?? '')));
}

/** Clicks a comparison the demo offers and waits until both runs ended and the page shows them side by side. */
async function runComparison(page: Page, label: string, previous: CompareResponse | undefined): Promise<CompareResponse> {
  await page.locator('.run-compare-preset', { hasText: label }).click();
  let shown: CompareResponse | undefined;
  await expect
    .poll(async () => {
      shown = await shownComparison(page);
      return shown !== undefined && shown.a.traceId !== previous?.a.traceId && shown.a.inFlightCount === 0 && shown.b.inFlightCount === 0;
    }, RUNS)
    .toBe(true);
  return shown!;
}

describe('overlap demo: the exercises as one-click comparisons', () => {
  it('overlap demo - compares knowledge-base sequential vs concurrent, burst limit 3 vs 6, flaky-retrieval without and with its timeout; page, API and CLI agree', async () => {
    const started = await startCli(['demo', '--port', '0', '--interval', '0'], /open (http:\/\/127\.0\.0\.1:\d+\/)/);
    child = started.child;
    const url = started.match[1]!;
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const pageErrors: Error[] = [];
    page.on('pageerror', (error) => pageErrors.push(error));
    await page.goto(url);
    await expect
      .poll(() => page.locator('.run-compare-preset').allTextContents(), POLL)
      .toEqual(['knowledge-base: sequential vs concurrent', 'flaky-retrieval: without and with its timeout', 'burst: limit 3 vs 6']);

    // knowledge-base: one run of the example, its sequential agent (A) beside its concurrent one (B).
    const kb = await runComparison(page, 'knowledge-base', undefined);
    expect([kb.a.agentName, kb.b.agentName]).toEqual(['knowledge_base_agent_sequential', 'knowledge_base_agent']);
    expect(kb.a.requestId).toBe(kb.b.requestId);
    expect(kb.figures.wallMs.diff).toBeLessThan(0);
    expect(kb.figures.concurrencySavedMs.b).toBeGreaterThan(kb.figures.concurrencySavedMs.a);
    expect(kb.rows.map((row) => [row.tool, row.a !== null, row.b !== null])).toEqual([
      ['search_kb', true, true],
      ['get_user_status', true, true],
      ['upstream-general', true, true],
    ]);
    expect(new URL(page.url()).pathname).toBe(`/compare/${kb.a.traceId}/${kb.b.traceId}`);

    // Page, API and CLI: the same figures for the same two traces, cell for cell.
    const api = (await (await fetch(`${url}api/compare?a=${kb.a.traceId}&b=${kb.b.traceId}`)).json()) as CompareResponse;
    expect(await shownComparison(page)).toEqual(api);
    const table = comparisonTable(api);
    expect(await tableCells(page, '.compare-figures')).toEqual(table.runRows);
    expect(await tableCells(page, '.compare-tools')).toEqual(table.toolRows);
    const cli = await runCli(['compare', kb.a.traceId, kb.b.traceId, '--dashboard', url]);
    expect(cli.code).toBe(0);
    const printed = cli.stdout.split('\n').map((line) => line.trim().split(/\s{2,}/));
    for (const row of [...table.runRows, ...table.toolRows]) expect(printed, row[0]).toContainEqual(row);

    // The README's first picture: this comparison.
    await page.mouse.move(0, 0);
    mkdirSync(dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT });
    if (process.env.OVERLAP_UPDATE_SCREENSHOT === '1') copyFileSync(SCREENSHOT, README_PICTURE);

    // burst: limit 3 (A) queues more than limit 6 (B), which meets the API's rate limit instead.
    const burst = await runComparison(page, 'burst', kb);
    expect([burst.a.agentName, burst.b.agentName]).toEqual(['burst_agent', 'burst_agent']);
    expect(burst.a.requestId).not.toBe(burst.b.requestId);
    expect(burst.tools.find((tool) => tool.tool === 'get_order')?.count).toMatchObject({ a: 30, b: 30 });
    expect(burst.figures.queueMs.a).toBeGreaterThan(burst.figures.queueMs.b);
    expect(burst.rows.every((row) => row.a !== null && row.b !== null)).toBe(true);

    // flaky-retrieval: without a timeout (A) the hung database holds the run to its 5 s deadline; with it (B) the agent answers.
    const flaky = await runComparison(page, 'flaky-retrieval', burst);
    expect([flaky.a.outcome, flaky.b.outcome]).toEqual(['timeout', 'ok']);
    expect(flaky.a.wallMs).toBeGreaterThanOrEqual(4_900);
    expect(flaky.figures.wallMs.diff).toBeLessThan(-3_000);
    expect(flaky.figures.timeouts.b).toBeGreaterThanOrEqual(1);
    // Only B got its answer from the model: past its deadline, A's call (if it got to make one) did not succeed.
    const model = flaky.rows.find((row) => row.tool === 'upstream-general' && row.occurrence === 1)!;
    expect(model.b?.outcome).toBe('ok');
    expect(model.a === null || model.a.outcome !== 'ok').toBe(true);

    expect(pageErrors).toEqual([]);
    await page.close();
    child.kill('SIGINT');
    expect(await exited(child)).toEqual({ code: 0, signal: null });
  }, 240_000);
});
