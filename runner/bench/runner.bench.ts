// The runner's cost per call against what people write without it, its memory, and how closely it
// follows the ideal schedule. Run with `npm run bench` (which builds first); writes
// bench/results/runner.json. Timing lives here, never in the tests.
//
// Everything runs in this one process, in rounds that alternate the contenders, with OTel's
// AsyncLocalStorage context manager on and spans going through a BatchSpanProcessor to an exporter
// that drops them.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { context, trace, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { TracerProvider, BatchSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace';
import type { StandardSchemaV1 } from '@standard-schema/spec';
import { bulkhead, timeout, TimeoutStrategy, wrap } from 'cockatiel';
import pLimit from 'p-limit';
import PQueue from 'p-queue';
import { seededRandom } from '@overlap/shared';
import { Runner, Semaphore, defineAgent, defineTool } from '../dist/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc (npm run bench does)');

// --- OpenTelemetry as an application would set it up, exporting to nowhere. ---
class DroppingExporter implements SpanExporter {
  exported = 0;
  export(spans: ReadableSpan[], done: (result: { code: 0 }) => void): void {
    this.exported += spans.length;
    done({ code: 0 });
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
const exporter = new DroppingExporter();
const provider = new TracerProvider({ spanProcessors: [new BatchSpanProcessor({ exporter })] });
trace.setGlobalTracerProvider(provider);
const tracer: Tracer = trace.getTracer('bench');

const LIMIT = 16;
const TIMEOUT_MS = 30_000;
const SIZES = [10_000, 100_000, 200_000];
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

const passThrough: StandardSchemaV1<number> = {
  '~standard': { version: 1, vendor: 'bench', validate: (value) => ({ value: value as number }) },
};
const noWork = (n: number): number => n;

// --- The contenders: each runs `n` calls of a tool that does no work, all queued at once. ---
type Contender = (n: number, caller: AbortSignal) => Promise<unknown>;

function runnerContender(): Contender {
  const runner = new Runner({ tracer });
  const gate = new Semaphore({ name: 'bench', permits: LIMIT });
  const tool = defineTool({ name: 'no_work', input: passThrough, timeoutMs: TIMEOUT_MS, gates: [gate], run: noWork });
  const agent = defineAgent({
    name: 'bench',
    run(ctx, n: number) {
      const calls = new Array<Promise<number>>(n);
      for (let i = 0; i < n; i += 1) calls[i] = ctx.call(tool, i);
      return Promise.all(calls);
    },
  });
  return (n, caller) => runner.run(agent, n, { signal: caller });
}

function bareContender(): Contender {
  return (n) => {
    const calls = new Array<Promise<number>>(n);
    for (let i = 0; i < n; i += 1) calls[i] = Promise.resolve(noWork(i));
    return Promise.all(calls);
  };
}

/** What a careful engineer writes by hand: p-limit, a timeout that holds even if the body ignores it, a span. */
function handwrittenContender(): Contender {
  const limit = pLimit(LIMIT);
  const callOnce = (i: number, caller: AbortSignal) =>
    limit(() =>
      tracer.startActiveSpan('execute_tool no_work', (span) => {
        span.setAttribute('gen_ai.operation.name', 'execute_tool');
        span.setAttribute('gen_ai.tool.name', 'no_work');
        const controller = new AbortController();
        const onCallerAbort = () => controller.abort(caller.reason);
        caller.addEventListener('abort', onCallerAbort, { once: true });
        return new Promise<number>((resolve, reject) => {
          const timer = setTimeout(() => {
            controller.abort(new Error('timeout'));
            reject(new Error('timeout'));
          }, TIMEOUT_MS);
          Promise.resolve()
            .then(() => noWork(i))
            .then(resolve, reject)
            .finally(() => {
              clearTimeout(timer);
              caller.removeEventListener('abort', onCallerAbort);
              span.end();
            });
        });
      }),
    );
  return (n, caller) => {
    const calls = new Array<Promise<number>>(n);
    for (let i = 0; i < n; i += 1) calls[i] = callOnce(i, caller);
    return Promise.all(calls);
  };
}

function pQueueContender(): Contender {
  const queue = new PQueue({ concurrency: LIMIT });
  const callOnce = (i: number) =>
    queue.add(() =>
      tracer.startActiveSpan('execute_tool no_work', (span) => {
        span.setAttribute('gen_ai.operation.name', 'execute_tool');
        span.setAttribute('gen_ai.tool.name', 'no_work');
        const value = noWork(i);
        span.end();
        return value;
      }),
    );
  return (n) => {
    const calls = new Array<Promise<unknown>>(n);
    for (let i = 0; i < n; i += 1) calls[i] = callOnce(i);
    return Promise.all(calls);
  };
}

function cockatielContender(): Contender {
  return (n, caller) => {
    const policy = wrap(bulkhead(LIMIT, n), timeout(TIMEOUT_MS, TimeoutStrategy.Aggressive));
    const calls = new Array<Promise<number>>(n);
    for (let i = 0; i < n; i += 1) calls[i] = policy.execute(() => noWork(i), caller);
    return Promise.all(calls);
  };
}

const contenders: Record<string, Contender> = {
  runner: runnerContender(),
  'bare Promise.all': bareContender(),
  'handwritten (p-limit + AbortController + span)': handwrittenContender(),
  'p-queue + span': pQueueContender(),
  'cockatiel bulkhead + timeout': cockatielContender(),
};

async function timeOnce(contender: Contender, n: number): Promise<number> {
  const caller = new AbortController();
  gc!();
  const start = process.hrtime.bigint();
  await contender(n, caller.signal);
  const ns = Number(process.hrtime.bigint() - start);
  await provider.forceFlush();
  return ns / n;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

// cockatiel and p-queue slow down as their queue grows; past this size a round would take minutes.
const SKIP_ABOVE: Record<string, number> = { 'cockatiel bulkhead + timeout': 100_000, 'p-queue + span': 200_000 };

async function perCallCosts(): Promise<Record<string, Record<number, number>>> {
  const results: Record<string, Record<number, number[]>> = {};
  for (const name of Object.keys(contenders)) results[name] = {};
  // Warm up every contender so the JIT has compiled each path.
  for (const contender of Object.values(contenders)) await timeOnce(contender, 5_000);
  for (const n of SIZES) {
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const [name, contender] of Object.entries(contenders)) {
        if (n > (SKIP_ABOVE[name] ?? Infinity)) continue;
        (results[name]![n] ??= []).push(await timeOnce(contender, n));
      }
      process.stdout.write('.');
    }
  }
  process.stdout.write('\n');
  const medians: Record<string, Record<number, number>> = {};
  for (const [name, bySize] of Object.entries(results)) {
    medians[name] = Object.fromEntries(Object.entries(bySize).map(([n, v]) => [n, median(v)]));
  }
  return medians;
}

/** Heap still held per call once a run of `n` calls is over, its timers have fired and GC has run. */
async function retainedBytesPerCall(n: number): Promise<number> {
  const run = runnerContender();
  await run(1_000, new AbortController().signal);
  await provider.forceFlush();
  for (let i = 0; i < 3; i += 1) gc!();
  const before = process.memoryUsage().heapUsed;
  await run(n, new AbortController().signal);
  await provider.forceFlush();
  await new Promise((resolve) => setTimeout(resolve, 50));
  for (let i = 0; i < 3; i += 1) gc!();
  const after = process.memoryUsage().heapUsed;
  // Can come out slightly negative: the heap before the run still held the warm-up's leftovers.
  return (after - before) / n;
}

/**
 * Makespan of `count` tasks of 1-20 ms under a limit of 16 (from the first task's start to the last
 * one's end, as the tasks measured them), against the greedy FIFO schedule of their measured sleeps:
 * each task in issue order starts on the first of 16 workers to free up.
 */
async function makespan(count: number): Promise<{ actualMs: number; idealMs: number; wallMs: number }> {
  const random = seededRandom(2026);
  const durations = Array.from({ length: count }, () => 1 + Math.floor(random() * 20));
  const startedAt = new Array<number>(count);
  const endedAt = new Array<number>(count);
  const runner = new Runner({ tracer });
  const gate = new Semaphore({ name: 'makespan', permits: LIMIT });
  const sleepTool = defineTool({
    name: 'sleep',
    input: passThrough,
    gates: [gate],
    run: (i) =>
      new Promise<void>((resolve) => {
        startedAt[i] = performance.now();
        setTimeout(() => {
          endedAt[i] = performance.now();
          resolve();
        }, durations[i]);
      }),
  });
  const agent = defineAgent({
    name: 'makespan',
    run: (ctx) => ctx.all(durations.map((_, i) => ctx.call(sleepTool, i))),
  });
  const wallStart = performance.now();
  await runner.run(agent, undefined);
  const wallMs = performance.now() - wallStart;
  const actualMs = Math.max(...endedAt) - Math.min(...startedAt);
  const workers = new Array<number>(LIMIT).fill(0);
  for (let i = 0; i < count; i += 1) {
    let earliest = 0;
    for (let w = 1; w < LIMIT; w += 1) if (workers[w]! < workers[earliest]!) earliest = w;
    workers[earliest]! += endedAt[i]! - startedAt[i]!;
  }
  return { actualMs, idealMs: Math.max(...workers), wallMs };
}

// --- Run and report. ---
console.log(`runner benchmark: limit ${LIMIT}, sizes ${SIZES.join(', ')}, ${ROUNDS} rounds, Node ${process.version}`);
const costs = await perCallCosts();
const retained = await retainedBytesPerCall(100_000);
const makespans = [];
for (let i = 0; i < 3; i += 1) makespans.push(await makespan(1_000));
makespans.sort((a, b) => a.actualMs / a.idealMs - b.actualMs / b.idealMs);
const spans = makespans[1]!;

const fmt = (ns: number | undefined) => (ns === undefined ? '—' : `${(ns / 1000).toFixed(2)} µs`);
const rows = Object.entries(costs).map(([name, bySize]) => ({
  contender: name,
  '10k calls': fmt(bySize[10_000]),
  '100k calls': fmt(bySize[100_000]),
  '200k calls': fmt(bySize[200_000]),
}));
console.table(rows);

const runnerCosts = costs.runner!;
const handwritten = costs['handwritten (p-limit + AbortController + span)']!;
const report = {
  node: process.version,
  limit: LIMIT,
  rounds: ROUNDS,
  per_call_ns: costs,
  per_call_ns_10k: Math.round(runnerCosts[10_000]!),
  per_call_ns_100k: Math.round(runnerCosts[100_000]!),
  per_call_ns_200k: Math.round(runnerCosts[200_000]!),
  handwritten_per_call_ns_100k: Math.round(handwritten[100_000]!),
  overhead_vs_handwritten: Number((runnerCosts[100_000]! / handwritten[100_000]!).toFixed(3)),
  flatness_200k_vs_10k: Number((runnerCosts[200_000]! / runnerCosts[10_000]!).toFixed(3)),
  retained_bytes_per_call: Number(retained.toFixed(1)),
  makespan_ms: Number(spans.actualMs.toFixed(1)),
  makespan_wall_ms: Number(spans.wallMs.toFixed(1)),
  makespan_ideal_ms: Number(spans.idealMs.toFixed(1)),
  makespan_vs_ideal: Number((spans.actualMs / spans.idealMs).toFixed(4)),
  spans_exported: exporter.exported,
};
console.table({
  overhead_vs_handwritten: { value: report.overhead_vs_handwritten, target: '<= 1.0' },
  'per_call_ns_200k / per_call_ns_10k': { value: report.flatness_200k_vs_10k, target: '<= 1.3' },
  retained_bytes_per_call: { value: report.retained_bytes_per_call, target: '<= 100' },
  makespan_vs_ideal: { value: report.makespan_vs_ideal, target: '<= 1.005' },
});
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(join(here, 'results', 'runner.json'), `${JSON.stringify(report, null, 2)}\n`);
console.log(`wrote ${join('bench', 'results', 'runner.json')}`);
await provider.shutdown();
