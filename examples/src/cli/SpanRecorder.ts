import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import { readableSpanToRecord } from '@overlap/runner/telemetry';
import { GenAiAttributes, type SpanRecord } from '@overlap/shared';

function isCall(span: ReadableSpan): boolean {
  const operation = span.attributes[GenAiAttributes.OPERATION_NAME];
  return operation === 'execute_tool' || operation === 'chat';
}

/** A span processor that keeps every ended span as a {@link SpanRecord}, and counts calls for progress. */
export class SpanRecorder implements SpanProcessor {
  readonly spans: SpanRecord[] = [];
  callsStarted = 0;
  callsEnded = 0;

  onStart(span: Span, _parentContext: Context): void {
    if (isCall(span as unknown as ReadableSpan)) this.callsStarted += 1;
  }

  onEnd(span: ReadableSpan): void {
    if (isCall(span)) this.callsEnded += 1;
    this.spans.push(readableSpanToRecord(span, false));
  }

  /** Spans of one trace. */
  traceSpans(traceId: string): SpanRecord[] {
    return this.spans.filter((s) => s.traceId === traceId);
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
