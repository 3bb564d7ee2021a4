import { assembleTrace, decodeSpanColumns, layoutWaterfall, spanVersionKey } from '@overlap/shared';
import type { SpanRecord } from '@overlap/shared';
import type { TraceAnalysis } from './analyseTrace.js';
import { analyseTrace } from './analyseTrace.js';
import type { AnalysisRequest, AnalysisResponse, TraceLayout } from './analysisProtocol.js';

/** Options of {@link AnalysisClient}. */
export interface AnalysisClientOptions {
  /**
   * URL of the built analysis worker script. When absent, or when the worker cannot start, the
   * analysis runs on the main thread (slower pages stutter on large traces, but still work).
   * @defaultValue none (main thread)
   */
  workerUrl?: URL;
  /** Called with each analysis of the current trace. */
  onAnalysis: (analysis: TraceAnalysis) => void;
  /** Called with the layout of a trace given to {@link AnalysisClient.load}, or why it failed. */
  onLayout?: (layout: TraceLayout | { readonly traceId: string; readonly error: string }) => void;
  /** Called when an analysis fails. @defaultValue logs with `console.error` */
  onError?: (message: string) => void;
}

/**
 * The page's side of the analysis worker: mirrors the selected trace's spans into it and asks for
 * analyses, at most one at a time; answers for a trace that is no longer selected are dropped.
 *
 * @example
 * ```ts
 * const analysis = new AnalysisClient({ workerUrl, onAnalysis: (a) => headline.show(a.summary) });
 * analysis.reset(traceId, ack.spans);
 * analysis.request(Date.now());
 * ```
 */
export class AnalysisClient {
  private readonly worker: Worker | undefined;
  private traceId = '';
  private seq = 0;
  private inFlightSeq: number | undefined;
  private queuedNowMs: number | undefined;
  private fallbackSpans: SpanRecord[] = [];
  private loadSeq: number | undefined;

  constructor(private readonly options: AnalysisClientOptions) {
    if (options.workerUrl !== undefined && typeof Worker === 'function') {
      try {
        this.worker = new Worker(options.workerUrl, { type: 'module', name: 'overlap-analysis' });
        this.worker.onmessage = (event: MessageEvent<AnalysisResponse>) => this.receive(event.data);
        this.worker.onerror = (event) => {
          event.preventDefault();
          // The request in flight will not be answered; let the next one go.
          this.inFlightSeq = undefined;
          this.fail(`analysis worker failed: ${event.message}`);
        };
      } catch (error) {
        this.fail(`analysis worker did not start: ${error instanceof Error ? error.message : String(error)}`);
        this.worker = undefined;
      }
    }
  }

  /** Whether an analysis is being computed. */
  get busy(): boolean {
    return this.inFlightSeq !== undefined;
  }

  /** Switches to another trace, with its spans so far. */
  reset(traceId: string, spans: readonly SpanRecord[]): void {
    this.traceId = traceId;
    this.inFlightSeq = undefined;
    this.queuedNowMs = undefined;
    this.loadSeq = undefined;
    if (this.worker !== undefined) this.post({ type: 'reset', traceId, spans });
    else this.fallbackSpans = [...spans];
  }

  /**
   * Switches to another trace whose spans are in compact form (`SpanColumns` as UTF-8 JSON; the buffer is
   * transferred, so it is unusable here afterwards), and has its waterfall laid out off the main thread:
   * `onLayout` is called with the rows. Analyses reuse that assembly.
   */
  load(traceId: string, columns: ArrayBuffer, nowMs: number): void {
    this.traceId = traceId;
    this.inFlightSeq = undefined;
    this.queuedNowMs = undefined;
    this.seq += 1;
    const seq = this.seq;
    this.loadSeq = seq;
    if (this.worker !== undefined) {
      this.worker.postMessage({ type: 'load', traceId, columns, nowMs, seq } satisfies AnalysisRequest, [columns]);
      return;
    }
    window.setTimeout(() => {
      if (seq !== this.loadSeq) return;
      try {
        const started = performance.now();
        const spans = decodeSpanColumns(JSON.parse(new TextDecoder().decode(columns)));
        const assembled = assembleTrace(spans);
        const layout = layoutWaterfall(assembled, { nowMs });
        this.fallbackSpans = spans;
        this.receive({
          type: 'layout',
          seq,
          layout: { traceId, rows: layout.rows, startMs: layout.startMs, endMs: layout.endMs, repaired: assembled.renamedCount > 0 || assembled.cycleBreakCount > 0, spanCount: spans.length, computeMs: performance.now() - started },
        });
      } catch (error) {
        this.receive({ type: 'error', seq, message: error instanceof Error ? error.message : String(error) });
      }
    }, 0);
  }

  /** More spans of the current trace. */
  addSpans(spans: readonly SpanRecord[]): void {
    if (this.worker !== undefined) this.post({ type: 'spans', traceId: this.traceId, spans });
    else this.fallbackSpans.push(...spans);
  }

  /** Drops spans of the current trace, by `spanVersionKey` (the placeholders of calls that left their queue). */
  removeSpans(keys: readonly string[]): void {
    if (this.worker !== undefined) {
      this.post({ type: 'remove', traceId: this.traceId, keys });
      return;
    }
    const dropped = new Set(keys);
    this.fallbackSpans = this.fallbackSpans.filter((span) => !dropped.has(spanVersionKey(span)));
  }

  /** Asks for an analysis with in-flight spans ending at `nowMs`; queued behind one already running. */
  request(nowMs: number): void {
    if (this.traceId === '') return;
    if (this.inFlightSeq !== undefined) {
      this.queuedNowMs = nowMs;
      return;
    }
    this.seq += 1;
    this.inFlightSeq = this.seq;
    if (this.worker !== undefined) {
      this.post({ type: 'analyse', traceId: this.traceId, nowMs, seq: this.seq });
      return;
    }
    const seq = this.seq;
    const traceId = this.traceId;
    window.setTimeout(() => {
      if (seq !== this.inFlightSeq || traceId !== this.traceId) return;
      try {
        // Main-thread fallback: dedupe versions the way the worker's SpanSet would, via the trace assembly.
        this.receive({ type: 'analysis', seq, analysis: analyseTrace(traceId, this.fallbackSpans, nowMs) });
      } catch (error) {
        this.receive({ type: 'error', seq, message: error instanceof Error ? error.message : String(error) });
      }
    }, 0);
  }

  /** Stops the worker. */
  dispose(): void {
    this.worker?.terminate();
  }

  private post(message: AnalysisRequest): void {
    this.worker!.postMessage(message);
  }

  private receive(response: AnalysisResponse): void {
    if (response.seq === this.loadSeq && response.seq !== undefined) {
      this.loadSeq = undefined;
      if (response.type === 'layout') this.options.onLayout?.(response.layout);
      else if (response.type === 'error') this.options.onLayout?.({ traceId: this.traceId, error: response.message });
      return;
    }
    if (response.seq !== this.inFlightSeq) return;
    this.inFlightSeq = undefined;
    if (response.type === 'analysis') {
      if (response.analysis.traceId === this.traceId) this.options.onAnalysis(response.analysis);
    } else if (response.type === 'error') {
      this.fail(response.message);
    }
    if (this.queuedNowMs !== undefined) {
      const nowMs = this.queuedNowMs;
      this.queuedNowMs = undefined;
      this.request(nowMs);
    }
  }

  private fail(message: string): void {
    if (this.options.onError !== undefined) this.options.onError(message);
    else console.error(message);
  }
}
