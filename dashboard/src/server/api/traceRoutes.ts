import { Router } from 'express';
import { assembleTrace, toolStatsOfCalls } from '@overlap/shared';
import type { StatsResponse, TraceListResponse, TraceResponse, TraceSummary } from '@overlap/shared';
import { HttpError } from '../errors/HttpError.js';
import type { TraceStore } from '../store/TraceStore.js';
import type { TraceSummaries } from './TraceSummaries.js';
import { encodeCursor, parseTraceFilterQuery, parseTraceId, parseTraceListQuery } from './traceQuery.js';

/**
 * `GET /api/traces`, `GET /api/traces/:traceId` and `GET /api/stats`. See the package README for
 * parameters and shapes.
 *
 * @example
 * ```ts
 * app.use('/api', traceRoutes(store, summaries));
 * ```
 */
export function traceRoutes(store: TraceStore, summaries: TraceSummaries): Router {
  const router = Router();

  router.get('/traces', (req, res) => {
    const { filter, limit, after } = parseTraceListQuery(req.query);
    const page = store.findTraces(filter, limit, after);
    const traces: TraceSummary[] = [];
    for (const traceId of page.traceIds) {
      const summary = summaries.get(traceId);
      if (summary !== undefined) traces.push(summary);
    }
    const body: TraceListResponse = { traces, nextCursor: page.next === undefined ? null : encodeCursor(page.next) };
    res.json(body);
  });

  router.get('/traces/:traceId', (req, res) => {
    const traceId = parseTraceId(req.params.traceId);
    const spans = store.getSpans(traceId);
    const summary = summaries.get(traceId);
    if (spans === undefined || summary === undefined) throw new HttpError(404, 'not_found', `no trace ${traceId} in the store`);
    const dropped = summary.droppedSpans ?? 0;
    const warnings = [...(dropped > 0 ? [`${dropped} spans dropped: the trace reached the server's limit of ${store.maxSpansPerTrace} spans per trace (--max-spans-per-trace)`] : []), ...assembleTrace(spans).warnings];
    const body: TraceResponse = { traceId, spans, warnings, summary };
    res.json(body);
  });

  router.get('/stats', (req, res) => {
    const filter = parseTraceFilterQuery(req.query);
    const { traceIds } = store.findTraces(filter, Number.POSITIVE_INFINITY);
    const body: StatsResponse = { tools: toolStatsOfCalls(store.findCalls(filter)), traceCount: traceIds.length, store: store.stats() };
    res.json(body);
  });

  return router;
}
