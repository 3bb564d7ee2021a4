import type { Context } from '@opentelemetry/api';
import { TracerProvider, type ReadableSpan, type Span, type SpanProcessor } from '@opentelemetry/sdk-trace';
import { Runner } from '@overlap/runner';
import { seededRandom } from '@overlap/shared';
import { afterEach } from 'vitest';
import { createUpstream, type Upstream, type UpstreamOptions } from '../src/index.js';

/** When each recorded span started and ended, as positions in one sequence of starts and ends. */
const sequence = new WeakMap<object, { started: number; ended?: number }>();
let nextPosition = 0;

/**
 * Records every span: those started and not yet ended, and those ended, in order of ending. It also
 * numbers every start and end in the order they happen, which tells which spans were open at the same
 * time exactly, whatever the clocks say (see {@link overlap}).
 */
export class RecordingProcessor implements SpanProcessor {
  readonly open = new Set<Span>();
  readonly ended: ReadableSpan[] = [];
  onStart(span: Span, _parent: Context): void {
    sequence.set(span, { started: nextPosition++ });
    this.open.add(span);
  }
  onEnd(span: ReadableSpan): void {
    const position = sequence.get(span);
    if (position !== undefined) position.ended = nextPosition++;
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

/** A runner whose spans are recorded in memory, with a seeded jitter source. */
export function tracedRunner() {
  const recorder = new RecordingProcessor();
  const tracer = new TracerProvider({ spanProcessors: [recorder] }).getTracer('examples-test');
  const warnings: string[] = [];
  const runner = new Runner({ tracer, random: seededRandom(7), onWarning: (m) => warnings.push(m) });
  return { runner, recorder, tracer, warnings };
}

const upstreams: Upstream[] = [];

/** Starts an upstream that is closed after the test. */
export async function startUpstream(options: UpstreamOptions = {}): Promise<Upstream> {
  const upstream = await createUpstream(options);
  upstreams.push(upstream);
  return upstream;
}

afterEach(async () => {
  await Promise.all(upstreams.splice(0).map((u) => u.close()));
});

/** One trace's spans, with lookups by name and by parent. */
export class Trace {
  constructor(readonly spans: readonly ReadableSpan[]) {}

  /** The spans of trace `traceId` among those recorded. */
  static of(recorder: RecordingProcessor, traceId: string | undefined): Trace {
    if (traceId === undefined) throw new Error('the run has no trace id');
    return new Trace(recorder.ended.filter((s) => s.spanContext().traceId === traceId));
  }

  named(name: string): ReadableSpan[] {
    return this.spans.filter((s) => s.name === name);
  }

  one(name: string): ReadableSpan {
    const found = this.named(name);
    if (found.length !== 1) throw new Error(`expected one span "${name}", found ${found.length}: ${this.spans.map((s) => s.name).join(', ')}`);
    return found[0]!;
  }

  /** The run's `invoke_agent` span. */
  get root(): ReadableSpan {
    const roots = this.spans.filter((s) => s.name.startsWith('invoke_agent '));
    if (roots.length !== 1) throw new Error(`expected one invoke_agent span, found ${roots.length}`);
    return roots[0]!;
  }

  childrenOf(span: ReadableSpan): ReadableSpan[] {
    const id = span.spanContext().spanId;
    return this.spans.filter((s) => s.parentSpanContext?.spanId === id);
  }

  /** The spans of tool calls (`execute_tool ...`) and model calls (`chat ...`). */
  get calls(): ReadableSpan[] {
    return this.spans.filter((s) => s.name.startsWith('execute_tool ') || s.name.startsWith('chat '));
  }
}

/** A span's start and end in milliseconds. */
export function interval(span: ReadableSpan): { start: number; end: number } {
  const start = span.startTime[0] * 1e3 + span.startTime[1] / 1e6;
  const end = span.endTime[0] * 1e3 + span.endTime[1] / 1e6;
  return { start, end };
}

/** Milliseconds from a span's start to its end. */
export function durationMs(span: ReadableSpan): number {
  return span.duration[0] * 1e3 + span.duration[1] / 1e6;
}

/**
 * How far apart two spans' clocks may be, in milliseconds. The OpenTelemetry SDK turns a span's
 * `performance.now()` start into wall-clock time with an offset it measures when the span is created
 * (`Date.now()`, whole milliseconds, then `performance.now()`), and times the end of a span given a
 * start time with `Date.now()`. So times read from two different spans disagree by a millisecond or so,
 * more when the process is descheduled at the wrong moment on a busy machine; times within one span
 * agree. Which spans overlapped is therefore read from the order of starts and ends ({@link overlap},
 * {@link endsBefore}), and clock times are compared across spans only for durations, with this slack.
 */
export const SPAN_SKEW_MS = 5;

function positions(span: ReadableSpan): { started: number; ended: number } {
  const position = sequence.get(span);
  if (position?.ended === undefined) throw new Error(`span "${span.name}" was not recorded start to end`);
  return { started: position.started, ended: position.ended };
}

/** Whether two spans were open at the same time: each started before the other ended. */
export function overlap(a: ReadableSpan, b: ReadableSpan): boolean {
  const x = positions(a);
  const y = positions(b);
  return x.started < y.ended && y.started < x.ended;
}

/** The spans sorted by when they started. */
export function inStartOrder(spans: readonly ReadableSpan[]): ReadableSpan[] {
  return [...spans].sort((a, b) => positions(a).started - positions(b).started);
}

/** Whether `a` ended before `b` started. */
export function endsBefore(a: ReadableSpan, b: ReadableSpan): boolean {
  return positions(a).ended < positions(b).started;
}

/** A span event's time in milliseconds. */
export function eventMs(event: { time: [number, number] }): number {
  return event.time[0] * 1e3 + event.time[1] / 1e6;
}
