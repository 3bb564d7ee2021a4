import type { SpanRecord } from '@overlap/shared';
import type { TraceAnalysis } from './analyseTrace.js';

/** Messages from the page to the analysis worker. */
export type AnalysisRequest =
  /** Forget any trace and hold these spans of `traceId`. */
  | { readonly type: 'reset'; readonly traceId: string; readonly spans: readonly SpanRecord[] }
  /** More spans of the held trace (merged by version, as the page merges them). */
  | { readonly type: 'spans'; readonly traceId: string; readonly spans: readonly SpanRecord[] }
  /** Drop these spans of the held trace, by `spanVersionKey` (placeholders of calls that left their queue). */
  | { readonly type: 'remove'; readonly traceId: string; readonly keys: readonly string[] }
  /** Analyse the held trace with in-flight spans ending at `nowMs`; answered with `seq`. */
  | { readonly type: 'analyse'; readonly traceId: string; readonly nowMs: number; readonly seq: number };

/** Messages from the analysis worker to the page. */
export type AnalysisResponse =
  | { readonly type: 'analysis'; readonly seq: number; readonly analysis: TraceAnalysis }
  | { readonly type: 'error'; readonly seq: number; readonly message: string };
