// Ingest throughput of POST /v1/traces and the store's memory per span. Writes bench/results/ingest.json.
// The server is the built one (dist/), as users run it: `npm run bench` builds first.
//
// - `ingest_spans_per_s_protobuf` / `_json`: 100 batches of 512 spans, sent one after another, in
//   protobuf and in JSON, to a server in a process of its own, by the HTTP export path of OpenTelemetry's
//   own OTLP exporters (node:http over a keep-alive agent, see otlpExportClient.ts), as an app's
//   BatchSpanProcessor sends them: one export at a time. Bodies are encoded before the clock starts, so
//   the figure is the exporter's HTTP + the server's decoding, conversion and store; into an empty store
//   with no page connected. After one untimed warm-up round, five rounds per encoding on a fresh server
//   each; the median round is reported. Every span must be stored and none refused (checked per round).
//   The first version of this benchmark sent with `fetch`, 20 batches a round: undici's fetch costs the
//   client 0.4 to 0.9 ms per request that the exporters do not spend, and a 20-batch round was about one
//   garbage collection long. `ingest_spans_per_s_protobuf_fetch` is the same with `fetch` as the sender,
//   its rounds interleaved with the exporter's: a harder path for the sender, kept for comparison.
// - `ingest_spans_per_s_steady`: the same protobuf batches into a FULL store with the default limits
//   (200,000 spans, 2,000 traces), which evicts its least recently active trace for every new one, with a
//   page connected (a socket.io client on the page namespace receiving the `traces` events, and watching
//   one trace, which receives its `spans` events) and several requests in flight at once, as an exporter
//   with concurrent exports sends them (the same exporter transport). The store is first filled
//   (untimed), then 200 batches are timed; three rounds on a fresh server each, the median is reported.
// - `store_bytes_per_span`: in a fresh process, the heap (after gc) that a full default MemoryTraceStore
//   holds: 200,000 spans of the same shape (100 per trace, so both default limits are reached), decoded
//   from protobuf bodies by the real ingest path (`decodeOtlpBody`) and added with `store.add`; heap used
//   after gc with the store full, minus heap used after gc before, divided by the spans stored.
//
//   node --expose-gc --import tsx bench/ingest.bench.ts
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { GenAiAttributes, OverlapAttributes, OverlapEvents, spansToOtlp } from '@overlap/shared';
import type { SpanRecord } from '@overlap/shared';
import { io as connectPage } from 'socket.io-client';
import { MemoryTraceStore, createDashboardServer } from '../dist/server/index.js';
import { decodeOtlpBody } from '../dist/server/ingest/decodeOtlpBody.js';
import { encodeOtlpProtobufRequest } from '../dist/server/testing/index.js';
import { otlpExportClient, type Encoding, type OtlpExportClient } from './otlpExportClient.js';

const BATCHES = 100;
const BATCH_SIZE = 512;
const SPANS_PER_TRACE = 32;
const ROUNDS = 5;
const WARMUP_BATCHES = 3;
/** The steady-state figure: batches timed, requests in flight at once, rounds. */
const STEADY_BATCHES = 200;
const STEADY_IN_FLIGHT = 4;
const STEADY_ROUNDS = 3;
/** The memory figure: spans per trace, so that 2,000 traces make 200,000 spans. */
const MEMORY_SPANS_PER_TRACE = 100;


let sequence = 0;
function hex(value: number, length: number): string {
  return value.toString(16).padStart(length, '0');
}

/** One batch of realistic Overlap spans: traces of an agent root and tool calls with attributes and an event. */
function makeBatch(spansPerTrace = SPANS_PER_TRACE): SpanRecord[] {
  const spans: SpanRecord[] = [];
  const resource = { serviceName: 'bench-agent', attributes: { 'service.name': 'bench-agent', 'host.name': 'bench', 'process.pid': 4242, [OverlapAttributes.RUNNER_ID]: 'r-1' } };
  const scope = { name: '@overlap/runner', version: '0.1.0' };
  const baseNanos = 1_764_072_000_000_000_000n;
  for (let t = 0; t < BATCH_SIZE / spansPerTrace; t++) {
    const traceId = hex(++sequence, 32);
    const rootId = hex(++sequence, 16);
    for (let s = 0; s < spansPerTrace; s++) {
      const start = baseNanos + BigInt(sequence) * 1_000_000n + BigInt(s) * 100_000n;
      const isRoot = s === 0;
      spans.push({
        traceId,
        spanId: isRoot ? rootId : hex(++sequence, 16),
        ...(isRoot ? {} : { parentSpanId: rootId }),
        name: isRoot ? 'invoke_agent researcher' : `execute_tool tool_${s % 7}`,
        kind: isRoot ? 'internal' : 'client',
        startTimeUnixNano: start.toString(),
        endTimeUnixNano: (start + 45_678_901n).toString(),
        attributes: isRoot
          ? { [GenAiAttributes.OPERATION_NAME]: 'invoke_agent', [GenAiAttributes.AGENT_NAME]: 'researcher', [OverlapAttributes.OUTCOME]: 'ok', [OverlapAttributes.DEADLINE_MS]: 30000 }
          : {
              [GenAiAttributes.OPERATION_NAME]: 'execute_tool',
              [GenAiAttributes.TOOL_NAME]: `tool_${s % 7}`,
              [GenAiAttributes.TOOL_CALL_ID]: `call_${sequence}`,
              [OverlapAttributes.OUTCOME]: s % 11 === 0 ? 'timeout' : 'ok',
              [OverlapAttributes.QUEUE_WAIT_MS]: (s % 5) * 1.25,
              [OverlapAttributes.ATTEMPT]: 1 + (s % 3 === 0 ? 1 : 0),
              [OverlapAttributes.GATE]: ['search-api', 'global'],
              [OverlapAttributes.TIMEOUT_MS]: 5000,
            },
        events: isRoot ? [] : [{ name: OverlapEvents.ATTEMPT_START, timeUnixNano: (start + 1000n).toString(), attributes: { [OverlapAttributes.ATTEMPT]: 1 } }],
        links: [],
        status: { code: s % 11 === 0 ? 'error' : 'unset' },
        resource,
        scope,
      });
    }
  }
  return spans;
}

function encode(spans: SpanRecord[], encoding: Encoding): Buffer {
  const request = spansToOtlp(spans);
  return encoding === 'protobuf' ? Buffer.from(encodeOtlpProtobufRequest(request)) : Buffer.from(JSON.stringify(request));
}

/** The server's side: with `--serve`, this file starts a fresh dashboard server each time its parent asks. */
async function serve(): Promise<void> {
  let server: ReturnType<typeof createDashboardServer> | undefined;
  process.on('message', (message: { type: 'start' | 'stop'; steady?: boolean }) => {
    void (async () => {
      await server?.close();
      server = undefined;
      if (message.type === 'start') {
        // The steady figure runs with the default limits; the others with room for every span sent.
        server = message.steady === true
          ? createDashboardServer({ port: 0, pageDir: '/nonexistent' })
          : createDashboardServer({ port: 0, maxSpans: 1_000_000, maxTraces: 100_000, pageDir: '/nonexistent' });
        (globalThis as { gc?: () => void }).gc?.();
        process.send!({ url: (await server.listen()).url });
      } else {
        process.disconnect();
      }
    })();
  });
}

/** Asks the server process for a fresh server; resolves its URL. */
function freshServer(child: ChildProcess, steady = false): Promise<string> {
  return new Promise((resolve) => {
    child.once('message', (message: { url: string }) => resolve(message.url));
    child.send({ type: 'start', steady });
  });
}

/** Sends every body with at most `inFlight` requests outstanding. */
async function postAll(client: OtlpExportClient, bodies: readonly Buffer[], inFlight: number): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < bodies.length) await client.send(bodies[next++]!);
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
}

interface HealthStore {
  spans: number;
  traces: number;
  evictedTraces: number;
  maxSpans: number;
  maxTraces: number;
}

async function storeStats(url: string): Promise<HealthStore> {
  return ((await (await fetch(`${url}healthz`)).json()) as { store: HealthStore }).store;
}

/**
 * One steady-state round: a fresh server with the default limits, filled to its trace limit and past
 * it (untimed), a page connected and watching a trace; then STEADY_BATCHES batches timed, STEADY_IN_FLIGHT
 * requests at a time. The store evicts a trace for every new one while the clock runs.
 */
async function steadyRound(child: ChildProcess): Promise<{ spansPerS: number; elapsedMs: number; tracesEvents: number; summaries: number; spansEvents: number; evictedDuring: number }> {
  const url = await freshServer(child, true);
  const limits = await storeStats(url);
  const fillBatches = Math.ceil((limits.maxTraces * SPANS_PER_TRACE) / BATCH_SIZE) + 10;
  const fill = Array.from({ length: fillBatches }, () => encode(makeBatch(), 'protobuf'));
  const timed = Array.from({ length: STEADY_BATCHES }, () => encode(makeBatch(), 'protobuf'));
  const page = connectPage(url, { transports: ['websocket'], forceNew: true });
  await new Promise<void>((resolve, reject) => {
    page.once('connect', () => resolve());
    page.once('connect_error', reject);
  });
  let tracesEvents = 0;
  let summaries = 0;
  let spansEvents = 0;
  page.on('traces', (event: { traces: unknown[] }) => {
    tracesEvents++;
    summaries += event.traces.length;
  });
  page.on('spans', () => spansEvents++);
  const client = otlpExportClient(url, 'protobuf', BATCH_SIZE);
  await postAll(client, fill, STEADY_IN_FLIGHT);
  const before = await storeStats(url);
  if (before.traces !== before.maxTraces || before.evictedTraces === 0) throw new Error(`the store is not full: ${JSON.stringify(before)}`);
  // Watch a trace the timed batches keep adding to: the first trace of the first timed batch gets all its spans then.
  const watched = (otlpFirstTraceId(timed[0]!));
  await new Promise<void>((resolve) => page.emit('watch', { traceId: watched }, () => resolve()));
  tracesEvents = 0;
  summaries = 0;
  collectGarbage();
  const started = performance.now();
  await postAll(client, timed, STEADY_IN_FLIGHT);
  const elapsedMs = performance.now() - started;
  await client.shutdown();
  if (client.rejectedSpans !== 0) throw new Error(`the server refused ${client.rejectedSpans} spans`);
  const after = await storeStats(url);
  if (after.traces !== after.maxTraces) throw new Error(`the store is not full: ${JSON.stringify(after)}`);
  await new Promise((resolve) => setTimeout(resolve, 300));
  page.close();
  if (tracesEvents === 0) throw new Error('the page received no traces event');
  return { spansPerS: (STEADY_BATCHES * BATCH_SIZE) / (elapsedMs / 1000), elapsedMs, tracesEvents, summaries, spansEvents, evictedDuring: after.evictedTraces - before.evictedTraces };
}

/** The trace id of the first span of a protobuf body, via the decoder the server uses. */
function otlpFirstTraceId(body: Buffer): string {
  return decodeOtlpBody(body, 'protobuf').spans[0]!.traceId;
}

/**
 * `--memory`: the heap a full default MemoryTraceStore holds, per stored span (see the header). Run in a
 * process of its own, so nothing else is on the heap.
 */
function measureStoreMemory(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with --expose-gc');
  const settle = (): number => {
    for (let i = 0; i < 4; i++) gc();
    return process.memoryUsage().heapUsed;
  };
  // Warm the decoder and the store's code on a throw-away store, so code and caches are not counted.
  const warm = new MemoryTraceStore();
  for (let i = 0; i < 3; i++) warm.add(decodeOtlpBody(encode(makeBatch(MEMORY_SPANS_PER_TRACE), 'protobuf'), 'protobuf').spans);
  warm.close();
  const baseline = settle();
  const store = new MemoryTraceStore();
  while (store.stats().spans < store.maxSpans || store.stats().evictedTraces === 0) {
    store.add(decodeOtlpBody(encode(makeBatch(MEMORY_SPANS_PER_TRACE), 'protobuf'), 'protobuf').spans);
  }
  const full = settle();
  const stats = store.stats();
  process.stdout.write(`${JSON.stringify({ bytes: full - baseline, spans: stats.spans, traces: stats.traces, heapUsedMb: full / 1e6 })}\n`);
  if (store.traceCount === 0) throw new Error('unreachable: keeps the store alive until measured');
}

/**
 * `fetch` as the sender, one request at a time: what the first version of this benchmark used. Kept as
 * `ingest_spans_per_s_protobuf_fetch`, beside the exporter figure of the same run.
 */
function fetchClient(baseUrl: string, encoding: Encoding): OtlpExportClient {
  const contentType = encoding === 'protobuf' ? 'application/x-protobuf' : 'application/json';
  return {
    async send(body) {
      const response = await fetch(`${baseUrl}v1/traces`, { method: 'POST', headers: { 'content-type': contentType }, body });
      const text = await response.text();
      // A 200 without partialSuccess is `{}` in JSON and empty in protobuf.
      if (response.status !== 200 || (encoding === 'json' && text !== '{}') || (encoding === 'protobuf' && text.length !== 0)) {
        throw new Error(`unexpected answer ${response.status}: ${text}`);
      }
    },
    rejectedSpans: 0,
    shutdown: () => Promise.resolve(),
  };
}

type Sender = 'exporter' | 'fetch';

async function round(child: ChildProcess, encoding: Encoding, sender: Sender = 'exporter'): Promise<{ spansPerS: number; elapsedMs: number; bodyBytes: number }> {
  const warmup = Array.from({ length: WARMUP_BATCHES }, () => encode(makeBatch(), encoding));
  const bodies = Array.from({ length: BATCHES }, () => encode(makeBatch(), encoding));
  const url = await freshServer(child);
  const client = sender === 'exporter' ? otlpExportClient(url, encoding, BATCH_SIZE) : fetchClient(url, encoding);
  for (const body of warmup) await client.send(body);
  // The encoder's garbage is the client's, not the server's: collected before the clock starts.
  collectGarbage();
  const started = performance.now();
  for (const body of bodies) await client.send(body);
  const elapsedMs = performance.now() - started;
  await client.shutdown();
  if (client.rejectedSpans !== 0) throw new Error(`the server refused ${client.rejectedSpans} spans`);
  const health = (await (await fetch(`${url}healthz`)).json()) as { store: { spans: number } };
  if (health.store.spans !== (WARMUP_BATCHES + BATCHES) * BATCH_SIZE) throw new Error(`stored ${health.store.spans} spans`);
  return { spansPerS: (BATCHES * BATCH_SIZE) / (elapsedMs / 1000), elapsedMs, bodyBytes: bodies.reduce((n, b) => n + b.length, 0) / BATCHES };
}

/** A full collection in this (the client's) process, when run with --expose-gc. */
function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

if (process.argv.includes('--serve')) {
  await serve();
} else if (process.argv.includes('--memory')) {
  measureStoreMemory();
} else {
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url), '--serve'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const results: Record<string, unknown> = {};
  for (const encoding of ['protobuf', 'json'] as const) {
    await round(child, encoding); // warm-up: lets the JIT compile the decode path before anything is timed
    const rounds = [];
    const fetchRounds = [];
    for (let r = 0; r < ROUNDS; r++) {
      rounds.push(await round(child, encoding));
      // Protobuf only: the same server and bodies sent with fetch, interleaved with the exporter's rounds.
      if (encoding === 'protobuf') fetchRounds.push(await round(child, encoding, 'fetch'));
    }
    if (fetchRounds.length > 0) {
      results[`ingest_spans_per_s_${encoding}_fetch`] = Math.round(median(fetchRounds.map((r) => r.spansPerS)));
      results[`rounds_spans_per_s_${encoding}_fetch`] = fetchRounds.map((r) => Math.round(r.spansPerS));
      console.log(`${encoding} with fetch ${Math.round(median(fetchRounds.map((r) => r.spansPerS))).toLocaleString('en')} spans/s (rounds: ${fetchRounds.map((r) => Math.round(r.spansPerS)).join(', ')})`);
    }
    const spansPerS = median(rounds.map((r) => r.spansPerS));
    results[`ingest_spans_per_s_${encoding}`] = Math.round(spansPerS);
    results[`rounds_spans_per_s_${encoding}`] = rounds.map((r) => Math.round(r.spansPerS));
    results[`batch_body_bytes_${encoding}`] = Math.round(rounds[0]!.bodyBytes);
    console.log(`${encoding.padEnd(8)} ${Math.round(spansPerS).toLocaleString('en')} spans/s (rounds: ${rounds.map((r) => `${Math.round(r.spansPerS)} in ${r.elapsedMs.toFixed(0)} ms`).join(', ')}; ${Math.round(rounds[0]!.bodyBytes / 1024)} KiB per batch)`);
  }

  const steady = [];
  for (let r = 0; r < STEADY_ROUNDS; r++) steady.push(await steadyRound(child));
  const steadySpansPerS = median(steady.map((r) => r.spansPerS));
  results.ingest_spans_per_s_steady = Math.round(steadySpansPerS);
  results.rounds_spans_per_s_steady = steady.map((r) => Math.round(r.spansPerS));
  results.steady_page_traces_events = steady.map((r) => r.tracesEvents);
  results.steady_page_summaries = steady.map((r) => r.summaries);
  results.steady_watched_spans_events = steady.map((r) => r.spansEvents);
  results.steady_evicted_traces = steady.map((r) => r.evictedDuring);
  console.log(`steady   ${Math.round(steadySpansPerS).toLocaleString('en')} spans/s (rounds: ${steady.map((r) => `${Math.round(r.spansPerS)} in ${r.elapsedMs.toFixed(0)} ms, ${r.evictedDuring} traces evicted, ${r.tracesEvents} traces events`).join('; ')})`);
  child.send({ type: 'stop' });

  const memory = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url), '--memory'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (memory.status !== 0) throw new Error(`the memory measurement failed (exit ${memory.status})`);
  const held = JSON.parse(memory.stdout.trim().split('\n').pop()!) as { bytes: number; spans: number; traces: number };
  results.store_bytes_per_span = Math.round(held.bytes / held.spans);
  results.store_spans_measured = held.spans;
  results.store_traces_measured = held.traces;
  console.log(`memory   ${results.store_bytes_per_span} bytes per stored span (${held.spans} spans in ${held.traces} traces, ${(held.bytes / 1e6).toFixed(1)} MB)`);

  const output = {
    ...results,
    batches: BATCHES,
    batch_size: BATCH_SIZE,
    spans_per_trace: SPANS_PER_TRACE,
    rounds: ROUNDS,
    steady_batches: STEADY_BATCHES,
    steady_in_flight: STEADY_IN_FLIGHT,
    steady_rounds: STEADY_ROUNDS,
    node: process.version,
    cpus: cpus().length,
    measured_at: new Date().toISOString(),
    method: 'sequential exports through the OTLP exporters\' node:http transport (createOtlpHttpExportDelegate, keep-alive) from a client process to the server in its own process; bodies pre-encoded and the client garbage-collected before the clock starts; one warm-up round, then the median of the rounds',
    method_steady:
      `protobuf exports (the OTLP exporters' node:http transport) of ${BATCH_SIZE}-span batches (${SPANS_PER_TRACE} spans per trace), ${STEADY_IN_FLIGHT} requests in flight, into a server with the default store limits that was first filled past its 2,000-trace limit (untimed), so every new trace evicts one; a socket.io page client connected to the page namespace receives the traces events and watches one trace of the timed batches; ${STEADY_BATCHES} batches timed (bodies pre-encoded and the client garbage-collected before the clock starts); median of ${STEADY_ROUNDS} rounds on a fresh server each`,
    method_store_bytes:
      `fresh process with --expose-gc: heapUsed after gc() with a full default MemoryTraceStore (maxSpans 200,000, maxTraces 2,000; spans as makeBatch builds them, ${MEMORY_SPANS_PER_TRACE} per trace, encoded as protobuf and read by decodeOtlpBody, the server's ingest path, then store.add) minus heapUsed after gc() before the store was made, divided by the spans stored`,
  };
  const dir = fileURLToPath(new URL('./results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}ingest.json`, `${JSON.stringify(output, null, 2)}\n`);
  console.log(`wrote ${dir}ingest.json`);
}
