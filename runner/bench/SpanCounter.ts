// OpenTelemetry as an application sets it up (AsyncLocalStorage context manager, a BatchSpanProcessor),
// exporting to nowhere, and counting every span that ends and every span the exporter receives, so a
// benchmark can check that no contender wins by having its spans dropped.
import { context, trace, type Context, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BatchSpanProcessor,
  TracerProvider,
  type ReadableSpan,
  type Span,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace';

/**
 * The BatchSpanProcessor's queue. Its default, 2,048, drops spans whenever a burst ends spans faster than
 * one 512-span export per few microtasks drains them (and a benchmark ends spans in bursts). A larger
 * queue drops nothing and costs every contender the same; the counts below check that it drops nothing.
 */
export const BSP_MAX_QUEUE_SIZE = 1 << 20;

/** Spans ended (seen by a processor beside the BatchSpanProcessor) and spans exported, since start. */
export class SpanCounter implements SpanProcessor {
  ended = 0;
  exported = 0;
  readonly tracer: Tracer;
  readonly #provider: TracerProvider;

  constructor() {
    const exporter: SpanExporter = {
      export: (spans: ReadableSpan[], done) => {
        this.exported += spans.length;
        done({ code: 0 });
      },
      shutdown: () => Promise.resolve(),
    };
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    this.#provider = new TracerProvider({
      spanProcessors: [this, new BatchSpanProcessor({ exporter, maxQueueSize: BSP_MAX_QUEUE_SIZE })],
    });
    trace.setGlobalTracerProvider(this.#provider);
    this.tracer = trace.getTracer('bench');
  }

  onStart(_span: Span, _parent: Context): void {}
  /** While set, sees every span that ends (the benchmark compares what contenders write with it). */
  capture: ((span: ReadableSpan) => void) | undefined;

  onEnd(span: ReadableSpan): void {
    this.ended += 1;
    this.capture?.(span);
  }
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }

  /** Exports every span still queued. */
  flush(): Promise<void> {
    return this.#provider.forceFlush();
  }

  close(): Promise<void> {
    return this.#provider.shutdown();
  }
}
