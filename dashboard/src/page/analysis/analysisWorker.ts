/**
 * The analysis worker: holds the selected trace's spans and runs the trace maths (summary, critical
 * path, concurrency timeline, tool statistics) off the page's main thread, so a 50,000-span trace can
 * be analysed without the waterfall stuttering. Requests that pile up while it works are coalesced:
 * only the latest `analyse` is answered.
 *
 * It also lays out a large trace the page receives in compact form (`load`): it decodes the spans, lays
 * the whole waterfall out and sends the rows back, while the page shows the first screen it already has.
 * The assembly is kept for the first analysis after it, until the spans change.
 */
import { assembleTrace, decodeSpanColumns, layoutWaterfall } from '@overlap/shared';
import type { AssembledTrace } from '@overlap/shared';
import { SpanSet } from '../trace/SpanSet.js';
import { analyseTrace } from './analyseTrace.js';
import type { AnalysisRequest, AnalysisResponse } from './analysisProtocol.js';

interface WorkerScope {
  onmessage: ((event: MessageEvent<AnalysisRequest>) => void) | null;
  postMessage(message: AnalysisResponse): void;
  setTimeout(callback: () => void, ms: number): number;
}

const scope = self as unknown as WorkerScope;
let traceId = '';
let spans = new SpanSet();
/** The assembly of `spans` as they are now, when one was made since they last changed. */
let assembled: AssembledTrace | undefined;
let pending: { nowMs: number; seq: number } | undefined;
let scheduled = false;

function run(): void {
  scheduled = false;
  const request = pending;
  pending = undefined;
  if (request === undefined) return;
  try {
    scope.postMessage({ type: 'analysis', seq: request.seq, analysis: analyseTrace(traceId, spans.values(), request.nowMs, assembled) });
    assembled = undefined;
  } catch (error) {
    scope.postMessage({ type: 'error', seq: request.seq, message: error instanceof Error ? error.message : String(error) });
  }
}

scope.onmessage = (event) => {
  const request = event.data;
  switch (request.type) {
    case 'reset':
      traceId = request.traceId;
      spans = new SpanSet();
      spans.add(request.spans);
      assembled = undefined;
      pending = undefined;
      break;
    case 'load':
      load(request.traceId, request.columns, request.nowMs, request.seq);
      break;
    case 'spans':
      if (request.traceId !== traceId) break;
      if (changed(spans.add(request.spans))) assembled = undefined;
      break;
    case 'remove':
      if (request.traceId === traceId && spans.remove(request.keys).length > 0) assembled = undefined;
      break;
    case 'analyse':
      if (request.traceId !== traceId) break;
      pending = { nowMs: request.nowMs, seq: request.seq };
      // Let messages already queued (more spans, a newer request) land first.
      if (!scheduled) {
        scheduled = true;
        scope.setTimeout(run, 0);
      }
      break;
  }
};

function load(id: string, columns: ArrayBuffer, nowMs: number, seq: number): void {
  traceId = id;
  pending = undefined;
  spans = new SpanSet();
  const started = performance.now();
  try {
    // The server's spans hold one version of each span: lay them out first, and merge them into the
    // span set (for the live spans to come) after the rows are on their way.
    const decoded = decodeSpanColumns(JSON.parse(new TextDecoder().decode(columns)));
    assembled = assembleTrace(decoded);
    const layout = layoutWaterfall(assembled, { nowMs });
    scope.postMessage({
      type: 'layout',
      seq,
      layout: {
        traceId: id,
        rows: layout.rows,
        startMs: layout.startMs,
        endMs: layout.endMs,
        repaired: assembled.renamedCount > 0 || assembled.cycleBreakCount > 0,
        spanCount: decoded.length,
        computeMs: performance.now() - started,
      },
    });
    spans.add(decoded);
  } catch (error) {
    assembled = undefined;
    scope.postMessage({ type: 'error', seq, message: error instanceof Error ? error.message : String(error) });
  }
}

function changed(change: { added: readonly unknown[]; replaced: readonly unknown[] }): boolean {
  return change.added.length > 0 || change.replaced.length > 0;
}
