// The dashboard page's figures, measured on the paths users take: headless Chromium against the real
// server in its own process (default options), spans from a real runner process. Writes
// bench/results/page.json.
//
//   node --expose-gc --import tsx bench/page.bench.ts
//
// - live_latency_p50_ms / p95: a runner process using `startTelemetry({ dashboard })` with its shipped
//   defaults (nothing tuned: its live channel and its OTLP batch delay as they ship) runs an agent whose
//   ~100 tool calls each take 5-15 ms, 30 ms apart, in the trace open on the page ("follow latest"). From
//   a call's end (Date.now() in the runner when the SDK ends its span) to the moment the first frame
//   that drew its ended bar had been painted (Date.now() in a message posted from that frame's
//   requestAnimationFrame callback, which runs after the frame's paint).
// - live_latency_p50_50000_spans_ms / p95: the same, with the runner's run inside a 50,000-span trace
//   open on the page (its root's child; the other spans are dated after the run, so the run's rows are at
//   the top of the waterfall, in view).
// - open_*_spans_ms: from selecting the trace (as a click does) to the first painted frame of its
//   waterfall, the transfer included. first_screen_*_spans_ms: from the trace's data arriving in the page
//   (the watch acknowledgement) to that painted frame. Medians of OPEN_RUNS openings, each after
//   opening a small trace, with the analysis worker and any layout left from the previous opening done.
//   full_layout_*_spans_ms: from the selection to every row laid out (scrolling anywhere draws at once).
// - live_update_50000_spans_ms: one span added, or an in-flight span grown and ended, on the open
//   50,000-span trace: from the `spans` event arriving in the page to the painted frame that shows it
//   (the page's whole share of the path: merge, patch, draw, and the wait for the frame). Median of
//   UPDATE_RUNS events.
// - rss_mb_full_store...: the server's RSS (after gc) once its store is full (200,000 spans or 2,000
//   traces), and after as many spans again have arrived (evicting).
//
// The same file is also the helper processes, chosen by its first argument: `--serve` (the server) and
// `--runner <url> <count> [<traceId> <parentSpanId>]` (the runner process).
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { SpanRecord } from '@overlap/shared';
import type { Page } from 'playwright-core';
import type { PageHooks, RenderRecord } from '../src/page/testing/hookTypes.js';
import { agentRoot, announceSpanStarts, ensurePageBuilt, launchChromium, nanos, postSpans, span, toolCall } from '../test/page/pageHarness.js';
import { GenAiAttributes, OverlapAttributes, OverlapEvents } from '@overlap/shared';

const THIS_FILE = fileURLToPath(import.meta.url);
const LATENCY_CALLS = 100;
const OPEN_RUNS = 11;
const UPDATE_RUNS = 16;
const POST_BATCH = 2000;

const role = process.argv[2];
if (role === '--serve') await serve();
else if (role === '--runner') await runnerProcess(process.argv[3]!, Number(process.argv[4]), process.argv[5], process.argv[6]);
else await main();

// ---------------------------------------------------------------------------------------------- roles

/** The server process: the real dashboard server with its default options; answers `rss` over IPC. */
async function serve(): Promise<void> {
  const { createDashboardServer } = await import('../src/server/index.js');
  const server = createDashboardServer({ port: 0 });
  const { url } = await server.listen();
  process.on('message', (message: { type: string }) => {
    if (message.type !== 'rss') return;
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    gc?.();
    const memory = process.memoryUsage();
    process.send!({ type: 'rss', rss: memory.rss, heapUsed: memory.heapUsed, store: server.store.stats() });
  });
  process.on('disconnect', () => void server.close().then(() => process.exit(0)));
  console.log(JSON.stringify({ url }));
}

/**
 * The runner process: `startTelemetry({ dashboard: url })` with its shipped defaults, and an agent whose
 * `count` tool calls run one after another once "go" arrives on stdin. Prints the run's root
 * (`{ root: { traceId, spanId } }`) when it starts, and every call's end (`{ ended: [...] }`) at the end.
 * With a trace and span id, the run is a child of that span (a remote parent), so it joins that trace.
 */
async function runnerProcess(url: string, count: number, traceId: string | undefined, parentSpanId: string | undefined): Promise<void> {
  const { TraceFlags, context, trace } = await import('@opentelemetry/api');
  const { Runner, defineAgent, defineTool } = await import('@overlap/runner');
  const { startTelemetry } = await import('@overlap/runner/telemetry');
  const { z } = await import('zod');
  type Readable = import('@opentelemetry/sdk-trace').ReadableSpan;
  const ended: Array<{ spanId: string; endMs: number; endDateMs: number }> = [];
  const recorder = {
    onStart(started: Readable): void {
      if (started.name.startsWith('invoke_agent ')) {
        const ids = started.spanContext();
        console.log(JSON.stringify({ root: { traceId: ids.traceId, spanId: ids.spanId } }));
      }
    },
    onEnd(done: Readable): void {
      if (!done.name.startsWith('execute_tool ')) return;
      ended.push({ spanId: done.spanContext().spanId, endMs: done.endTime[0] * 1000 + done.endTime[1] / 1e6, endDateMs: Date.now() });
    },
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
  // The shipped defaults: a destination and a name, nothing tuned. The recorder only notes end times.
  const telemetry = await startTelemetry(
    { serviceName: 'latency-bench-runner', dashboard: url, useEnvironment: false, flushOnExit: false, spanProcessors: [recorder as never] },
    {},
  );
  const socket = telemetry.dashboard!.socket;
  if (!socket.connected) await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  const go = new Promise<void>((resolve) => createInterface({ input: process.stdin }).once('line', () => resolve()));
  const probe = defineTool({
    name: 'latency_probe',
    input: z.object({ i: z.number() }),
    run: async ({ i }) => {
      await sleep(5 + (i % 3) * 5);
      return i;
    },
  });
  const agent = defineAgent({
    name: 'latency_bench',
    run: async (ctx) => {
      await go;
      for (let i = 0; i < count; i += 1) {
        await ctx.call(probe, { i });
        await sleep(30);
      }
    },
  });
  const parent = traceId === undefined ? context.active() : trace.setSpanContext(context.active(), { traceId, spanId: parentSpanId!, traceFlags: TraceFlags.SAMPLED, isRemote: true });
  await context.with(parent, () => new Runner().run(agent, undefined));
  await telemetry.shutdown();
  console.log(JSON.stringify({ ended }));
  process.exit(0);
}

// ---------------------------------------------------------------------------------------------- main

interface ServerProcess {
  child: ChildProcess;
  url: string;
  rss(): Promise<{ rss: number; heapUsed: number; store: { traces: number; spans: number } }>;
}

async function main(): Promise<void> {
  ensurePageBuilt();
  const server = await startServerProcess();
  const results: Record<string, unknown> = {};
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 2600 } });
    page.on('pageerror', (error) => console.error('page error:', error));
    await page.goto(server.url);
    // A waterfall tall enough (about 100 rows) that every bar of the latency phases is in view when drawn.
    await page.addStyleTag({ content: '.wf-scroll { max-height: 2300px; }' });

    Object.assign(results, await measureLiveLatency(page, server.url, undefined));
    await page.getByLabel('Follow latest').uncheck();
    const small = await postTrace(server.url, 'open-small', 200, 'past');
    Object.assign(results, (await measureOpen(page, server.url, 5_000, small)).figures);
    const big = await measureOpen(page, server.url, 50_000, small);
    Object.assign(results, big.figures);
    Object.assign(results, await measureLiveUpdates(page, server.url, big.trace));
    Object.assign(results, await measureLiveLatency(page, server.url, big.trace));
  } finally {
    await browser.close();
  }
  // OVERLAP_BENCH_PHASES=page skips the store's memory phase (slow), for work on the page's figures.
  if (process.env.OVERLAP_BENCH_PHASES !== 'page') Object.assign(results, await measureMemory(server));
  server.child.disconnect();

  const output = {
    ...results,
    node: process.version,
    chromium: '/usr/bin/chromium (headless)',
    cpus: cpus().length,
    load_average_at_end: (await import('node:os')).loadavg().map((load) => Math.round(load * 100) / 100),
    measured_at: new Date().toISOString(),
  };
  const dir = fileURLToPath(new URL('./results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}page.json`, `${JSON.stringify(output, null, 2)}\n`);
  console.log(`wrote ${dir}page.json`);
}

async function startServerProcess(): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', THIS_FILE, '--serve'], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  const lines = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`server process exited with ${code}`)));
    lines.once('line', (line) => resolve((JSON.parse(line) as { url: string }).url));
  });
  return {
    child,
    url,
    rss: () =>
      new Promise((resolve) => {
        const onMessage = (message: { type: string; rss: number; heapUsed: number; store: { traces: number; spans: number } }): void => {
          if (message.type !== 'rss') return;
          child.off('message', onMessage);
          resolve(message);
        };
        child.on('message', onMessage);
        child.send({ type: 'rss' });
      }),
  };
}

// ---------------------------------------------------------------------------------------------- phases

/**
 * Live latency from a runner process. Without `inTrace`, the run is a trace of its own, opened by "follow
 * latest"; with it, the run joins that (open) trace under its root.
 */
async function measureLiveLatency(page: Page, url: string, inTrace: { traceId: string; rootSpanId: string } | undefined): Promise<Record<string, unknown>> {
  const args = [THIS_FILE, '--runner', url, String(LATENCY_CALLS), ...(inTrace === undefined ? [] : [inTrace.traceId, inTrace.rootSpanId])];
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve, reject) => child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`runner process exited with ${code}`)))));
  const messages = createInterface({ input: child.stdout! });
  const received: Array<Record<string, unknown>> = [];
  let onMessage: (() => void) | undefined;
  messages.on('line', (line) => {
    if (!line.startsWith('{')) return;
    received.push(JSON.parse(line) as Record<string, unknown>);
    onMessage?.();
  });
  const message = async (key: string): Promise<unknown> => {
    for (;;) {
      const found = received.find((entry) => key in entry);
      if (found !== undefined) return found[key];
      await new Promise<void>((resolve) => (onMessage = resolve));
    }
  };

  const root = (await message('root')) as { traceId: string; spanId: string };
  // The run's root is on the page (its own trace selected by "follow latest", or a row of the open trace).
  await waitFor(page, `(() => { const s = globalThis.__overlapWaterfall?.(); return s?.traceId === ${JSON.stringify(root.traceId)} && s.rows.some((row) => row.spanId === ${JSON.stringify(root.spanId)}); })()`, 30_000);
  await page.evaluate(() => {
    (globalThis as unknown as PageHooks).__overlapPerf!.spanDrawnAt = {};
  });
  child.stdin!.write('go\n');
  const ended = (await message('ended')) as Array<{ spanId: string; endMs: number; endDateMs: number }>;
  await exited;
  await waitFor(page, `Object.keys(globalThis.__overlapPerf.spanDrawnAt).length >= ${ended.length}`, 30_000);
  const drawnAt = await page.evaluate(() => (globalThis as unknown as PageHooks).__overlapPerf!.spanDrawnAt!);
  await page.evaluate(() => {
    (globalThis as unknown as PageHooks).__overlapPerf!.spanDrawnAt = null;
  });
  const latencies = ended.map((entry) => drawnAt[entry.spanId]! - entry.endDateMs).sort((a, b) => a - b);
  const fromSpanEnd = ended.map((entry) => drawnAt[entry.spanId]! - entry.endMs).sort((a, b) => a - b);
  const suffix = inTrace === undefined ? '' : '_50000_spans';
  console.log(`live latency${inTrace === undefined ? '' : ' (50,000-span trace open)'} over ${latencies.length} calls: p50 ${quantile(latencies, 0.5).toFixed(1)} ms, p95 ${quantile(latencies, 0.95).toFixed(1)} ms, max ${latencies.at(-1)!.toFixed(1)} ms`);
  return {
    [`live_latency_p50${suffix}_ms`]: round(quantile(latencies, 0.5)),
    [`live_latency_p95${suffix}_ms`]: round(quantile(latencies, 0.95)),
    [`live_latency_max${suffix}_ms`]: round(latencies.at(-1)!),
    [`live_latency_p95${suffix}_from_span_end_time_ms`]: round(quantile(fromSpanEnd, 0.95)),
    [`live_latency${suffix}_calls`]: latencies.length,
    ...(inTrace === undefined
      ? {
          live_latency_method:
            'a runner process with startTelemetry({ dashboard }) as shipped; from Date.now() when the SDK ends a call span to Date.now() in a message posted from the requestAnimationFrame callback of the first frame that drew its ended bar (handled once that frame is painted); every bar in view',
        }
      : {}),
  };
}

async function measureOpen(page: Page, url: string, spanCount: number, other: { traceId: string }): Promise<{ figures: Record<string, unknown>; trace: { traceId: string; rootSpanId: string } }> {
  const trace = await postTrace(url, `open-${spanCount}`, spanCount, 'future');
  const opens: Array<RenderRecord & { fullLayoutMs: number | undefined }> = [];
  for (let run = 0; run < OPEN_RUNS; run += 1) {
    await openTrace(page, other.traceId);
    opens.push(await openTrace(page, trace.traceId));
  }
  const firstScreenMs = opens.map((record) => record.renderMs).sort((a, b) => a - b);
  const openMs = opens.map((record) => record.totalMs).sort((a, b) => a - b);
  const fullMs = opens.map((record) => record.fullLayoutMs).filter((ms): ms is number => ms !== undefined).sort((a, b) => a - b);
  const rows = opens[0]!.rowCount;
  console.log(
    `open ${spanCount} spans (${rows} rows), ${OPEN_RUNS} runs: click to painted ${openMs.map((ms) => ms.toFixed(0)).join(', ')} ms; ` +
      `data to painted ${firstScreenMs.map((ms) => ms.toFixed(0)).join(', ')} ms; every row laid out ${fullMs.map((ms) => ms.toFixed(0)).join(', ')} ms`,
  );
  return {
    figures: {
      [`open_${spanCount}_spans_ms`]: round(quantile(openMs, 0.5)),
      [`open_${spanCount}_spans_runs_ms`]: openMs.map(round),
      [`first_screen_${spanCount}_spans_ms`]: round(quantile(firstScreenMs, 0.5)),
      [`first_screen_${spanCount}_spans_runs_ms`]: firstScreenMs.map(round),
      [`full_layout_${spanCount}_spans_ms`]: fullMs.length === 0 ? null : round(quantile(fullMs, 0.5)),
      [`open_${spanCount}_rows`]: rows,
    },
    trace,
  };
}

/** Live updates of the 50,000-span trace, which the open phase left open. */
async function measureLiveUpdates(page: Page, url: string, trace: { traceId: string; rootSpanId: string }): Promise<Record<string, unknown>> {
  const { traceId, rootSpanId } = trace;
  if ((await page.evaluate(() => (globalThis as unknown as PageHooks).__overlapWaterfall!().traceId)) !== traceId) await openTrace(page, traceId);
  const updates: RenderRecord[] = [];
  const layouts: string[] = [];
  for (let run = 0; run < UPDATE_RUNS; run += 1) {
    const before = await recordCount(page);
    const startMs = Date.now() - 50;
    const call = span({ traceId, parentSpanId: rootSpanId, name: `execute_tool live_${run}`, startMs, endMs: startMs + 40, attributes: { [GenAiAttributes.OPERATION_NAME]: 'execute_tool', [GenAiAttributes.TOOL_NAME]: 'live', [OverlapAttributes.OUTCOME]: 'ok' } });
    if (run % 2 === 0) {
      await postSpans(url, [call]);
    } else {
      // Grown: announced in flight, then ended.
      await announceSpanStarts(url, [call]);
      updates.push(await nextRecord(page, before, 'update', traceId));
      layouts.push(updates.at(-1)!.layout);
      const ended = { ...call, endTimeUnixNano: nanos(Date.now()) };
      const beforeEnd = await recordCount(page);
      await postSpans(url, [ended]);
      updates.push(await nextRecord(page, beforeEnd, 'update', traceId));
      layouts.push(updates.at(-1)!.layout);
      continue;
    }
    updates.push(await nextRecord(page, before, 'update', traceId));
    layouts.push(updates.at(-1)!.layout);
  }
  const renderMs = updates.map((record) => record.renderMs).sort((a, b) => a - b);
  const computeMs = updates.map((record) => record.computedAt - record.dataAt).sort((a, b) => a - b);
  const frameMs = await measureScrollSwaps(page);
  console.log(`live update on the 50,000-span trace, ${updates.length} events: median ${quantile(renderMs, 0.5).toFixed(1)} ms to the painted frame (max ${renderMs.at(-1)!.toFixed(1)}), page work ${quantile(computeMs, 0.5).toFixed(1)} ms; layouts: ${[...new Set(layouts)].join(', ')}`);
  return {
    live_update_50000_spans_ms: round(quantile(renderMs, 0.5)),
    live_update_50000_spans_p95_ms: round(quantile(renderMs, 0.95)),
    live_update_50000_spans_work_ms: round(quantile(computeMs, 0.5)),
    live_update_50000_spans_count: updates.length,
    live_update_50000_layouts: [...new Set(layouts)],
    scroll_window_swap_50000_spans_ms: frameMs,
  };
}

/** Scrolls the 50,000-span waterfall through 20 positions and times each window swap, to the next frame. */
async function measureScrollSwaps(page: Page): Promise<number> {
  // A string, so this file needs no DOM types (it is type-checked with Node's).
  const median = await page.evaluate(`(async () => {
    const scroller = document.querySelector('.wf-scroll');
    const times = [];
    for (let i = 1; i <= 20; i += 1) {
      const started = performance.now();
      scroller.scrollTop = (scroller.scrollHeight * i) / 21;
      scroller.dispatchEvent(new Event('scroll'));
      await new Promise((resolve) => requestAnimationFrame(resolve));
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    scroller.scrollTop = 0;
    scroller.dispatchEvent(new Event('scroll'));
    return times[10];
  })()`);
  return round(median as number);
}

async function measureMemory(server: ServerProcess): Promise<Record<string, unknown>> {
  const before = await server.rss();
  // Fill to the limits (200,000 spans or 2,000 traces), then send as much again.
  const spansPerTrace = 100;
  let sent = 0;
  const send = async (traces: number): Promise<void> => {
    for (let t = 0; t < traces; t += POST_BATCH / spansPerTrace) {
      const batch: SpanRecord[] = [];
      for (let k = 0; k < POST_BATCH / spansPerTrace; k += 1) batch.push(...fillerTrace(spansPerTrace));
      await postSpans(server.url, batch);
      sent += batch.length;
    }
  };
  await send(2000);
  const full = await server.rss();
  await send(2000);
  const after = await server.rss();
  await send(2000);
  const afterTwice = await server.rss();
  const mb = (bytes: number): number => round(bytes / 1024 / 1024);
  console.log(
    `server RSS: ${mb(before.rss)} MB before; ${mb(full.rss)} MB with the store full (${full.store.spans} spans, ${full.store.traces} traces); ` +
      `${mb(after.rss)} MB after ${POST_BATCH * 100} more spans; ${mb(afterTwice.rss)} MB after ${POST_BATCH * 200} more`,
  );
  return {
    rss_mb_before_fill: mb(before.rss),
    rss_mb_full_store: mb(full.rss),
    rss_mb_full_store_after_more: mb(after.rss),
    rss_mb_full_store_after_twice_more: mb(afterTwice.rss),
    heap_mb_full_store: mb(full.heapUsed),
    heap_mb_full_store_after_more: mb(after.heapUsed),
    heap_mb_full_store_after_twice_more: mb(afterTwice.heapUsed),
    store_when_full: full.store,
    store_after_more: afterTwice.store,
    memory_spans_sent: sent,
  };
}

// ---------------------------------------------------------------------------------------------- helpers

/**
 * Posts a trace of `spanCount` spans: an agent, sub-agents, tool calls with and without queue spans.
 * `future`: the root starts a second ago and the other spans are dated minutes ahead, so a run joining
 * the trace now is the root's first child, its rows at the top of the waterfall.
 */
async function postTrace(url: string, agent: string, spanCount: number, when: 'past' | 'future'): Promise<{ traceId: string; rootSpanId: string }> {
  const traceId = randomHex(32);
  const now = Date.now();
  const t0 = when === 'past' ? now - 120_000 : now + 300_000;
  const root = agentRoot(traceId, agent, when === 'past' ? t0 : now - 1_000, t0 + 110_000);
  const spans: SpanRecord[] = [root];
  let parent = root.spanId;
  let i = 0;
  while (spans.length < spanCount) {
    if (i % 200 === 0) {
      const sub = span({ traceId, parentSpanId: root.spanId, name: `invoke_agent sub_${i / 200}`, startMs: t0 + i, endMs: t0 + i + 2000, attributes: { [GenAiAttributes.OPERATION_NAME]: 'invoke_agent', [GenAiAttributes.AGENT_NAME]: `sub_${i / 200}` } });
      spans.push(sub);
      parent = sub.spanId;
    }
    const startMs = t0 + i * (100_000 / spanCount) * 1.3;
    const queueMs = i % 3 === 0 ? 5 + (i % 17) : 0;
    const failed = i % 41 === 0;
    spans.push(
      ...toolCall({
        traceId,
        parentSpanId: parent,
        tool: `tool_${i % 7}`,
        gate: i % 2 === 0 ? 'search-api' : 'llm',
        startMs,
        queueMs,
        endMs: startMs + queueMs + 20 + (i % 50),
        outcome: failed ? 'timeout' : 'ok',
        events: failed ? [{ name: OverlapEvents.TIMEOUT, tMs: startMs + queueMs + 20 + (i % 50), attributes: { [OverlapAttributes.TIMEOUT_MS]: 20 } }] : [],
      }),
    );
    i += 1;
  }
  spans.length = spanCount;
  for (let at = 0; at < spans.length; at += POST_BATCH) await postSpans(url, spans.slice(at, at + POST_BATCH));
  // Wait until the server has every span.
  for (;;) {
    const body = (await (await fetch(`${url}api/traces?limit=50`)).json()) as { traces: Array<{ traceId: string; spanCount: number }> };
    if (body.traces.find((listed) => listed.traceId === traceId)?.spanCount === spanCount) break;
    await sleep(50);
  }
  return { traceId, rootSpanId: root.spanId };
}

/** A finished trace of `count` spans, for filling the store. */
function fillerTrace(count: number): SpanRecord[] {
  const traceId = randomHex(32);
  const t0 = Date.now() - 10_000;
  const root = agentRoot(traceId, 'filler', t0, t0 + 5000);
  const spans: SpanRecord[] = [root];
  for (let i = 1; i < count; i += 1) {
    spans.push(
      span({
        traceId,
        parentSpanId: root.spanId,
        name: `execute_tool tool_${i % 7}`,
        startMs: t0 + i * 10,
        endMs: t0 + i * 10 + 40,
        attributes: { [GenAiAttributes.OPERATION_NAME]: 'execute_tool', [GenAiAttributes.TOOL_NAME]: `tool_${i % 7}`, [GenAiAttributes.TOOL_CALL_ID]: `call_${i}`, [OverlapAttributes.OUTCOME]: 'ok', [OverlapAttributes.QUEUE_WAIT_MS]: i % 5, [OverlapAttributes.GATE]: ['search-api'] },
      }),
    );
  }
  return spans;
}

/**
 * Selects a trace in the page and resolves with its `open` render record, and when every row was laid
 * out (`fullLayoutMs`, from the selection), once the page has settled: its analysis shown and no layout
 * left to do, so the next measurement does not compete with this one's leftovers.
 */
async function openTrace(page: Page, traceId: string): Promise<RenderRecord & { fullLayoutMs: number | undefined }> {
  const before = await recordCount(page);
  const analysesBefore = await page.evaluate(() => (globalThis as unknown as PageHooks).__overlapPerf!.analyses.length);
  await page.evaluate((id) => (globalThis as unknown as PageHooks).__overlapSelect!(id), traceId);
  const record = await nextRecord(page, before, 'open', traceId);
  await page.waitForFunction(
    ([from, id]) => (globalThis as unknown as PageHooks).__overlapPerf!.analyses.slice(from).some((analysis) => analysis.traceId === id),
    [analysesBefore, traceId] as const,
    { timeout: 60_000, polling: 50 },
  );
  const full = await page.evaluate(
    ([from, id]) => (globalThis as unknown as PageHooks).__overlapPerf!.records.slice(from).find((entry) => entry.kind === 'layout' && entry.traceId === id),
    [before, traceId] as const,
  );
  return { ...record, fullLayoutMs: full === undefined ? (record.layout === 'rebuilt' ? record.totalMs : undefined) : full.totalMs };
}

function recordCount(page: Page): Promise<number> {
  return page.evaluate(() => (globalThis as unknown as PageHooks).__overlapPerf!.records.length);
}

async function nextRecord(page: Page, after: number, kind: RenderRecord['kind'], traceId: string): Promise<RenderRecord> {
  const handle = await page.waitForFunction(
    ([from, k, id]) => (globalThis as unknown as PageHooks).__overlapPerf!.records.slice(from).find((record) => record.kind === k && record.traceId === id),
    [after, kind, traceId] as const,
    { timeout: 60_000, polling: 20 },
  );
  return (await handle.jsonValue()) as RenderRecord;
}

async function waitFor(page: Page, expression: string, timeout = 30_000): Promise<void> {
  await page.waitForFunction(expression, undefined, { timeout, polling: 20 });
}

function randomHex(length: number): string {
  let out = '';
  while (out.length < length) out += Math.floor(Math.random() * 2 ** 32).toString(16).padStart(8, '0');
  return out.slice(0, length);
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = (sorted.length - 1) * q;
  const low = Math.floor(rank);
  const high = Math.min(sorted.length - 1, low + 1);
  return sorted[low]! + (rank - low) * (sorted[high]! - sorted[low]!);
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
