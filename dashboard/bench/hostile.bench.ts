// The reliability and security suite of issue 11: hostile input, overload and cross-site probes against
// the real server in a process of its own. Writes bench/results/hostile.json.
//
//   npm run hostile                      (from the repository root: builds, then runs this file)
//   node --expose-gc --import tsx bench/hostile.bench.ts
//   OVERLAP_HOSTILE_PHASES=fuzz,bomb node --expose-gc --import tsx bench/hostile.bench.ts   (some phases;
//                                        the other keys of hostile.json are kept)
//
// Phases and keys:
// - fuzz: 1,000,000 fast-check inputs (test/server/otlpFuzzInputs.ts: valid, mutated, truncated, deep,
//   huge, wrong types; protobuf and JSON) through decodeOtlpBody, the exact decode path of POST /v1/traces,
//   in this process; then 10,000 of them over HTTP to the server process. fuzz_inputs, fuzz_http_inputs,
//   fuzz_crashes (decoder throws other than its two refusals, HTTP answers that differ from the decoder's
//   verdict, connections dropped), fuzz_5xx, and the heap after gc before and after (fuzz_heap_*).
// - bomb: a gzip body that inflates 1,000:1 (1 GiB of zeros in about 1 MiB), sent to a fresh server with
//   the default 16 MiB limit: its answer, the bytes its gunzip produced before the refusal
//   (gzip_bomb_decoded_bytes, counted in the server), and its peak RSS above its RSS before
//   (gzip_bomb_rss_rise_mb).
// - store: 10× maxTraces traces (20,000) then one trace of 1,000,000 spans, over HTTP, to a server with
//   the default limits: traces kept, whether they are the newest, the big trace's kept and dropped spans
//   as the API shows them, RSS after gc at each step.
// - sustained: a client in a separate process measures capacity (as fast as it can for 10 s, which also
//   fills the store to its bound), then sends at that rate for 20 s of warm-up and a measured 60 s,
//   sending again after a 503's Retry-After or a dropped kept-alive connection, as exporters do:
//   sustained_spans_per_s (the server's count over the 60 s), requests lost (the client's failures, and
//   any difference between what it saw accepted and what the server counted), and the server's RSS and
//   heap after gc at the start and the end of the 60 s (sustained_rss_growth_pct, sustained_heap_growth_pct).
// - probes: test/page/crossSiteProbes.ts in headless Chromium: foreign_origin_refused, rebinding_refused,
//   exposure_refused, each out of *_tried.
//
// The file is also the helper processes, chosen by its first argument: `--serve <options JSON>` (a
// dashboard server answering questions over IPC) and `--client <mode> <url> <spans/s> <seconds>`.
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { cpus } from 'node:os';
import { createGzip } from 'node:zlib';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { GenAiAttributes, OverlapAttributes, spansToOtlp } from '@overlap/shared';
import type { TraceStoreStats } from '@overlap/shared';
import type { SpanRecord, TraceResponse } from '@overlap/shared';
import { decodeOutcome, fuzzBody } from '../test/server/otlpFuzzInputs.js';
import type { FuzzBody } from '../test/server/otlpFuzzInputs.js';
import { countProbes, launchRebindingChromium, runCrossSiteProbes } from '../test/page/crossSiteProbes.js';
import { encodeOtlpProtobufRequest } from '../src/server/testing/index.js';

const THIS_FILE = fileURLToPath(import.meta.url);
const RESULTS = fileURLToPath(new URL('./results/hostile.json', import.meta.url));
const MiB = 1024 * 1024;

const FUZZ_INPUTS = 1_000_000;
const FUZZ_HTTP_INPUTS = 10_000;
const FUZZ_SEED = 11;
const BOMB_INFLATED_BYTES = 1024 * MiB;
const STORE_TRACE_FACTOR = 10;
const BIG_TRACE_SPANS = 1_000_000;
const CAPACITY_SECONDS = 10;
const SUSTAINED_WARMUP_SECONDS = 20;
const SUSTAINED_SECONDS = 60;
const BATCH_SPANS = 512;
const SPANS_PER_TRACE = 32;


// ------------------------------------------------------------------------------------------- server

interface ServerStats {
  rssMb: number;
  heapMb: number;
  maxRssMb: number;
  store: TraceStoreStats;
  ingest: { requests: number; acceptedSpans: number; rejectedSpans: number; failedRequests: number; overloadedRequests: number };
  gunzipBytes: number;
}

/** The server process: a dashboard with the given options; answers `stats` and `has` over IPC. */
async function serve(options: Record<string, unknown>): Promise<void> {
  // Counts what every gunzip stream of the body parser produces, to see where a bomb was stopped.
  let gunzipBytes = 0;
  const push = zlib.Gunzip.prototype.push;
  zlib.Gunzip.prototype.push = function countedPush(this: zlib.Gunzip, chunk: unknown, encoding?: BufferEncoding): boolean {
    if (Buffer.isBuffer(chunk)) gunzipBytes += chunk.length;
    return push.call(this, chunk, encoding);
  };
  const { createDashboardServer } = await import('../src/server/index.js');
  const server = createDashboardServer({ port: 0, pageDir: '/nonexistent', ...options });
  const { url } = await server.listen();
  const gc = (globalThis as { gc?: () => void }).gc;
  process.on('message', (message: { type: 'stats'; id: number } | { type: 'has'; id: number; traceIds: string[] } | { type: 'stop' }) => {
    if (message.type === 'stats') {
      gc?.();
      gc?.();
      const memory = process.memoryUsage();
      void fetch(`${url}healthz`)
        .then((r) => r.json() as Promise<{ ingest: ServerStats['ingest'] }>)
        .then((body) => {
          const stats: ServerStats = {
            rssMb: memory.rss / MiB,
            heapMb: memory.heapUsed / MiB,
            maxRssMb: process.resourceUsage().maxRSS / 1024,
            store: server.store.stats(),
            ingest: body.ingest,
            gunzipBytes,
          };
          process.send!({ type: 'stats', id: message.id, stats });
        });
    } else if (message.type === 'has') {
      process.send!({ type: 'has', id: message.id, present: message.traceIds.map((id) => server.store.has(id)) });
    } else {
      void server.close().then(() => process.exit(0));
    }
  });
  // The parent went away (finished or crashed): do not outlive it.
  process.on('disconnect', () => void server.close().then(() => process.exit(0)));
  process.send!({ type: 'ready', url });
}

/** A server process and its questions. */
interface ServerProcess {
  url: string;
  stats(): Promise<ServerStats>;
  has(traceIds: string[]): Promise<boolean[]>;
  stop(): Promise<void>;
}

async function startServerProcess(options: Record<string, unknown> = {}): Promise<ServerProcess> {
  const child: ChildProcess = fork(THIS_FILE, ['--serve', JSON.stringify(options)], { execArgv: ['--expose-gc', '--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let questions = 0;
  // Each question has an id, so two asked at once (a sampler and the final look) get their own answers.
  const ask = <T>(message: object, type: string): Promise<T> =>
    new Promise((resolve) => {
      const id = ++questions;
      const onMessage = (answer: { type: string; id?: number }): void => {
        if (answer.type !== type || answer.id !== id) return;
        child.off('message', onMessage);
        resolve(answer as T);
      };
      child.on('message', onMessage);
      child.send({ ...message, id });
    });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('message', (message: { type: string; url: string }) => resolve(message.url));
    child.once('exit', (code) => reject(new Error(`server process exited ${code}`)));
  });
  return {
    url,
    stats: async () => (await ask<{ stats: ServerStats }>({ type: 'stats' }, 'stats')).stats,
    has: async (traceIds) => (await ask<{ present: boolean[] }>({ type: 'has', traceIds }, 'has')).present,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.send({ type: 'stop' });
      }),
  };
}

// ------------------------------------------------------------------------------------------ helpers

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

/** POSTs a body; resolves status, headers and body (never rejects: a dropped connection is status 0). */
function post(url: string, body: Uint8Array, headers: Record<string, string>): Promise<{ status: number; retryAfter: string | undefined; text: string }> {
  return new Promise((resolve) => {
    const req = httpRequest(url, { method: 'POST', agent, headers: { ...headers, 'content-length': String(body.length) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'], text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', () => resolve({ status: 0, retryAfter: undefined, text: '' }));
    });
    req.on('error', (error) => resolve({ status: 0, retryAfter: undefined, text: String(error) }));
    req.end(body);
  });
}

let sequence = 0;
const hex = (value: number, length: number): string => value.toString(16).padStart(length, '0');

/** `traces` traces of `spansPerTrace` ended spans each, with fresh ids. */
function makeSpans(traces: number, spansPerTrace: number, traceIds: string[] = []): SpanRecord[] {
  const spans: SpanRecord[] = [];
  const resource = { serviceName: 'hostile-bench', attributes: { 'service.name': 'hostile-bench' } };
  const base = 1_764_072_000_000_000_000n + BigInt(Date.now()) * 1000n;
  for (let t = 0; t < traces; t++) {
    const traceId = hex(++sequence, 32);
    traceIds.push(traceId);
    const rootId = hex(++sequence, 16);
    for (let s = 0; s < spansPerTrace; s++) {
      const start = base + BigInt(sequence) * 1_000_000n + BigInt(s) * 1000n;
      spans.push({
        traceId,
        spanId: s === 0 ? rootId : hex(++sequence, 16),
        ...(s === 0 ? {} : { parentSpanId: rootId }),
        name: s === 0 ? 'invoke_agent bench' : `execute_tool tool_${s % 7}`,
        kind: 'internal',
        startTimeUnixNano: start.toString(),
        endTimeUnixNano: (start + 5_000_000n).toString(),
        attributes: { [GenAiAttributes.TOOL_NAME]: `tool_${s % 7}`, [OverlapAttributes.OUTCOME]: 'ok' },
        events: [],
        links: [],
        status: { code: 'unset' },
        resource,
        scope: { name: 'hostile-bench' },
      });
    }
  }
  return spans;
}

const protobufBody = (spans: SpanRecord[]): Uint8Array => encodeOtlpProtobufRequest(spansToOtlp(spans));
const PROTOBUF = { 'content-type': 'application/x-protobuf' };
const round1 = (value: number): number => Math.round(value * 10) / 10;
const gc = (): void => {
  const collect = (globalThis as { gc?: () => void }).gc;
  collect?.();
  collect?.();
};

// ---------------------------------------------------------------------------------------- the client

/**
 * The sender in its own process. `capacity`: as fast as it can with 8 requests in flight for `seconds`.
 * `sustain`: one batch every 512/spansPerS seconds (up to 64 in flight) for `seconds`. Either way a 503 is
 * retried after its Retry-After, so no batch is lost. Prints one JSON line.
 */
async function client(mode: 'capacity' | 'sustain', url: string, spansPerS: number, seconds: number): Promise<void> {
  const bodies = Array.from({ length: 64 }, () => protobufBody(makeSpans(BATCH_SPANS / SPANS_PER_TRACE, SPANS_PER_TRACE)));
  let next = 0;
  const fresh = (): Uint8Array => {
    // Fresh trace ids each time (a resent body keeps its ids, as an exporter's retry does).
    next += 1;
    return next <= bodies.length ? bodies[next - 1]! : protobufBody(makeSpans(BATCH_SPANS / SPANS_PER_TRACE, SPANS_PER_TRACE));
  };
  let sent = 0;
  let accepted = 0;
  let overloaded = 0;
  let reconnected = 0;
  let lost = 0;
  const lostStatuses: number[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const send = async (body: Uint8Array): Promise<void> => {
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    try {
      for (let attempt = 0; ; attempt++) {
        sent += 1;
        const answer = await post(`${url}v1/traces`, body, PROTOBUF);
        if (answer.status === 200) {
          accepted += 1;
          return;
        }
        if ((answer.status === 503 || answer.status === 429) && attempt < 20) {
          overloaded += 1;
          await new Promise((resolve) => setTimeout(resolve, Number(answer.retryAfter ?? '1') * 1000));
          continue;
        }
        // A kept-alive connection the server closed just as it was reused: exporters send again.
        if (answer.status === 0 && attempt < 5) {
          reconnected += 1;
          continue;
        }
        lost += 1;
        lostStatuses.push(answer.status);
        return;
      }
    } finally {
      inFlight -= 1;
    }
  };
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const pending = new Set<Promise<void>>();
  if (mode === 'capacity') {
    const worker = async (): Promise<void> => {
      while (performance.now() < deadline) await send(fresh());
    };
    await Promise.all(Array.from({ length: 8 }, worker));
  } else {
    const intervalMs = (BATCH_SPANS / spansPerS) * 1000;
    for (let i = 0; ; i++) {
      const due = started + i * intervalMs;
      // Past the minute, stop offering more, whatever is still scheduled (the server was slower than planned).
      if (due >= deadline || performance.now() >= deadline) break;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      if (pending.size >= 64) await Promise.race(pending);
      const promise = send(fresh()).finally(() => pending.delete(promise));
      pending.add(promise);
    }
  }
  const sendingMs = performance.now() - started;
  await Promise.all(pending);
  const elapsedMs = performance.now() - started;
  process.stdout.write(`${JSON.stringify({ sent, accepted, overloaded, reconnected, lost, lostStatuses, maxInFlight, sendingMs, elapsedMs, spansPerS: (accepted * BATCH_SPANS) / (elapsedMs / 1000) })}\n`);
  agent.destroy();
}

interface ClientResult {
  sent: number;
  accepted: number;
  overloaded: number;
  reconnected: number;
  lost: number;
  lostStatuses: number[];
  maxInFlight: number;
  sendingMs: number;
  elapsedMs: number;
  spansPerS: number;
}

function runClient(mode: 'capacity' | 'sustain', url: string, spansPerS: number, seconds: number): Promise<ClientResult> {
  return new Promise((resolve, reject) => {
    const child = fork(THIS_FILE, ['--client', mode, url, String(spansPerS), String(seconds)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => {
      const line = output.trim().split('\n').pop() ?? '';
      if (code !== 0 || line === '') reject(new Error(`client exited ${code}: ${output}`));
      else resolve(JSON.parse(line) as ClientResult);
    });
  });
}

// -------------------------------------------------------------------------------------------- phases

async function fuzzPhase(): Promise<Record<string, unknown>> {
  const kinds = new Map<string, { accepted: number; refused: number; crashed: number }>();
  const crashes: string[] = [];
  gc();
  const heapStart = process.memoryUsage().heapUsed;
  const started = performance.now();
  let runs = 0;
  fc.assert(
    fc.property(fuzzBody(), (input) => {
      runs += 1;
      const counts = kinds.get(input.kind) ?? { accepted: 0, refused: 0, crashed: 0 };
      kinds.set(input.kind, counts);
      try {
        counts[decodeOutcome(input)] += 1;
      } catch (error) {
        counts.crashed += 1;
        if (crashes.length < 5) crashes.push(`${input.kind}: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
      }
      if (runs % 100_000 === 0) console.log(`  fuzz: ${runs.toLocaleString('en')} inputs through the decoder, ${((performance.now() - started) / 1000).toFixed(0)} s`);
    }),
    { numRuns: FUZZ_INPUTS, seed: FUZZ_SEED },
  );
  const decoderSeconds = (performance.now() - started) / 1000;
  gc();
  const heapEnd = process.memoryUsage().heapUsed;
  const decoderCrashes = [...kinds.values()].reduce((n, k) => n + k.crashed, 0);

  // Over HTTP, against the server in its own process (limits raised so nothing stored is evicted).
  const server = await startServerProcess({ maxTraces: 1_000_000, maxSpans: 10_000_000 });
  const seededIds: string[] = [];
  await post(`${server.url}v1/traces`, protobufBody(makeSpans(10, 4, seededIds)), PROTOBUF);
  const before = await server.stats();
  const inputs = fc.sample(fuzzBody({ maxHugeChars: 4 * MiB }), { numRuns: FUZZ_HTTP_INPUTS, seed: FUZZ_SEED + 1 });
  let fiveXx = 0;
  let mismatches = 0;
  let dropped = 0;
  const httpStarted = performance.now();
  for (const input of inputs as FuzzBody[]) {
    let expected: number;
    try {
      expected = decodeOutcome(input) === 'accepted' ? 200 : 400;
    } catch {
      expected = 500;
    }
    const answer = await post(`${server.url}v1/traces`, input.body, { 'content-type': input.encoding === 'protobuf' ? 'application/x-protobuf' : 'application/json' });
    if (answer.status === 0) dropped += 1;
    else if (answer.status >= 500) fiveXx += 1;
    else if (answer.status !== expected) mismatches += 1;
  }
  const httpSeconds = (performance.now() - httpStarted) / 1000;
  const after = await server.stats();
  const seededKept = (await server.has(seededIds)).every(Boolean);
  await server.stop();

  const result = {
    fuzz_inputs: runs,
    fuzz_http_inputs: inputs.length,
    fuzz_crashes: decoderCrashes + mismatches + dropped,
    fuzz_5xx: fiveXx,
    fuzz_decoder_crashes: decoderCrashes,
    fuzz_http_verdict_mismatches: mismatches,
    fuzz_http_dropped_connections: dropped,
    fuzz_heap_start_mb: round1(heapStart / MiB),
    fuzz_heap_end_mb: round1(heapEnd / MiB),
    fuzz_heap_growth_mb: round1((heapEnd - heapStart) / MiB),
    fuzz_http_server_heap_mb: { before: round1(before.heapMb), after: round1(after.heapMb), stored_spans_after: after.store.spans },
    fuzz_seeded_traces_kept: seededKept,
    fuzz_decoder_seconds: round1(decoderSeconds),
    fuzz_http_seconds: round1(httpSeconds),
    fuzz_kinds: Object.fromEntries(kinds),
    fuzz_crash_examples: crashes,
  };
  console.log(`  fuzz: ${runs.toLocaleString('en')} decoder inputs (${decoderCrashes} crashes, heap ${result.fuzz_heap_start_mb} -> ${result.fuzz_heap_end_mb} MB); ${inputs.length.toLocaleString('en')} over HTTP (${fiveXx} 5xx, ${mismatches} mismatches, ${dropped} dropped)`);
  return result;
}

/** A gzip stream of `inflatedBytes` zeros, built without holding them in memory. */
async function gzipBomb(inflatedBytes: number): Promise<Buffer> {
  const gzip = createGzip({ level: 9 });
  const chunks: Buffer[] = [];
  gzip.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<void>((resolve, reject) => {
    gzip.on('end', resolve);
    gzip.on('error', reject);
  });
  const zeros = Buffer.alloc(MiB);
  for (let written = 0; written < inflatedBytes; written += zeros.length) {
    if (!gzip.write(zeros)) await new Promise((resolve) => gzip.once('drain', resolve));
  }
  gzip.end();
  await done;
  return Buffer.concat(chunks);
}

async function bombPhase(): Promise<Record<string, unknown>> {
  const bomb = await gzipBomb(BOMB_INFLATED_BYTES);
  const server = await startServerProcess();
  const seededIds: string[] = [];
  await post(`${server.url}v1/traces`, protobufBody(makeSpans(5, 4, seededIds)), PROTOBUF);
  const before = await server.stats();
  const answer = await post(`${server.url}v1/traces`, bomb, { ...PROTOBUF, 'content-encoding': 'gzip' });
  const after = await server.stats();
  const seededKept = (await server.has(seededIds)).every(Boolean);
  await server.stop();
  const limitBytes = 16 * MiB;
  const result = {
    gzip_bomb_status: answer.status,
    gzip_bomb_compressed_bytes: bomb.length,
    gzip_bomb_inflated_bytes: BOMB_INFLATED_BYTES,
    gzip_bomb_ratio: Math.round(BOMB_INFLATED_BYTES / bomb.length),
    gzip_bomb_limit_bytes: limitBytes,
    gzip_bomb_decoded_bytes: after.gunzipBytes,
    gzip_bomb_rss_rise_mb: round1(after.maxRssMb - before.rssMb),
    gzip_bomb_stored_traces_kept: seededKept,
  };
  console.log(`  bomb: ${answer.status} after ${after.gunzipBytes.toLocaleString('en')} decoded bytes (limit ${limitBytes.toLocaleString('en')}); RSS peak ${result.gzip_bomb_rss_rise_mb} MB above its start`);
  return result;
}

async function storePhase(): Promise<Record<string, unknown>> {
  const server = await startServerProcess();
  const start = await server.stats();
  const { maxTraces, maxSpansPerTrace } = start.store;
  if (maxTraces === null || maxSpansPerTrace === null) throw new Error('store phase: the in-memory store has bounds');
  const traceIds: string[] = [];
  const total = maxTraces * STORE_TRACE_FACTOR;
  for (let sent = 0; sent < total; sent += 500) {
    const answer = await post(`${server.url}v1/traces`, protobufBody(makeSpans(500, 4, traceIds)), PROTOBUF);
    if (answer.status !== 200) throw new Error(`store phase: ${answer.status} ${answer.text}`);
  }
  const full = await server.stats();
  const newest = traceIds.slice(-maxTraces);
  const newestKept = (await server.has(newest)).filter(Boolean).length;
  const oldestKept = (await server.has(traceIds.slice(0, total - maxTraces))).filter(Boolean).length;

  // One trace of a million spans, in batches of 10,000, as a runaway job would send it.
  const bigTrace = hex(++sequence, 32);
  const rootId = hex(++sequence, 16);
  const base = 1_764_072_000_000_000_000n + BigInt(Date.now()) * 1_000_000n;
  for (let sent = 0; sent < BIG_TRACE_SPANS; sent += 10_000) {
    const spans = makeSpans(1, 10_000).map((span, i): SpanRecord => ({
      ...span,
      traceId: bigTrace,
      ...(sent === 0 && i === 0 ? { spanId: rootId, parentSpanId: undefined } : { parentSpanId: rootId }),
      startTimeUnixNano: (base + BigInt(sent + i) * 1000n).toString(),
      endTimeUnixNano: (base + BigInt(sent + i) * 1000n + 500n).toString(),
    }));
    const answer = await post(`${server.url}v1/traces`, protobufBody(spans), PROTOBUF);
    if (answer.status !== 200) throw new Error(`store phase: ${answer.status} ${answer.text}`);
  }
  const afterBig = await server.stats();
  const bigTraceResponse = (await (await fetch(`${server.url}api/traces/${bigTrace}`)).json()) as TraceResponse;
  const newestAfterBig = (await server.has(newest)).filter(Boolean).length;
  await server.stop();
  const bigSummary = bigTraceResponse.summary;
  const result = {
    store_max_traces: maxTraces,
    store_traces_sent: total,
    store_traces_kept: full.store.traces,
    store_newest_traces_kept: newestKept,
    store_older_traces_kept: oldestKept,
    store_rss_mb_start: round1(start.rssMb),
    store_rss_mb_at_10x: round1(full.rssMb),
    store_heap_mb_start: round1(start.heapMb),
    store_heap_mb_at_10x: round1(full.heapMb),
    max_spans_per_trace: maxSpansPerTrace,
    million_span_trace_sent: BIG_TRACE_SPANS,
    million_span_trace_kept: bigSummary?.spanCount ?? null,
    million_span_trace_dropped: bigSummary?.droppedSpans ?? null,
    million_span_trace_rejected_in_partial_success: afterBig.ingest.rejectedSpans,
    million_span_trace_warning: bigTraceResponse.warnings[0] ?? null,
    million_span_store_dropped_spans: afterBig.store.droppedSpans,
    million_span_other_traces_kept: newestAfterBig,
    million_span_other_traces_note: 'the big trace is a new trace: the least recently active of the 2,000 is evicted to make room (maxTraces)',
    store_rss_mb_after_million: round1(afterBig.rssMb),
    store_heap_mb_after_million: round1(afterBig.heapMb),
    store_peak_rss_mb: round1(afterBig.maxRssMb),
  };
  console.log(`  store: ${total} traces -> ${full.store.traces} kept (newest ${newestKept}/${maxTraces}); 1,000,000-span trace -> ${result.million_span_trace_kept} kept, ${result.million_span_trace_dropped} dropped; RSS ${result.store_rss_mb_at_10x} / ${result.store_rss_mb_after_million} MB`);
  return result;
}

async function sustainedPhase(): Promise<Record<string, unknown>> {
  const server = await startServerProcess();
  const capacity = await runClient('capacity', server.url, 0, CAPACITY_SECONDS);
  const rate = Math.max(BATCH_SPANS, Math.floor(capacity.spansPerS));
  // One run at the measured capacity: a warm-up (the allocator reaches its working set at this rate and
  // concurrency), then the measured minute, from the server's own counters and memory.
  const samples: Array<{ atS: number; rssMb: number; heapMb: number }> = [];
  const clientStarted = performance.now();
  const sample = (): Promise<ServerStats> =>
    server.stats().then((stats) => {
      samples.push({ atS: Math.round((performance.now() - clientStarted) / 1000), rssMb: round1(stats.rssMb), heapMb: round1(stats.heapMb) });
      return stats;
    });
  let start: ServerStats | undefined;
  let startedAt = 0;
  const warmedUp = setTimeout(() => {
    startedAt = performance.now();
    void sample().then((stats) => (start = stats));
  }, SUSTAINED_WARMUP_SECONDS * 1000);
  const sampler = setInterval(() => void sample(), 10_000);
  let sustained: ClientResult;
  try {
    sustained = await runClient('sustain', server.url, rate, SUSTAINED_WARMUP_SECONDS + SUSTAINED_SECONDS);
  } finally {
    clearTimeout(warmedUp);
    clearInterval(sampler);
  }
  const end = await sample();
  const endedAt = performance.now();
  await server.stop();
  if (start === undefined) throw new Error('sustained: the run ended before its warm-up did');
  const measuredS = (endedAt - startedAt) / 1000;
  const served = end.ingest.requests - capacity.accepted;
  const result = {
    capacity_spans_per_s: Math.round(capacity.spansPerS),
    sustained_target_spans_per_s: rate,
    sustained_warmup_seconds: SUSTAINED_WARMUP_SECONDS,
    sustained_seconds: round1(measuredS),
    sustained_spans_per_s: Math.round((end.ingest.acceptedSpans - start.ingest.acceptedSpans) / measuredS),
    sustained_requests: sustained.accepted,
    sustained_requests_served_by_server: served,
    sustained_503_retried: sustained.overloaded,
    sustained_reconnects: sustained.reconnected,
    sustained_lost_requests: sustained.lost + Math.abs(served - sustained.accepted),
    sustained_lost_statuses: sustained.lostStatuses,
    sustained_max_in_flight: sustained.maxInFlight,
    sustained_rss_mb_start: round1(start.rssMb),
    sustained_rss_mb_end: round1(end.rssMb),
    sustained_rss_growth_pct: round1(((end.rssMb - start.rssMb) / start.rssMb) * 100),
    sustained_heap_mb_start: round1(start.heapMb),
    sustained_heap_mb_end: round1(end.heapMb),
    sustained_heap_growth_pct: round1(((end.heapMb - start.heapMb) / start.heapMb) * 100),
    sustained_samples: samples,
    sustained_store_spans: end.store.spans,
  };
  console.log(`  sustained: capacity ${result.capacity_spans_per_s} spans/s; ${result.sustained_spans_per_s} spans/s for ${result.sustained_seconds} s after a ${SUSTAINED_WARMUP_SECONDS} s warm-up, ${result.sustained_lost_requests} lost, RSS ${result.sustained_rss_mb_start} -> ${result.sustained_rss_mb_end} MB (${result.sustained_rss_growth_pct}%), heap ${result.sustained_heap_growth_pct}%`);
  return result;
}

async function probesPhase(): Promise<Record<string, unknown>> {
  const browser = await launchRebindingChromium();
  try {
    const results = await runCrossSiteProbes({ browser });
    const foreign = countProbes(results, 'foreign-origin');
    const rebinding = countProbes(results, 'rebinding');
    const exposure = countProbes(results, 'exposure');
    console.log(`  probes: foreign origin ${foreign.refused}/${foreign.tried}, rebinding ${rebinding.refused}/${rebinding.tried}, exposure ${exposure.refused}/${exposure.tried} refused`);
    return {
      foreign_origin_refused: foreign.refused,
      foreign_origin_tried: foreign.tried,
      rebinding_refused: rebinding.refused,
      rebinding_tried: rebinding.tried,
      exposure_refused: exposure.refused,
      exposure_tried: exposure.tried,
      probes: results.map((r) => ({ group: r.group, name: r.name, refused: r.refused, detail: r.detail })),
    };
  } finally {
    await browser.close();
  }
}

async function main(): Promise<void> {
  const phases: Record<string, () => Promise<Record<string, unknown>>> = { fuzz: fuzzPhase, bomb: bombPhase, store: storePhase, sustained: sustainedPhase, probes: probesPhase };
  const chosen = (process.env.OVERLAP_HOSTILE_PHASES ?? Object.keys(phases).join(',')).split(',').map((p) => p.trim()).filter(Boolean);
  const previous = existsSync(RESULTS) ? (JSON.parse(readFileSync(RESULTS, 'utf8')) as Record<string, unknown>) : {};
  const results: Record<string, unknown> = { ...previous };
  for (const name of chosen) {
    const phase = phases[name];
    if (phase === undefined) throw new Error(`unknown phase "${name}" (known: ${Object.keys(phases).join(', ')})`);
    console.log(`== ${name}`);
    Object.assign(results, await phase(), { [`${name}_measured_at`]: new Date().toISOString() });
  }
  Object.assign(results, { node: process.version, cpus: cpus().length, written_at: new Date().toISOString() });
  mkdirSync(fileURLToPath(new URL('./results/', import.meta.url)), { recursive: true });
  writeFileSync(RESULTS, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`wrote ${RESULTS}`);
  agent.destroy();
}

// Chosen last, once every constant above is initialised.
const role = process.argv[2];
if (role === '--serve') await serve(JSON.parse(process.argv[3] ?? '{}') as Record<string, unknown>);
else if (role === '--client') await client(process.argv[3] as 'capacity' | 'sustain', process.argv[4]!, Number(process.argv[5]), Number(process.argv[6]));
else await main();
