// The dashboard page's figures, measured end to end in headless Chromium against the real server in its
// own process. Writes bench/results/page.json.
//
//   node --expose-gc --import tsx bench/page.bench.ts
//
// - live_latency_p50_ms / p95: from a span's end in a client process (the official OTLP/HTTP exporter,
//   batch delay 20 ms) to the first presented frame that drew its bar (the page's `__overlapPerf` hook
//   records Date.now() one animation frame after the chart update that included the span); ~100 spans.
// - render_5000_spans_ms / render_50000_spans_ms: from the spans in the page (the watch acknowledgement)
//   to the first presented frame of the waterfall: merge, assembleTrace, layoutWaterfall, chart update,
//   and the next requestAnimationFrame. Median of 3 openings. open_*_ms add the transfer (click to frame).
// - live_update_50000_spans_ms: one span added, or an in-flight span grown and ended, on the open 50,000-span
//   trace, from the `spans` event to the presented frame. Median of 12.
// - rss_mb_full_store: the server's RSS (after gc) once its store is full (200,000 spans or 2,000
//   traces), and rss_mb_full_store_after_more once as many spans again have arrived (evicting).
//
// The same file is also the two helper processes, chosen by its first argument: `--serve` (the server)
// and `--client <url> <traceId> <parentSpanId> <count>` (the span-producing client).
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
const LATENCY_SPANS = 100;
const RENDER_RUNS = 3;
const UPDATE_RUNS = 12;
const POST_BATCH = 2000;

const role = process.argv[2];
if (role === '--serve') await serve();
else if (role === '--client') await client(process.argv[3]!, process.argv[4]!, process.argv[5]!, Number(process.argv[6]));
else await main();

// ---------------------------------------------------------------------------------------------- roles

/** The server process: the real dashboard server with its default limits; answers `rss` over IPC. */
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

/** The client process: ends `count` spans under a remote parent, exported by the official OTLP/HTTP exporter. */
async function client(url: string, traceId: string, parentSpanId: string, count: number): Promise<void> {
  const { TraceFlags, context, trace } = await import('@opentelemetry/api');
  const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
  const { resourceFromAttributes } = await import('@opentelemetry/resources');
  const { TracerProvider, BatchSpanProcessor } = await import('@opentelemetry/sdk-trace');
  type Readable = import('@opentelemetry/sdk-trace').ReadableSpan;
  const exporter = new OTLPTraceExporter({ url: `${url}v1/traces` });
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'latency-bench-client' }),
    spanProcessors: [new BatchSpanProcessor({ exporter, scheduledDelayMillis: 20, maxExportBatchSize: 64 })],
  });
  const tracer = provider.getTracer('overlap-bench', '0.1.0');
  const parent = trace.setSpanContext(context.active(), { traceId, spanId: parentSpanId, traceFlags: TraceFlags.SAMPLED, isRemote: true });
  const ended: Array<{ spanId: string; endMs: number; endDateMs: number }> = [];
  for (let i = 0; i < count; i += 1) {
    const call = tracer.startSpan(`execute_tool probe_${i % 4}`, { attributes: { [GenAiAttributes.OPERATION_NAME]: 'execute_tool', [GenAiAttributes.TOOL_NAME]: `probe_${i % 4}`, [OverlapAttributes.OUTCOME]: 'ok' } }, parent);
    await sleep(5 + (i % 3) * 5);
    call.end();
    const endTime = (call as unknown as Readable).endTime;
    ended.push({ spanId: call.spanContext().spanId, endMs: endTime[0] * 1000 + endTime[1] / 1e6, endDateMs: Date.now() });
    await sleep(30);
  }
  await provider.forceFlush();
  await provider.shutdown();
  console.log(JSON.stringify(ended));
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
    // A waterfall tall enough (about 100 rows) that every bar of the latency phase is in view when drawn.
    await page.addStyleTag({ content: '.wf-scroll { max-height: 2300px; }' });

    Object.assign(results, await measureLiveLatency(page, server.url));
    await page.getByLabel('Follow latest').uncheck();
    const small = await postTrace(server.url, 'render-small', 200);
    Object.assign(results, await measureRender(page, server.url, 5_000, small));
    const big = await measureRender(page, server.url, 50_000, small);
    Object.assign(results, big);
    Object.assign(results, await measureLiveUpdates(page, server.url, big.traceId as string, big.rootSpanId as string));
  } finally {
    await browser.close();
  }
  Object.assign(results, await measureMemory(server));
  server.child.disconnect();

  delete results.traceId;
  delete results.rootSpanId;
  const output = {
    ...results,
    node: process.version,
    chromium: '/usr/bin/chromium (headless)',
    cpus: cpus().length,
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

async function measureLiveLatency(page: Page, url: string): Promise<Record<string, unknown>> {
  const traceId = randomHex(32);
  const root = agentRoot(traceId, 'latency-bench', Date.now(), undefined);
  await postSpans(url, [root]);
  await waitFor(page, `(() => { const s = globalThis.__overlapWaterfall?.(); return s?.traceId === ${JSON.stringify(traceId)} && s.rowCount === 1; })()`);
  await page.evaluate(() => {
    (globalThis as unknown as PageHooks).__overlapPerf!.spanDrawnAt = {};
  });

  const clientProcess = spawn(process.execPath, ['--import', 'tsx', THIS_FILE, '--client', url, traceId, root.spanId, String(LATENCY_SPANS)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  clientProcess.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await new Promise<void>((resolve, reject) => clientProcess.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`client exited with ${code}`)))));
  const ended = JSON.parse(output.trim().split('\n').at(-1)!) as Array<{ spanId: string; endMs: number; endDateMs: number }>;
  await waitFor(page, `Object.keys(globalThis.__overlapPerf.spanDrawnAt).length >= ${ended.length}`, 15_000);
  const drawnAt = await page.evaluate(() => (globalThis as unknown as PageHooks).__overlapPerf!.spanDrawnAt!);
  await page.evaluate(() => {
    (globalThis as unknown as PageHooks).__overlapPerf!.spanDrawnAt = null;
  });
  const latencies = ended.map((entry) => drawnAt[entry.spanId]! - entry.endMs).sort((a, b) => a - b);
  const byDateNow = ended.map((entry) => drawnAt[entry.spanId]! - entry.endDateMs).sort((a, b) => a - b);
  console.log(`live latency over ${latencies.length} spans: p50 ${quantile(latencies, 0.5).toFixed(1)} ms, p95 ${quantile(latencies, 0.95).toFixed(1)} ms, max ${latencies.at(-1)!.toFixed(1)} ms`);
  return {
    live_latency_p50_ms: round(quantile(latencies, 0.5)),
    live_latency_p95_ms: round(quantile(latencies, 0.95)),
    live_latency_max_ms: round(latencies.at(-1)!),
    live_latency_spans: latencies.length,
    live_latency_p95_from_client_date_now_ms: round(quantile(byDateNow, 0.95)),
    live_latency_method: 'client process: official OTLP/HTTP JSON exporter, BatchSpanProcessor scheduledDelayMillis 20; span end (SDK endTime) to Date.now() in the page one animation frame after the chart update that drew the bar; viewport tall enough that every bar is in view',
  };
}

async function measureRender(page: Page, url: string, spanCount: number, other: { traceId: string }): Promise<Record<string, unknown>> {
  const trace = await postTrace(url, `render-${spanCount}`, spanCount);
  const opens: RenderRecord[] = [];
  for (let run = 0; run < RENDER_RUNS; run += 1) {
    await openTrace(page, other.traceId);
    opens.push(await openTrace(page, trace.traceId));
  }
  const renderMs = opens.map((record) => record.renderMs).sort((a, b) => a - b);
  const totalMs = opens.map((record) => record.totalMs).sort((a, b) => a - b);
  const rows = opens[0]!.rowCount;
  console.log(`render ${spanCount} spans (${rows} rows): ${renderMs.map((ms) => ms.toFixed(0)).join(', ')} ms to the first frame; ${totalMs.map((ms) => ms.toFixed(0)).join(', ')} ms with the transfer`);
  return {
    [`render_${spanCount}_spans_ms`]: round(quantile(renderMs, 0.5)),
    [`render_${spanCount}_spans_runs_ms`]: renderMs.map(round),
    [`render_${spanCount}_rows`]: rows,
    [`open_${spanCount}_spans_ms`]: round(quantile(totalMs, 0.5)),
    traceId: trace.traceId,
    rootSpanId: trace.rootSpanId,
  };
}

/** Live updates of the 50,000-span trace, which the render phase left open. */
async function measureLiveUpdates(page: Page, url: string, traceId: string, rootSpanId: string): Promise<Record<string, unknown>> {
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
  const frameMs = await measureLiveFrames(page);
  console.log(`live update on the 50,000-span trace: median ${quantile(renderMs, 0.5).toFixed(1)} ms to the frame (max ${renderMs.at(-1)!.toFixed(1)}), page work ${quantile(computeMs, 0.5).toFixed(1)} ms; layouts: ${layouts.join(', ')}`);
  return {
    live_update_50000_spans_ms: round(quantile(renderMs, 0.5)),
    live_update_50000_spans_max_ms: round(renderMs.at(-1)!),
    live_update_50000_spans_work_ms: round(quantile(computeMs, 0.5)),
    live_update_50000_spans_count: updates.length,
    live_update_50000_layouts: [...new Set(layouts)],
    scroll_window_swap_50000_spans_ms: frameMs,
  };
}

/** Scrolls the 50,000-span waterfall through 20 positions and times each window swap, to the next frame. */
async function measureLiveFrames(page: Page): Promise<number> {
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

/** Posts a trace of `spanCount` spans: an agent, sub-agents, tool calls with and without queue spans. */
async function postTrace(url: string, agent: string, spanCount: number): Promise<{ traceId: string; rootSpanId: string }> {
  const traceId = randomHex(32);
  const t0 = Date.now() - 120_000;
  const root = agentRoot(traceId, agent, t0, t0 + 110_000);
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
    if (body.traces.find((trace) => trace.traceId === traceId)?.spanCount === spanCount) break;
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

/** Selects a trace in the page and resolves with its `open` render record. */
async function openTrace(page: Page, traceId: string): Promise<RenderRecord> {
  const before = await recordCount(page);
  const analysesBefore = await page.evaluate(() => (globalThis as unknown as PageHooks).__overlapPerf!.analyses.length);
  await page.evaluate((id) => (globalThis as unknown as PageHooks).__overlapSelect!(id), traceId);
  const record = await nextRecord(page, before, 'open', traceId);
  // Let the analysis worker finish before the next measurement, so it does not compete for the CPU.
  await page.waitForFunction(
    ([from, id]) => (globalThis as unknown as PageHooks).__overlapPerf!.analyses.slice(from).some((analysis) => analysis.traceId === id),
    [analysesBefore, traceId] as const,
    { timeout: 60_000, polling: 50 },
  );
  return record;
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

