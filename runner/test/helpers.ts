import type { Context } from '@opentelemetry/api';
import { TracerProvider, type ReadableSpan, type Span, type SpanProcessor } from '@opentelemetry/sdk-trace';
import { Runner, type Clock, type RunnerOptions } from '../src/index.js';

/** Records every span: those started and not yet ended, and those ended, in order of ending. */
export class RecordingProcessor implements SpanProcessor {
  readonly open = new Set<Span>();
  readonly ended: ReadableSpan[] = [];
  onStart(span: Span, _parent: Context): void {
    this.open.add(span);
  }
  onEnd(span: ReadableSpan): void {
    this.open.delete(span as Span);
    this.ended.push(span);
  }
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** A tracer whose spans are recorded in memory, and a runner that uses it. */
export function tracedRunner(options: RunnerOptions = {}) {
  const recorder = new RecordingProcessor();
  const provider = new TracerProvider({ spanProcessors: [recorder] });
  const tracer = provider.getTracer('test');
  const warnings: string[] = [];
  const runner = new Runner({ tracer, onWarning: (m) => warnings.push(m), ...options });
  return {
    runner,
    tracer,
    recorder,
    warnings,
    spans: () => recorder.ended,
    byName: (name: string) => recorder.ended.filter((s) => s.name === name),
    one: (name: string) => {
      const found = recorder.ended.filter((s) => s.name === name);
      if (found.length !== 1) throw new Error(`expected one span "${name}", found ${found.length}: ${recorder.ended.map((s) => s.name).join(', ')}`);
      return found[0]!;
    },
    parentOf: (span: ReadableSpan) => recorder.ended.find((s) => s.spanContext().spanId === span.parentSpanContext?.spanId),
  };
}

/** Milliseconds between a span's start and end. */
export function durationMs(span: ReadableSpan): number {
  return span.duration[0] * 1e3 + span.duration[1] / 1e6;
}

/** A promise with its resolve and reject exposed. */
export function deferred<T = void>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Waits `ms` on the (possibly fake) timers; rejects with the signal's reason when it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Lets pending promise callbacks run. */
export async function flush(rounds = 10): Promise<void> {
  for (let i = 0; i < rounds; i += 1) await Promise.resolve();
}

/** A seeded random number generator (mulberry32). */
export { seededRandom } from '@overlap/shared';

/** Milliseconds since the epoch of a span time. */
export function msOf(time: readonly [number, number]): number {
  return time[0] * 1e3 + time[1] / 1e6;
}

/**
 * A clock on the (possibly fake) timers whose every read is `stepMs` (a microsecond) later than the one
 * before, as on a real machine where no two reads agree: a test on it sees two times as equal only when
 * the runner meant them to be the same instant.
 */
export function tickingClock(stepMs = 0.001, startMs = 5_000): Clock & { reads: number } {
  const clock = {
    reads: 0,
    now: () => startMs + performance.now() + (clock.reads += 1) * stepMs,
    setTimeout: (callback: () => void, delayMs: number) => setTimeout(callback, delayMs),
    clearTimeout: (handle: unknown) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  };
  return clock;
}

/**
 * A full garbage collection, for tests that check with a `WeakRef` that nothing keeps an object alive.
 * Works without `--expose-gc`: the flag is turned on here and `gc` taken from a fresh context.
 */
export async function collectGarbage(): Promise<void> {
  const { setFlagsFromString } = await import('node:v8');
  const { runInNewContext } = await import('node:vm');
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  // Let finished promise jobs drop their references first.
  await new Promise((resolve) => setImmediate(resolve));
  gc();
  gc();
}
