/**
 * The analysis worker: holds the selected trace's spans and runs the trace maths (summary, critical
 * path, concurrency timeline, tool statistics) off the page's main thread, so a 50,000-span trace can
 * be analysed without the waterfall stuttering. Requests that pile up while it works are coalesced:
 * only the latest `analyse` is answered.
 */
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
let pending: { nowMs: number; seq: number } | undefined;
let scheduled = false;

function run(): void {
  scheduled = false;
  const request = pending;
  pending = undefined;
  if (request === undefined) return;
  try {
    scope.postMessage({ type: 'analysis', seq: request.seq, analysis: analyseTrace(traceId, spans.values(), request.nowMs) });
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
      pending = undefined;
      break;
    case 'spans':
      if (request.traceId === traceId) spans.add(request.spans);
      break;
    case 'remove':
      if (request.traceId === traceId) spans.remove(request.keys);
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
