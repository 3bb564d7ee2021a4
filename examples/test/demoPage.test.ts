// The one-command demo end to end, as a user meets it: the built CLI started with `overlap demo`, the
// printed URL opened in headless Chromium (Debian's /usr/bin/chromium through playwright-core, never a
// downloaded browser), an example's waterfall on the page, an agent run from the page's form, a
// screenshot for the README, and Ctrl+C (SIGINT) stopping everything cleanly.
import type { ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { exited, startCli } from './cli/cliProcess.js';

/** Where Debian installs Chromium; the test never downloads a browser. */
const CHROMIUM_PATH = '/usr/bin/chromium';
/** The dashboard page tests' flags: a quiet, offline headless Chromium in a container. */
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

/** Waits on the page and the demo: generous, for a busy machine; done as soon as it holds. */
const POLL = { timeout: 10_000, interval: 50 };

const EXAMPLES_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
const SCREENSHOT = join(EXAMPLES_DIR, 'test-results', 'demo.png');
/** The picture the root README shows. */
const README_PICTURE = join(EXAMPLES_DIR, '..', 'docs', 'dashboard.png');

/** What the page's `window.__overlapWaterfall()` hook returns, as far as this test reads it. */
interface WaterfallSnapshot {
  readonly traceId: string | undefined;
  readonly rowCount: number;
  readonly rows: ReadonlyArray<{
    readonly name: string;
    readonly inFlight: boolean;
    readonly onCriticalPath: boolean;
  }>;
}

/** A trace summary of `GET /api/traces`, as far as this test reads it. */
interface TraceSummary {
  traceId: string;
  agentName?: string;
  callCount: number;
  inFlightCount: number;
}

let child: ChildProcess | undefined;
let browser: Browser | undefined;

afterAll(async () => {
  await browser?.close();
  // Only when the test failed before its own SIGINT.
  if (child !== undefined && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

function waterfall(page: Page): Promise<WaterfallSnapshot | undefined> {
  return page.evaluate(() => (globalThis as unknown as { __overlapWaterfall?: () => WaterfallSnapshot }).__overlapWaterfall?.());
}

async function traces(url: string, query: string): Promise<TraceSummary[]> {
  const response = await fetch(`${url}api/traces?limit=200&${query}`);
  return ((await response.json()) as { traces: TraceSummary[] }).traces;
}

describe('overlap demo in the browser', () => {
  it('overlap demo - shows an agent\'s waterfall, runs an agent from the page and selects its trace, and stops on SIGINT', async () => {
    const started = await startCli(['demo', '--port', '0', '--interval', '0'], /open (http:\/\/127\.0\.0\.1:\d+\/)/);
    child = started.child;
    const url = started.match[1]!;
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
    // Tall enough for the whole trace list beside the run form in the screenshot.
    const page = await browser.newPage({ viewport: { width: 1400, height: 1060 } });
    const pageErrors: Error[] = [];
    page.on('pageerror', (error) => pageErrors.push(error));
    await page.goto(url);

    // Within seconds, "follow latest" shows an example agent's run: its tool calls as waterfall rows.
    await expect
      .poll(async () => (await waterfall(page))?.rows.some((row) => row.name.startsWith('execute_tool ')) ?? false, { timeout: 15_000, interval: 100 })
      .toBe(true);
    await expect.poll(() => page.locator('#trace-headline .figure-saved .figure-label').textContent(), POLL).toBe('concurrency saved');
    expect(await page.locator('#connection-status').textContent()).toBe('live');

    // The demo offers its examples on the page; run burst with other parameters.
    const agent = page.getByLabel('Agent', { exact: true });
    await expect.poll(() => agent.locator('option').allTextContents(), POLL).toEqual(['support', 'knowledge-base', 'courseware', 'model-fallback', 'flaky-retrieval', 'burst', 'agent-loop']);
    await agent.selectOption({ label: 'burst' });
    await page.getByLabel('limit', { exact: true }).fill('4');
    await page.getByLabel('count', { exact: true }).fill('8');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await expect.poll(() => page.locator('.run-message').textContent(), POLL).toBe('Started burst (limit 4, count 8): its trace opens when it arrives.');

    // The run waits for the start-up runs before it (the demo runs one example at a time), then its
    // trace, 8 calls, arrives and is selected.
    let run: TraceSummary | undefined;
    await expect
      .poll(
        async () => {
          run = (await traces(url, 'agent=burst_agent')).find((trace) => trace.callCount === 8 && trace.inFlightCount === 0);
          return run !== undefined;
        },
        { timeout: 45_000, interval: 250 },
      )
      .toBe(true);
    await expect.poll(async () => (await waterfall(page))?.traceId, POLL).toBe(run!.traceId);
    await expect.poll(async () => (await waterfall(page))?.rows.filter((row) => row.name === 'execute_tool get_order').length ?? 0, POLL).toBe(8);
    expect(await page.locator(`li[data-trace-id="${run!.traceId}"]`).getAttribute('aria-selected')).toBe('true');

    // The README's picture: the support agent's run, selected by hand, drawn with its critical path, the
    // concurrency timeline and the per-tool latency, beside the run form.
    const [support] = await traces(url, 'agent=support_agent');
    expect(support).toBeDefined();
    await page.locator(`li[data-trace-id="${support!.traceId}"]`).click();
    let drawn: WaterfallSnapshot | undefined;
    await expect
      .poll(async () => {
        drawn = await waterfall(page);
        return drawn?.traceId === support!.traceId && drawn.rows.some((row) => row.onCriticalPath) && !drawn.rows.some((row) => row.inFlight);
      }, POLL)
      .toBe(true);
    expect(await page.getByLabel('Follow latest').isChecked()).toBe(false);
    expect(drawn!.rows.filter((row) => row.name.startsWith('execute_tool ')).length).toBeGreaterThanOrEqual(3);
    await expect.poll(() => page.locator('#concurrency canvas').count(), POLL).toBeGreaterThan(0);
    await page.mouse.move(0, 0);
    mkdirSync(dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT });
    mkdirSync(dirname(README_PICTURE), { recursive: true });
    // The README's picture is refreshed on request only, so a test run leaves the repository as it was.
    if (process.env.OVERLAP_UPDATE_SCREENSHOT === '1') copyFileSync(SCREENSHOT, README_PICTURE);
    expect(pageErrors).toEqual([]);

    // Ctrl+C stops the demo cleanly.
    await page.close();
    child.kill('SIGINT');
    expect(await exited(child)).toEqual({ code: 0, signal: null });
  }, 90_000);
});
