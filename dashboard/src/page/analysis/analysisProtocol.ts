import type { SpanRecord, WaterfallRow } from '@overlap/shared';
import type { TraceAnalysis } from './analyseTrace.js';

/** Messages from the page to the analysis worker. */
export type AnalysisRequest =
  /** Forget any trace and hold these spans of `traceId`. */
  | { readonly type: 'reset'; readonly traceId: string; readonly spans: readonly SpanRecord[] }
  /**
   * Forget any trace and hold the spans of `traceId` given in compact form (UTF-8 JSON of `SpanColumns`,
   * transferred); lay them out with in-flight bars ending at `nowMs` and answer with the rows.
   */
  | { readonly type: 'load'; readonly traceId: string; readonly columns: ArrayBuffer; readonly nowMs: number; readonly seq: number }
  /** More spans of the held trace (merged by version, as the page merges them). */
  | { readonly type: 'spans'; readonly traceId: string; readonly spans: readonly SpanRecord[] }
  /** Drop these spans of the held trace, by `spanVersionKey` (placeholders of calls that left their queue). */
  | { readonly type: 'remove'; readonly traceId: string; readonly keys: readonly string[] }
  /** Analyse the held trace with in-flight spans ending at `nowMs`; answered with `seq`. */
  | { readonly type: 'analyse'; readonly traceId: string; readonly nowMs: number; readonly seq: number };

/** Messages from the analysis worker to the page. */
export type AnalysisResponse =
  | { readonly type: 'analysis'; readonly seq: number; readonly analysis: TraceAnalysis }
  | { readonly type: 'layout'; readonly seq: number; readonly layout: TraceLayout }
  | { readonly type: 'error'; readonly seq: number; readonly message: string };

/** The waterfall of a trace the worker loaded (`load`): `layoutWaterfall(assembleTrace(spans), { nowMs })`. */
export interface TraceLayout {
  readonly traceId: string;
  readonly rows: readonly WaterfallRow[];
  readonly startMs: number;
  readonly endMs: number;
  /** The assembly renamed spans or broke parent cycles (the page then lays out again rather than patch). */
  readonly repaired: boolean;
  readonly spanCount: number;
  /** How long decoding and laying out took in the worker, in ms. */
  readonly computeMs: number;
}
