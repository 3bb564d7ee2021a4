// The SQLite store (`--db`) at a million spans: how fast it ingests while it fills, and how fast the
// queries the page needs answer once it holds 1,000,000 spans. The server runs in a process of its own
// (`createDashboardServer({ db })`, exactly what `overlap-dashboard --db FILE` builds); this process is
// the client, over HTTP on loopback, so every figure includes the HTTP round trip and JSON.
//
// 1. Fill: 31,094 traces of 32 spans (an agent root and tool calls, three agents, two services, start
//    times spread over the last 24 hours) plus one trace of 5,000 spans, posted as OTLP/JSON batches of
//    512 spans, one after another. `db_ingest_spans_per_s` is spans over the time spent in the POSTs
//    (encoding the bodies on this side is not counted), over the whole fill, the file growing to 1M spans.
// 2. Restart: the server is closed and started again on the file (`db_reopen_ms_1m`: opening, the
//    integrity check and the first answer).
// 3. Queries, each a real REST call: the list the page loads (`GET /api/traces?limit=200`, newest first),
//    filtered by agent, service, outcome, minimum duration and time range, and paged with cursors deep into
//    the list. The first list after the restart summarises its 200 traces (`db_list_cold_ms_1m`); the key
//    figure `db_list_ms_1m` is the median over every list query of the mix, each asked once cold then
//    timed warm. `db_open_trace_ms_1m` is the median of opening 50 random traces (`GET /api/traces/:id`),
//    each opened once only; per-tool percentiles over the last hour and over everything are timed too.
//
// Writes bench/results/db.json. The file goes to a temporary directory and is removed at the end.
//
//   node --expose-gc --import tsx bench/db.bench.ts
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GenAiAttributes, OverlapAttributes, OverlapEvents, spansToOtlp } from '@overlap/shared';
import type { SpanRecord, TraceListResponse } from '@overlap/shared';
import { createDashboardServer } from '../dist/server/index.js';

const TOTAL_SPANS = 1_000_000;
const SPANS_PER_TRACE = 32;
const BIG_TRACE_SPANS = 5_000;
const BATCH_SIZE = 512;
const LIST_LIMIT = 200;
const OPENS = 50;
const DAY_MS = 86_400_000;
const AGENTS = ['researcher', 'support', 'planner'];
const SERVICES = ['agents-eu', 'agents-us'];

function hex(value: number, length: number): string {
  return value.toString(16).padStart(length, '0');
}

const nowMs = Date.now();
const smallTraces = Math.floor((TOTAL_SPANS - BIG_TRACE_SPANS) / SPANS_PER_TRACE);
let spanSequence = 0;

/** Trace `t`'s spans: an agent root and tool calls with Overlap's attributes, starting `t`'s share of the last day. */
function makeTrace(t: number, size: number): SpanRecord[] {
  const traceId = hex(t + 1, 32);
  const rootId = hex(++spanSequence, 16);
  const agent = AGENTS[t % AGENTS.length]!;
  const serviceName = SERVICES[t % SERVICES.length]!;
  const resource = { serviceName, attributes: { 'service.name': serviceName, 'host.name': 'bench', [OverlapAttributes.RUNNER_ID]: `r-${t % 4}` } };
  const scope = { name: '@overlap/runner', version: '0.1.0' };
  const startMs = nowMs - DAY_MS + Math.floor((t / (smallTraces + 1)) * DAY_MS);
  const start = BigInt(startMs) * 1_000_000n;
  const wallNanos = BigInt(200 + (t % 37) * 40) * 1_000_000n;
  const spans: SpanRecord[] = [];
  for (let s = 0; s < size; s++) {
    const isRoot = s === 0;
    const spanStart = isRoot ? start : start + BigInt(s % 8) * 3_000_000n;
    const outcome = !isRoot && s % 11 === 0 ? 'timeout' : t % 13 === 0 && isRoot ? 'error' : 'ok';
    spans.push({
      traceId,
      spanId: isRoot ? rootId : hex(++spanSequence, 16),
      ...(isRoot ? {} : { parentSpanId: rootId }),
      name: isRoot ? `invoke_agent ${agent}` : `execute_tool tool_${s % 7}`,
      kind: isRoot ? 'internal' : 'client',
      startTimeUnixNano: spanStart.toString(),
      endTimeUnixNano: (isRoot ? start + wallNanos : spanStart + wallNanos / 4n).toString(),
      attributes: isRoot
        ? { [GenAiAttributes.OPERATION_NAME]: 'invoke_agent', [GenAiAttributes.AGENT_NAME]: agent, [OverlapAttributes.OUTCOME]: outcome, [OverlapAttributes.DEADLINE_MS]: 30000 }
        : {
            [GenAiAttributes.OPERATION_NAME]: 'execute_tool',
            [GenAiAttributes.TOOL_NAME]: `tool_${s % 7}`,
            [GenAiAttributes.TOOL_CALL_ID]: `call_${spanSequence}`,
            [OverlapAttributes.OUTCOME]: outcome,
            [OverlapAttributes.QUEUE_WAIT_MS]: (s % 5) * 1.25,
            [OverlapAttributes.ATTEMPT]: 1 + (s % 3 === 0 ? 1 : 0),
            [OverlapAttributes.GATE]: ['search-api', 'global'],
            [OverlapAttributes.TIMEOUT_MS]: 5000,
          },
      events: isRoot ? [] : [{ name: OverlapEvents.ATTEMPT_START, timeUnixNano: (spanStart + 1000n).toString(), attributes: { [OverlapAttributes.ATTEMPT]: 1 } }],
      links: [],
      status: { code: outcome === 'ok' ? 'unset' : 'error' },
      resource,
      scope,
    });
  }
  return spans;
}

/** The server's side: with `--serve <file>`, starts a dashboard on the file each time its parent asks. */
async function serve(path: string): Promise<void> {
  let server: ReturnType<typeof createDashboardServer> | undefined;
  process.on('message', (message: { type: 'start' | 'stop' }) => {
    void (async () => {
      await server?.close();
      server = undefined;
      if (message.type === 'start') {
        server = createDashboardServer({ port: 0, db: path, pageDir: '/nonexistent' });
        (globalThis as { gc?: () => void }).gc?.();
        process.send!({ url: (await server.listen()).url });
      } else {
        process.disconnect();
      }
    })();
  });
}

function startServer(child: ChildProcess): Promise<string> {
  return new Promise((resolve) => {
    child.once('message', (message: { url: string }) => resolve(message.url));
    child.send({ type: 'start' });
  });
}

async function post(url: string, spans: readonly SpanRecord[]): Promise<number> {
  const body = JSON.stringify(spansToOtlp(spans));
  const started = performance.now();
  const response = await fetch(`${url}v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  const text = await response.text();
  const elapsedMs = performance.now() - started;
  if (response.status !== 200 || text !== '{}') throw new Error(`unexpected answer ${response.status}: ${text}`);
  return elapsedMs;
}

async function timedGet<T>(url: string): Promise<{ ms: number; body: T }> {
  const started = performance.now();
  const response = await fetch(url);
  const body = (await response.json()) as T;
  const ms = performance.now() - started;
  if (!response.ok) throw new Error(`GET ${url}: ${response.status} ${JSON.stringify(body)}`);
  return { ms, body };
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const round1 = (value: number): number => Math.round(value * 10) / 10;

if (process.argv.includes('--serve')) {
  await serve(process.argv[process.argv.indexOf('--serve') + 1]!);
} else {
  const directory = mkdtempSync(join(tmpdir(), 'overlap-db-bench-'));
  const path = join(directory, 'traces.db');
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url), '--serve', path], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    let url = await startServer(child);

    // 1. Fill to a million spans.
    let pending: SpanRecord[] = [];
    let postMs = 0;
    let posted = 0;
    const windows: Array<{ spans: number; ms: number }> = [];
    let windowMs = 0;
    let windowSpans = 0;
    const flush = async (): Promise<void> => {
      while (pending.length >= BATCH_SIZE || (pending.length > 0 && posted + pending.length >= TOTAL_SPANS)) {
        const batch = pending.splice(0, BATCH_SIZE);
        const ms = await post(url, batch);
        postMs += ms;
        windowMs += ms;
        posted += batch.length;
        windowSpans += batch.length;
        if (windowSpans >= 100_000) {
          windows.push({ spans: windowSpans, ms: windowMs });
          process.stdout.write(`  ${posted.toLocaleString('en')} spans, ${Math.round(windowSpans / (windowMs / 1000)).toLocaleString('en')} spans/s\n`);
          windowSpans = 0;
          windowMs = 0;
        }
      }
    };
    const bigAt = Math.floor(smallTraces / 2);
    for (let t = 0; t < smallTraces; t++) {
      pending.push(...makeTrace(t, t === bigAt ? BIG_TRACE_SPANS : SPANS_PER_TRACE));
      await flush();
    }
    const remainder = TOTAL_SPANS - posted - pending.length;
    if (remainder > 0) pending.push(...makeTrace(smallTraces, remainder));
    await flush();
    if (windowSpans > 0) windows.push({ spans: windowSpans, ms: windowMs });
    const health = (await (await fetch(`${url}healthz`)).json()) as { store: { spans: number; traces: number } };
    if (health.store.spans !== TOTAL_SPANS) throw new Error(`stored ${health.store.spans} spans, expected ${TOTAL_SPANS}`);
    const ingestSpansPerS = TOTAL_SPANS / (postMs / 1000);
    console.log(`filled: ${health.store.spans.toLocaleString('en')} spans in ${health.store.traces.toLocaleString('en')} traces, ${Math.round(ingestSpansPerS).toLocaleString('en')} spans/s`);

    // 2. Restart on the file.
    const reopenStarted = performance.now();
    url = await startServer(child);
    const reopenMs = performance.now() - reopenStarted;
    const fileMb = (statSync(path).size + (statSync(`${path}-wal`, { throwIfNoEntry: false })?.size ?? 0)) / 1024 / 1024;

    // 3. Queries.
    const sinceIso = new Date(nowMs - 6 * 3_600_000).toISOString();
    const untilIso = new Date(nowMs - 3 * 3_600_000).toISOString();
    const listQueries = [
      '',
      'agent=support',
      'service=agents-us',
      'outcome=error',
      'minDurationMs=1500',
      `since=${encodeURIComponent(sinceIso)}&until=${encodeURIComponent(untilIso)}`,
      'agent=planner&outcome=timeout&minDurationMs=1000',
    ];
    const cold = await timedGet<TraceListResponse>(`${url}api/traces?limit=${LIST_LIMIT}`);
    const listTimes: Record<string, number> = {};
    const warm: number[] = [];
    for (const query of listQueries) {
      await timedGet(`${url}api/traces?limit=${LIST_LIMIT}&${query}`);
      const runs: number[] = [];
      for (let i = 0; i < 5; i++) runs.push((await timedGet(`${url}api/traces?limit=${LIST_LIMIT}&${query}`)).ms);
      listTimes[query === '' ? 'newest' : query] = round1(median(runs));
      warm.push(median(runs));
    }
    // Deep paging: follow the cursor 20 pages in (4,000 traces back), each page cold, then timed warm.
    let cursor = cold.body.nextCursor;
    const pageTimes: number[] = [];
    for (let page = 0; page < 20 && cursor !== null; page++) {
      const pageUrl = `${url}api/traces?limit=${LIST_LIMIT}&cursor=${encodeURIComponent(cursor)}`;
      const first = await timedGet<TraceListResponse>(pageUrl);
      pageTimes.push(first.ms);
      cursor = first.body.nextCursor;
    }
    listTimes['cursor pages (cold, median)'] = round1(median(pageTimes));
    warm.push(median(pageTimes));

    const traceIds = Array.from({ length: OPENS }, (_, i) => hex(Math.floor(((i + 0.5) / OPENS) * smallTraces) + 1, 32)).filter((id) => id !== hex(bigAt + 1, 32));
    const opens: number[] = [];
    for (const traceId of traceIds) opens.push((await timedGet(`${url}api/traces/${traceId}`)).ms);
    const big = await timedGet<{ spans: unknown[] }>(`${url}api/traces/${hex(bigAt + 1, 32)}`);
    if (big.body.spans.length !== BIG_TRACE_SPANS) throw new Error(`the big trace has ${big.body.spans.length} spans`);
    const statsHour = await timedGet(`${url}api/stats?since=${encodeURIComponent(new Date(nowMs - 3_600_000).toISOString())}`);
    const statsAll = await timedGet(`${url}api/stats`);

    const results = {
      db_list_ms_1m: round1(median(warm)),
      db_list_cold_ms_1m: round1(cold.ms),
      db_open_trace_ms_1m: round1(median(opens)),
      db_open_trace_max_ms_1m: round1(Math.max(...opens)),
      db_open_trace_5000_spans_ms_1m: round1(big.ms),
      db_ingest_spans_per_s: Math.round(ingestSpansPerS),
      db_ingest_spans_per_s_per_100k: windows.map((w) => Math.round(w.spans / (w.ms / 1000))),
      db_stats_last_hour_ms_1m: round1(statsHour.ms),
      db_stats_all_ms_1m: round1(statsAll.ms),
      db_reopen_ms_1m: round1(reopenMs),
      db_file_mb_1m: round1(fileMb),
      list_ms_by_query: listTimes,
      list_limit: LIST_LIMIT,
      spans: TOTAL_SPANS,
      traces: health.store.traces,
      spans_per_trace: SPANS_PER_TRACE,
      batch_size: BATCH_SIZE,
      node: process.version,
      cpus: cpus().length,
      measured_at: new Date().toISOString(),
      method:
        'server in its own process (createDashboardServer({ db })), client over HTTP on loopback; fill by sequential OTLP/JSON POSTs of 512 spans (time in the POSTs only); ' +
        'then a restart on the file; lists: each query once cold, then the median of 5 warm runs; cursor pages and trace opens each once (cold); every figure includes HTTP and JSON',
    };
    console.log(JSON.stringify(results, null, 2));
    const dir = fileURLToPath(new URL('./results/', import.meta.url));
    mkdirSync(dir, { recursive: true });
    writeFileSync(`${dir}db.json`, `${JSON.stringify(results, null, 2)}\n`);
    console.log(`wrote ${dir}db.json`);
  } finally {
    child.send({ type: 'stop' });
    await new Promise((resolve) => child.once('exit', resolve));
    rmSync(directory, { recursive: true, force: true });
  }
}
