// Ingest throughput of POST /v1/traces: 20 batches of 512 spans, sent one after another over one
// keep-alive connection, in protobuf and in JSON, to a server in a process of its own, as an app's
// exporter would send them (bodies are encoded before the clock starts, so the figure is HTTP + decoding
// + conversion + store). After one untimed warm-up round, five rounds per encoding on a fresh server
// each; the median round is reported. Writes bench/results/ingest.json.
//
//   node --expose-gc --import tsx bench/ingest.bench.ts
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { GenAiAttributes, OverlapAttributes, OverlapEvents, spansToOtlp } from '@overlap/shared';
import type { SpanRecord } from '@overlap/shared';
import { createDashboardServer } from '../src/server/index.js';
import { encodeOtlpProtobufRequest } from '../src/server/testing/index.js';

const BATCHES = 20;
const BATCH_SIZE = 512;
const SPANS_PER_TRACE = 32;
const ROUNDS = 5;
const WARMUP_BATCHES = 3;

type Encoding = 'protobuf' | 'json';

let sequence = 0;
function hex(value: number, length: number): string {
  return value.toString(16).padStart(length, '0');
}

/** One batch of realistic Overlap spans: traces of an agent root and tool calls with attributes and an event. */
function makeBatch(): SpanRecord[] {
  const spans: SpanRecord[] = [];
  const resource = { serviceName: 'bench-agent', attributes: { 'service.name': 'bench-agent', 'host.name': 'bench', 'process.pid': 4242, [OverlapAttributes.RUNNER_ID]: 'r-1' } };
  const scope = { name: '@overlap/runner', version: '0.1.0' };
  const baseNanos = 1_764_072_000_000_000_000n;
  for (let t = 0; t < BATCH_SIZE / SPANS_PER_TRACE; t++) {
    const traceId = hex(++sequence, 32);
    const rootId = hex(++sequence, 16);
    for (let s = 0; s < SPANS_PER_TRACE; s++) {
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

async function post(url: string, body: Buffer, encoding: Encoding): Promise<void> {
  const response = await fetch(`${url}v1/traces`, {
    method: 'POST',
    headers: { 'content-type': encoding === 'protobuf' ? 'application/x-protobuf' : 'application/json' },
    body,
  });
  const text = await response.text();
  if (response.status !== 200 || (encoding === 'json' && text !== '{}') || (encoding === 'protobuf' && text.length !== 0)) {
    throw new Error(`unexpected answer ${response.status}: ${text}`);
  }
}

/** The server's side: with `--serve`, this file starts a fresh dashboard server each time its parent asks. */
async function serve(): Promise<void> {
  let server: ReturnType<typeof createDashboardServer> | undefined;
  process.on('message', (message: { type: 'start' | 'stop' }) => {
    void (async () => {
      await server?.close();
      server = undefined;
      if (message.type === 'start') {
        server = createDashboardServer({ port: 0, maxSpans: 1_000_000, maxTraces: 100_000, pageDir: '/nonexistent' });
        (globalThis as { gc?: () => void }).gc?.();
        process.send!({ url: (await server.listen()).url });
      } else {
        process.disconnect();
      }
    })();
  });
}

/** Asks the server process for a fresh server; resolves its URL. */
function freshServer(child: ChildProcess): Promise<string> {
  return new Promise((resolve) => {
    child.once('message', (message: { url: string }) => resolve(message.url));
    child.send({ type: 'start' });
  });
}

async function round(child: ChildProcess, encoding: Encoding): Promise<{ spansPerS: number; elapsedMs: number; bodyBytes: number }> {
  const warmup = Array.from({ length: WARMUP_BATCHES }, () => encode(makeBatch(), encoding));
  const bodies = Array.from({ length: BATCHES }, () => encode(makeBatch(), encoding));
  const url = await freshServer(child);
  for (const body of warmup) await post(url, body, encoding);
  const started = performance.now();
  for (const body of bodies) await post(url, body, encoding);
  const elapsedMs = performance.now() - started;
  const health = (await (await fetch(`${url}healthz`)).json()) as { store: { spans: number } };
  if (health.store.spans !== (WARMUP_BATCHES + BATCHES) * BATCH_SIZE) throw new Error(`stored ${health.store.spans} spans`);
  return { spansPerS: (BATCHES * BATCH_SIZE) / (elapsedMs / 1000), elapsedMs, bodyBytes: bodies.reduce((n, b) => n + b.length, 0) / BATCHES };
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

if (process.argv.includes('--serve')) {
  await serve();
} else {
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url), '--serve'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const results: Record<string, unknown> = {};
  for (const encoding of ['protobuf', 'json'] as const) {
    await round(child, encoding); // warm-up: lets the JIT compile the decode path before anything is timed
    const rounds = [];
    for (let r = 0; r < ROUNDS; r++) rounds.push(await round(child, encoding));
    const spansPerS = median(rounds.map((r) => r.spansPerS));
    results[`ingest_spans_per_s_${encoding}`] = Math.round(spansPerS);
    results[`rounds_spans_per_s_${encoding}`] = rounds.map((r) => Math.round(r.spansPerS));
    results[`batch_body_bytes_${encoding}`] = Math.round(rounds[0]!.bodyBytes);
    console.log(`${encoding.padEnd(8)} ${Math.round(spansPerS).toLocaleString('en')} spans/s (rounds: ${rounds.map((r) => `${Math.round(r.spansPerS)} in ${r.elapsedMs.toFixed(0)} ms`).join(', ')}; ${Math.round(rounds[0]!.bodyBytes / 1024)} KiB per batch)`);
  }

  const output = {
    ...results,
    batches: BATCHES,
    batch_size: BATCH_SIZE,
    spans_per_trace: SPANS_PER_TRACE,
    rounds: ROUNDS,
    node: process.version,
    cpus: cpus().length,
    measured_at: new Date().toISOString(),
    method: 'sequential POSTs over keep-alive from a client process to the server in its own process; bodies pre-encoded; one warm-up round, then the median of the rounds',
  };
  const dir = fileURLToPath(new URL('./results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}ingest.json`, `${JSON.stringify(output, null, 2)}\n`);
  console.log(`wrote ${dir}ingest.json`);
  child.send({ type: 'stop' });
}
