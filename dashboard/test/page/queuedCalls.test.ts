// Issue 10 §4: queued calls visible live. A real runner (`startTelemetry` with its shipped defaults,
// in this process) sends a burst of 30 calls through a semaphore of 2 to the real dashboard server; the
// page in headless Chromium must show every call while 28 of them wait (as growing queued bars, counted
// in the queue depth), replace each by its real spans when it leaves the queue, and drop the record of
// a queued call that is aborted.
import { context, diag, metrics, propagation, trace } from '@opentelemetry/api';
import { GenAiAttributes, OverlapAttributes } from '@overlap/shared';
import type { SpanRecord } from '@overlap/shared';
import { Runner, defineAgent, defineTool } from '@overlap/runner';
import { startTelemetry, type TelemetryHandle } from '@overlap/runner/telemetry';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { WaterfallSnapshot } from '../../src/page/testing/hookTypes.js';
import { launchChromium, startDashboard } from './pageHarness.js';
import type { StartedServer } from './pageHarness.js';

const CALLS = 30;
const PERMITS = 2;
const POLL = { timeout: 15_000, interval: 50 };

let browser: Browser;
let dashboard: StartedServer;
let telemetry: TelemetryHandle;
let page: Page;
const pageErrors: Error[] = [];

beforeAll(async () => {
  dashboard = await startDashboard();
  // The shipped defaults: only the destination is given.
  telemetry = await startTelemetry({ serviceName: 'queued-calls-test', dashboard: dashboard.url, useEnvironment: false, flushOnExit: false }, {});
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 1400 } });
  page.on('pageerror', (error) => pageErrors.push(error));
  await page.goto(dashboard.url);
  // Every row of the burst in view, so the snapshot holds them all.
  await page.addStyleTag({ content: '.wf-scroll { max-height: 1000px; }' });
  const socket = telemetry.dashboard!.socket;
  if (!socket.connected) await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await telemetry?.shutdown();
  await dashboard?.server.close();
  trace.disable();
  context.disable();
  propagation.disable();
  metrics.disable();
  diag.disable();
});

function snapshot(): Promise<WaterfallSnapshot | undefined> {
  return page.evaluate(() => (globalThis as unknown as { __overlapWaterfall?: () => WaterfallSnapshot }).__overlapWaterfall?.());
}

function callRows(snap: WaterfallSnapshot | undefined): WaterfallSnapshot['rows'] {
  return (snap?.rows ?? []).filter((row) => row.name === 'execute_tool burst_probe');
}

function concurrencyText(): Promise<string> {
  return page.locator('#concurrency .concurrency-summary').innerText();
}

function storedCall(traceId: string, callId: string): SpanRecord | undefined {
  return dashboard.server.store.getSpans(traceId)?.find((span) => span.attributes[GenAiAttributes.TOOL_CALL_ID] === callId && span.endTimeUnixNano !== undefined);
}

describe('queued calls on the page', () => {
  it('a burst of 30 calls through a semaphore of 2 - shows all 30 while 28 wait, drops an aborted one, then shows the real spans', async () => {
    const releases = Array.from({ length: CALLS }, () => {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => (resolve = r));
      return { promise, resolve };
    });
    const aborts = Array.from({ length: CALLS }, () => new AbortController());
    const probe = defineTool({
      name: 'burst_probe',
      concurrency: PERMITS,
      input: z.object({ n: z.number() }),
      run: async ({ n }) => {
        await releases[n]!.promise;
        return n;
      },
    });
    const burst = defineAgent({
      name: 'queued_burst',
      run: (ctx) => Promise.allSettled(Array.from({ length: CALLS }, (_, n) => ctx.call(probe, { n }, { signal: aborts[n]!.signal, callId: `burst-${n}` }))),
    });
    const run = new Runner().run(burst, undefined);

    // Mid-run: "follow latest" opens the run; every call has a row, 28 of them queued bars.
    let snap: WaterfallSnapshot | undefined;
    await expect
      .poll(async () => {
        snap = await snapshot();
        return callRows(snap).length;
      }, POLL)
      .toBe(CALLS);
    const traceId = snap!.traceId!;
    expect(dashboard.server.queuedCalls.forTrace(traceId)).toHaveLength(CALLS - PERMITS);
    const waiting = callRows(snap).filter((row) => row.spanId.startsWith('queued:'));
    expect(waiting).toHaveLength(CALLS - PERMITS);
    for (const row of waiting) {
      expect(row.inFlight).toBe(true);
      // From the call's issue to its wait (input checked in between), then the growing wait.
      expect(row.segments.at(-1)?.kind).toBe('queue');
    }
    expect(callRows(snap).filter((row) => !row.spanId.startsWith('queued:')).map((row) => row.segments.map((segment) => segment.kind).at(-1))).toEqual(['runInFlight', 'runInFlight']);
    await expect.poll(() => page.locator('.wf-label .wf-flag-live', { hasText: 'queued' }).count(), POLL).toBe(CALLS - PERMITS);
    // The queue depth counts every waiting call.
    await expect.poll(concurrencyText, POLL).toContain(`now ${PERMITS} holding it, ${CALLS - PERMITS} waiting`);

    // A queued call aborted: its record goes, and its row is its real (cancelled) span, not a queued bar.
    const abortedId = 'burst-10';
    const record = dashboard.server.queuedCalls.forTrace(traceId).find((call) => call.attributes[GenAiAttributes.TOOL_CALL_ID] === abortedId)!;
    expect(record).toBeDefined();
    aborts[10]!.abort(new Error('not needed any more'));
    await expect.poll(() => dashboard.server.queuedCalls.forTrace(traceId).some((call) => call.queueId === record.queueId), POLL).toBe(false);
    expect(dashboard.server.queuedCalls.forTrace(traceId)).toHaveLength(CALLS - PERMITS - 1);
    await expect.poll(() => storedCall(traceId, abortedId), POLL).toBeDefined();
    const cancelled = storedCall(traceId, abortedId)!;
    expect(cancelled.attributes[OverlapAttributes.OUTCOME]).toBe('cancelled');
    await expect
      .poll(async () => {
        const rows = callRows(await snapshot());
        return {
          calls: rows.length,
          placeholder: rows.some((row) => row.spanId === `queued:${record.queueId}`),
          cancelled: rows.find((row) => row.spanId === cancelled.spanId)?.outcome,
          waiting: rows.filter((row) => row.spanId.startsWith('queued:')).length,
        };
      }, POLL)
      .toEqual({ calls: CALLS, placeholder: false, cancelled: 'cancelled', waiting: CALLS - PERMITS - 1 });
    await expect.poll(concurrencyText, POLL).toContain(`now ${PERMITS} holding it, ${CALLS - PERMITS - 1} waiting`);

    // Released one by one: each leaves its queue for its real spans, until none waits.
    for (const release of releases) release.resolve();
    await run;
    await telemetry.forceFlush();
    await expect
      .poll(async () => {
        const rows = callRows(await snapshot());
        return { calls: rows.length, placeholders: rows.filter((row) => row.spanId.startsWith('queued:')).length, inFlight: rows.filter((row) => row.inFlight).length };
      }, POLL)
      .toEqual({ calls: CALLS, placeholders: 0, inFlight: 0 });
    expect(dashboard.server.queuedCalls.size).toBe(0);
    // The queued calls' waits are now real queue spans, folded into their rows.
    const done = callRows(await snapshot());
    expect(done.filter((row) => row.segments.some((segment) => segment.kind === 'queue'))).toHaveLength(CALLS - PERMITS);
    expect(pageErrors).toEqual([]);
  }, 60_000);
});
