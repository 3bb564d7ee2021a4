// The runner's cost per call on the path users take, against what a careful engineer writes without it
// and against p-queue and cockatiel; its memory; and how closely it follows the ideal schedule. Run
// with `npm run bench` (which builds first); writes bench/results/runner.json. Timing lives here,
// never in the tests.
//
// Every contender runs N calls of one tool from one run, at most 16 at a time, each with a 1 s timeout
// and a span, in one process with OTel's AsyncLocalStorage context manager on and spans going through
// a BatchSpanProcessor (see SpanCounter.ts) to an exporter that drops them. Bodies are asynchronous:
// `await Promise.resolve()`, the same reading its signal, or `setImmediate` (a macrotask). Each round
// visits the sizes, the bodies and the contenders in a new random order, and the ratios are taken
// within a round, between runs seconds apart. Every run checks that the contender really queued
// (16 in flight and N-16 waiting once all calls are issued, and again halfway through) and that every
// span it ended was exported; after each phase (timed runs, memory, makespan) every span ended since
// the start must have been exported, and `spans_exported_ratio` (exported/ended over every span of
// every contender, unrounded) is read after the last flush. The synchronous body (`n => n`), which the runner finishes before the
// next call is issued, so that nothing ever queues, is reported apart as the sync fast path.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GenAiAttributes, OverlapAttributes, seededRandom } from '@overlap/shared';
import { LIMIT, type Body, type BodyKind, type Contender, type GateState } from './contenders/Contender.js';
import { handwrittenContender } from './contenders/handwritten.js';
import { handwrittenSameSpansContender } from './contenders/handwrittenSameSpans.js';
import { cockatielContender, pQueueContender } from './contenders/libraries.js';
import { runnerContender, runnerSharedSignalContender } from './contenders/runner.js';
import { resultsDir } from './paths.js';
import { BSP_MAX_QUEUE_SIZE, SpanCounter } from './SpanCounter.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc (npm run bench does)');
const collect = gc;

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
/** Comma-separated groups to run (async, signal, immediate, shared, sync, memory, makespan); all by default. */
const ONLY = process.env.BENCH_ONLY?.split(',');
const wanted = (group: string): boolean => ONLY === undefined || ONLY.includes(group);
const random = seededRandom(Number(process.env.BENCH_SEED ?? 12));
const counter = new SpanCounter();
const tracer = counter.tracer;
const failures: string[] = [];

// --- Bodies. `probe` lets the body of the call halfway through a run look at its contender's gate. ---
const probe: { at: number; state: (() => GateState) | undefined; seen: GateState | undefined } = {
  at: -1,
  state: undefined,
  seen: undefined,
};
function probed(run: Body): Body {
  return (i, signal) => {
    if (i === probe.at) probe.seen = probe.state!();
    return run(i, signal);
  };
}
const bodies = {
  async: { name: 'async', readsSignal: false, run: probed(async (i) => { await Promise.resolve(); return i; }) },
  signal: {
    name: 'async, reads its signal',
    readsSignal: true,
    run: probed(async (i, signal) => {
      if (signal.aborted) throw signal.reason;
      await Promise.resolve();
      return i;
    }),
  },
  immediate: { name: 'setImmediate', readsSignal: false, run: probed((i) => new Promise<number>((resolve) => setImmediate(resolve, i))) },
  sync: { name: 'sync', readsSignal: false, run: (i: number) => i },
} satisfies Record<string, BodyKind>;

// --- What runs in each round. ---
interface Group {
  /** Key of the group in the results. */
  readonly key: string;
  readonly sizes: readonly number[];
  /** Whether calls must queue (checked on every run). */
  readonly queued: boolean;
  readonly contenders: readonly Contender[];
  /** Sizes past which a contender is skipped (its cost grows with the queue; a round would take minutes). */
  readonly maxSize?: Readonly<Record<string, number>>;
}
const SIZES = [10_000, 100_000, 200_000];
const LIBRARY_MAX = { 'p-queue': 100_000, cockatiel: 100_000 };
const groups: Group[] = [
  {
    key: 'async',
    sizes: SIZES,
    queued: true,
    contenders: [
      runnerContender(tracer, bodies.async),
      handwrittenContender(tracer, bodies.async.run),
      handwrittenSameSpansContender(tracer, bodies.async.run),
      pQueueContender(tracer, bodies.async.run),
      cockatielContender(tracer, bodies.async.run),
    ],
    maxSize: LIBRARY_MAX,
  },
  {
    key: 'signal',
    sizes: SIZES,
    queued: true,
    contenders: [
      runnerContender(tracer, bodies.signal),
      handwrittenContender(tracer, bodies.signal.run),
      handwrittenSameSpansContender(tracer, bodies.signal.run),
    ],
  },
  {
    key: 'immediate',
    sizes: SIZES,
    queued: true,
    contenders: [
      runnerContender(tracer, bodies.immediate),
      handwrittenContender(tracer, bodies.immediate.run),
      pQueueContender(tracer, bodies.immediate.run),
      cockatielContender(tracer, bodies.immediate.run),
    ],
    maxSize: LIBRARY_MAX,
  },
  { key: 'shared', sizes: [10_000, 200_000], queued: true, contenders: [runnerSharedSignalContender(tracer, bodies.async)] },
  {
    key: 'sync',
    sizes: [100_000],
    queued: false,
    contenders: [runnerContender(tracer, bodies.sync), handwrittenContender(tracer, bodies.sync.run)],
  },
].filter((group) => wanted(group.key));

function shuffled<T>(items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

/** The median; a failed run (NaN) counts as the slowest. */
function median(values: readonly number[]): number {
  const sorted = values.map((v) => (Number.isNaN(v) ? Infinity : v)).sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Spans ended and exported by the runner's contenders in the timed runs. */
const runnerSpans = { ended: 0, exported: 0 };

/**
 * Exports every span ended so far and fails the benchmark if, since the start, a span ended that was not
 * exported. Every phase (timed runs, memory, makespan) ends with it, and the report is written after the
 * last, so no count is read while spans still wait in the BatchSpanProcessor.
 */
async function checkAllSpansExported(phase: string): Promise<void> {
  await counter.flush();
  if (counter.exported !== counter.ended) {
    failures.push(`${phase}: ${counter.ended} spans ended since the start, ${counter.exported} exported`);
  }
}

/** One run of `n` calls; checks that it queued and lost no span. Returns nanoseconds per call. */
async function timeRun(contender: Contender, n: number, queued: boolean, label: string): Promise<number> {
  const caller = new AbortController();
  let issued: GateState | undefined;
  probe.at = n >> 1;
  probe.state = contender.state;
  probe.seen = undefined;
  const ended = counter.ended;
  const exported = counter.exported;
  collect();
  const start = process.hrtime.bigint();
  try {
    await contender.run(n, caller.signal, () => {
      issued = contender.state();
    });
  } catch (error) {
    // A call that timed out or failed: the contender did not do the work, so the run has no time.
    failures.push(`${label}: ${error instanceof Error ? error.message : String(error)}`);
    caller.abort(error);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await counter.flush();
    return NaN;
  }
  const ns = Number(process.hrtime.bigint() - start);
  await counter.flush();
  const endedNow = counter.ended - ended;
  const exportedNow = counter.exported - exported;
  if (contender.name.startsWith('runner')) {
    runnerSpans.ended += endedNow;
    runnerSpans.exported += exportedNow;
  }
  if (exportedNow !== endedNow) failures.push(`${label}: ${endedNow} spans ended, ${exportedNow} exported`);
  if (queued) {
    if (endedNow !== contender.spansPerRun(n)) failures.push(`${label}: ${endedNow} spans ended, expected ${contender.spansPerRun(n)}`);
    if (issued?.inFlight !== LIMIT || issued.queued !== n - LIMIT) {
      failures.push(`${label}: once issued, ${issued?.inFlight} in flight and ${issued?.queued} queued (expected ${LIMIT} and ${n - LIMIT})`);
    }
    const remaining = n - probe.at;
    const midway = probe.seen as GateState | undefined;
    if (!contender.handsOffAtOnce) {
      if (midway === undefined || midway.queued > remaining) failures.push(`${label}: the call halfway through never ran`);
    } else if (midway?.inFlight !== LIMIT || midway.queued > remaining || midway.queued < remaining - 2 * LIMIT) {
      failures.push(`${label}: halfway, ${midway?.inFlight} in flight and ${midway?.queued} queued (expected ${LIMIT} and about ${remaining - LIMIT})`);
    }
  }
  probe.at = -1;
  return ns / n;
}

// --- The same-spans baseline writes what the runner writes. ---
/**
 * Runs 64 calls through the runner and through 'handwritten, same spans' and fails the benchmark unless
 * both ended the same spans: per span name, the same count, the same attribute keys and the same values
 * of the attributes that do not vary between calls (ids, times and waits do), and queue spans that are
 * children of call spans.
 */
async function checkSameSpans(): Promise<void> {
  const describe = async (contender: Contender): Promise<string[]> => {
    const seen: string[] = [];
    const names = new Map<string, string>();
    counter.capture = (span) => {
      names.set(span.spanContext().spanId, span.name);
      const varying = new Set<string>([GenAiAttributes.TOOL_CALL_ID, GenAiAttributes.AGENT_ID, OverlapAttributes.QUEUE_WAIT_MS, OverlapAttributes.QUEUE_AHEAD]);
      const attributes = Object.keys(span.attributes)
        .sort()
        .map((key) => (varying.has(key) ? key : `${key}=${JSON.stringify(span.attributes[key])}`));
      seen.push(`${span.name} [${span.kind}] parent:${span.parentSpanContext === undefined ? '-' : '?' + span.parentSpanContext.spanId} ${attributes.join(' ')}`);
    };
    await contender.run(64, new AbortController().signal);
    counter.capture = undefined;
    await counter.flush();
    // Parents by name, once every span is known.
    return seen
      .map((line) => line.replace(/parent:\?([0-9a-f]+)/, (_, id: string) => `parent:${names.get(id) ?? 'outside'}`))
      .sort();
  };
  const runner = await describe(runnerContender(tracer, bodies.async));
  const byHand = await describe(handwrittenSameSpansContender(tracer, bodies.async.run));
  const differ = runner.length !== byHand.length || runner.some((line, i) => line !== byHand[i]);
  if (differ) {
    const only = (a: string[], b: string[]): string[] => [...new Set(a.filter((line) => !b.includes(line)))].slice(0, 3);
    failures.push(`'${SAME_SPANS}' does not write the runner's spans: runner only ${JSON.stringify(only(runner, byHand))}; by hand only ${JSON.stringify(only(byHand, runner))}`);
  }
}

// --- Per-call cost. ---
type Cells = Record<string, Record<string, Record<number, number[]>>>;
const cells: Cells = {};
/** Per round, the runner's cost over the hand-written one's, by group and size. */
const ratios: Record<string, Record<number, number[]>> = {};
/** The same over the hand-written version that writes the runner's spans ('handwritten, same spans'). */
const sameSpansRatios: Record<string, Record<number, number[]>> = {};
const SAME_SPANS = 'handwritten, same spans';

async function perCallCosts(): Promise<void> {
  for (const group of groups) {
    for (const contender of group.contenders) {
      for (let i = 0; i < 2; i += 1) await timeRun(contender, 5_000, group.queued, `warm-up ${group.key} ${contender.name}`);
    }
  }
  for (let round = 0; round < ROUNDS; round += 1) {
    const visits = shuffled(groups.flatMap((group) => group.sizes.map((n) => ({ group, n }))));
    for (const { group, n } of visits) {
      const byName: Record<string, number> = {};
      for (const contender of shuffled(group.contenders)) {
        if (n > (group.maxSize?.[contender.name] ?? Infinity)) continue;
        const ns = await timeRun(contender, n, group.queued, `${group.key} ${contender.name} ${n}`);
        byName[contender.name] = ns;
        ((cells[group.key] ??= {})[contender.name] ??= {})[n] ??= [];
        cells[group.key]![contender.name]![n]!.push(ns);
      }
      if (byName.runner !== undefined && byName.handwritten !== undefined) {
        ((ratios[group.key] ??= {})[n] ??= []).push(byName.runner / byName.handwritten);
      }
      if (byName.runner !== undefined && byName[SAME_SPANS] !== undefined) {
        ((sameSpansRatios[group.key] ??= {})[n] ??= []).push(byName.runner / byName[SAME_SPANS]);
      }
      process.stdout.write('.');
    }
    process.stdout.write(` round ${round + 1}/${ROUNDS}\n`);
  }
}

// --- Memory on the queued path. ---
/**
 * Heap per call while `n` calls are issued and queued (after a GC, before any has finished), and heap
 * per call still held once the run is over, its spans exported and GC has run.
 */
async function memoryPerCall(n: number): Promise<{ queued: number; retained: number }> {
  const contender = runnerContender(tracer, bodies.async);
  await contender.run(1_000, new AbortController().signal);
  await counter.flush();
  for (let i = 0; i < 3; i += 1) collect();
  const before = process.memoryUsage().heapUsed;
  let whileQueued = 0;
  await contender.run(n, new AbortController().signal, () => {
    collect();
    whileQueued = process.memoryUsage().heapUsed;
  });
  await counter.flush();
  await new Promise((resolve) => setTimeout(resolve, 50));
  for (let i = 0; i < 3; i += 1) collect();
  const after = process.memoryUsage().heapUsed;
  return { queued: (whileQueued - before) / n, retained: (after - before) / n };
}

// --- Makespan. ---
/**
 * Makespan of `count` tasks of 1-20 ms (nominal) under a limit of 16, from the first task's start to
 * the last one's end, against the greedy FIFO schedule (each task in issue order starts on the first
 * of 16 workers to free up) of the nominal durations, and of the sleeps the tasks measured (a timer
 * fires a little late; that lateness is not the runner's).
 */
async function makespan(which: 'runner' | 'handwritten', count: number): Promise<{ vsNominal: number; vsMeasured: number; actualMs: number }> {
  const durations = Array.from({ length: count }, () => 1 + Math.floor(random() * 20));
  const startedAt = new Array<number>(count);
  const endedAt = new Array<number>(count);
  const sleep: Body = (i) =>
    new Promise<number>((resolve) => {
      startedAt[i] = performance.now();
      setTimeout(() => {
        endedAt[i] = performance.now();
        resolve(i);
      }, durations[i]);
    });
  const contender =
    which === 'runner'
      ? runnerContender(tracer, { name: 'sleep', readsSignal: false, run: sleep })
      : handwrittenContender(tracer, sleep);
  const ended = counter.ended;
  await contender.run(count, new AbortController().signal);
  await counter.flush();
  if (counter.ended - ended !== contender.spansPerRun(count)) {
    failures.push(`makespan ${which}: ${counter.ended - ended} spans ended, expected ${contender.spansPerRun(count)}`);
  }
  const actualMs = Math.max(...endedAt) - Math.min(...startedAt);
  const greedy = (duration: (i: number) => number): number => {
    const workers = new Array<number>(LIMIT).fill(0);
    for (let i = 0; i < count; i += 1) {
      let earliest = 0;
      for (let w = 1; w < LIMIT; w += 1) if (workers[w]! < workers[earliest]!) earliest = w;
      workers[earliest]! += duration(i);
    }
    return Math.max(...workers);
  };
  return {
    actualMs,
    vsNominal: actualMs / greedy((i) => durations[i]!),
    vsMeasured: actualMs / greedy((i) => endedAt[i]! - startedAt[i]!),
  };
}

// --- Run and report. ---
console.log(
  `runner benchmark: limit ${LIMIT}, sizes ${SIZES.join(', ')}, ${ROUNDS} rounds, Node ${process.version}, ` +
    `BatchSpanProcessor maxQueueSize ${BSP_MAX_QUEUE_SIZE}`,
);
await checkSameSpans();
await perCallCosts();
await checkAllSpansExported('per-call runs');
const memory = wanted('memory') ? { 50_000: await memoryPerCall(50_000), 200_000: await memoryPerCall(200_000) } : undefined;
await checkAllSpansExported('memory runs');
const makespans: Record<'runner' | 'handwritten', Array<{ vsNominal: number; vsMeasured: number; actualMs: number }>> = {
  runner: [],
  handwritten: [],
};
if (wanted('makespan')) {
  for (let i = 0; i < 3; i += 1) {
    for (const which of shuffled(['runner', 'handwritten'] as const)) makespans[which].push(await makespan(which, 1_000));
  }
}
await checkAllSpansExported('makespan runs');

const medians: Record<string, Record<string, Record<number, number>>> = {};
for (const [group, byName] of Object.entries(cells)) {
  medians[group] = {};
  for (const [name, bySize] of Object.entries(byName)) {
    medians[group][name] = Object.fromEntries(Object.entries(bySize).map(([n, values]) => [n, Math.round(median(values))]));
  }
}
const fmt = (ns: number | undefined) => (ns === undefined ? '—' : `${(ns / 1000).toFixed(2)} µs`);
for (const [group, byName] of Object.entries(medians)) {
  console.log(`\nper call, body: ${group}`);
  console.table(
    Object.fromEntries(
      Object.entries(byName).map(([name, bySize]) => [
        name,
        Object.fromEntries(Object.entries(bySize).map(([n, ns]) => [`${Number(n) / 1000}k`, fmt(ns)])),
      ]),
    ),
  );
}

const ratio = (group: string, n: number, from = ratios): number | undefined => {
  const values = from[group]?.[n];
  return values === undefined ? undefined : Number(median(values).toFixed(3));
};
const cost = (group: string, name: string, n: number): number | undefined => medians[group]?.[name]?.[n];
const medianOf = <T>(values: T[], pick: (value: T) => number): number | undefined =>
  values.length === 0 ? undefined : Number(median(values.map(pick)).toFixed(4));
const shared10k = cost('shared', 'runner.call, one caller signal', 10_000);
const shared200k = cost('shared', 'runner.call, one caller signal', 200_000);
const report = {
  node: process.version,
  limit: LIMIT,
  rounds: ROUNDS,
  bsp_max_queue_size: BSP_MAX_QUEUE_SIZE,
  overhead_vs_handwritten: ratio('async', 100_000),
  overhead_vs_handwritten_signal: ratio('signal', 100_000),
  overhead_vs_handwritten_immediate: ratio('immediate', 100_000),
  // Against the hand-written version that writes the runner's spans and attributes (not the baseline).
  overhead_vs_handwritten_same_spans: ratio('async', 100_000, sameSpansRatios),
  overhead_vs_handwritten_signal_same_spans: ratio('signal', 100_000, sameSpansRatios),
  handwritten_same_spans_per_call_ns_100k: cost('async', SAME_SPANS, 100_000),
  per_call_ns_10k: cost('async', 'runner', 10_000),
  per_call_ns_100k: cost('async', 'runner', 100_000),
  per_call_ns_200k: cost('async', 'runner', 200_000),
  handwritten_per_call_ns_100k: cost('async', 'handwritten', 100_000),
  per_call_ns_shared_signal_10k: shared10k,
  per_call_ns_shared_signal_200k: shared200k,
  shared_signal_200k_vs_per_call_10k:
    shared200k === undefined || cost('async', 'runner', 10_000) === undefined
      ? undefined
      : Number((shared200k / cost('async', 'runner', 10_000)!).toFixed(3)),
  shared_signal_200k_vs_10k: shared200k === undefined || shared10k === undefined ? undefined : Number((shared200k / shared10k).toFixed(3)),
  sync_fast_path_per_call_ns_100k: cost('sync', 'runner', 100_000),
  sync_fast_path_handwritten_per_call_ns_100k: cost('sync', 'handwritten', 100_000),
  queued_bytes_per_call_200k: memory === undefined ? undefined : Math.round(memory[200_000].queued),
  retained_bytes_per_call:
    memory === undefined ? undefined : Number(Math.max(memory[50_000].retained, memory[200_000].retained).toFixed(1)),
  retained_bytes_per_call_50k: memory === undefined ? undefined : Number(memory[50_000].retained.toFixed(1)),
  retained_bytes_per_call_200k: memory === undefined ? undefined : Number(memory[200_000].retained.toFixed(1)),
  makespan_vs_ideal: medianOf(makespans.runner, (m) => m.vsNominal),
  makespan_vs_measured_sleeps: medianOf(makespans.runner, (m) => m.vsMeasured),
  handwritten_makespan_vs_ideal: medianOf(makespans.handwritten, (m) => m.vsNominal),
  makespan_ms: medianOf(makespans.runner, (m) => m.actualMs),
  // Unrounded: one span in 20 million missing shows as 0.99999995, not as 1.
  spans_exported_ratio: counter.ended === 0 ? undefined : counter.exported / counter.ended,
  spans_ended: counter.ended,
  spans_exported: counter.exported,
  runner_spans_exported_ratio: runnerSpans.ended === 0 ? undefined : runnerSpans.exported / runnerSpans.ended,
  runner_spans_ended: runnerSpans.ended,
  per_call_ns: medians,
  ratios_by_size: Object.fromEntries(
    Object.entries(ratios).map(([group, bySize]) => [group, Object.fromEntries(Object.keys(bySize).map((n) => [n, ratio(group, Number(n))]))]),
  ),
  failures,
};
console.table({
  overhead_vs_handwritten: { value: report.overhead_vs_handwritten, target: '<= 1.0' },
  overhead_vs_handwritten_signal: { value: report.overhead_vs_handwritten_signal, target: '<= 1.1' },
  overhead_vs_handwritten_same_spans: { value: report.overhead_vs_handwritten_same_spans, target: '(reported apart)' },
  overhead_vs_handwritten_signal_same_spans: { value: report.overhead_vs_handwritten_signal_same_spans, target: '(reported apart)' },
  'per_call_ns_shared_signal_200k / per_call_ns_10k': { value: report.shared_signal_200k_vs_per_call_10k, target: '<= 1.3' },
  'per_call_ns_shared_signal_200k / shared 10k': { value: report.shared_signal_200k_vs_10k, target: '<= 1.3' },
  retained_bytes_per_call: { value: report.retained_bytes_per_call, target: '~0' },
  makespan_vs_ideal: { value: report.makespan_vs_ideal, target: `handwritten: ${report.handwritten_makespan_vs_ideal}` },
  spans_exported_ratio: { value: report.spans_exported_ratio, target: '= 1' },
});
mkdirSync(resultsDir, { recursive: true });
const out = process.env.BENCH_OUT ?? join(resultsDir, 'runner.json');
writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
console.log(`wrote ${out}`);
await counter.close();
if (failures.length > 0) {
  console.error(`\nFAILED: ${failures.length} check(s)\n${failures.slice(0, 20).join('\n')}`);
  process.exit(1);
}
