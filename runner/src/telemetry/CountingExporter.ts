import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';

type ExportResult = Parameters<Parameters<SpanExporter['export']>[1]>[0];

/** Counts of one destination. */
export interface ExportCounts {
  /** Spans the destination accepted. */
  exported: number;
  /** Spans lost because the destination failed or could not be reached. */
  failed: number;
}

/**
 * Wraps an exporter to count what it delivered and what it lost, and to turn a failure into a warning
 * rather than an error: a destination that is down costs the app a warning, nothing more.
 */
export class CountingExporter implements SpanExporter {
  readonly counts: ExportCounts = { exported: 0, failed: 0 };

  constructor(
    readonly destination: string,
    readonly inner: SpanExporter,
    readonly warn: (message: string, kind: string) => void,
  ) {}

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    try {
      this.inner.export(spans, (result) => {
        if (result.code === 0) this.counts.exported += spans.length;
        else {
          this.counts.failed += spans.length;
          this.warn(
            `traces to ${this.destination} failed (${this.counts.failed} span(s) lost so far): ${result.error?.message ?? 'unknown error'}`,
            `export-failed:${this.destination}`,
          );
        }
        resultCallback(result);
      });
    } catch (error) {
      this.counts.failed += spans.length;
      this.warn(`traces to ${this.destination} failed: ${(error as Error).message}`, `export-failed:${this.destination}`);
      resultCallback({ code: 1, error: error as Error });
    }
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}
