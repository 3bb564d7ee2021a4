import { Router } from 'express';
import { assembleTrace, toolStats } from '@overlap/shared';
import type { SpanRecord, ToolStats, TraceSummary } from '@overlap/shared';
import { HttpError } from '../errors/HttpError.js';
import type { TraceStore, TraceStoreStats } from '../store/TraceStore.js';
import type { TraceSummaries } from './TraceSummaries.js';
import { encodeCursor, parseTraceFilterQuery, parseTraceId, parseTraceListQuery } from './traceQuery.js';

/** Body of `GET /api/traces`. */
export interface TraceListResponse {
  /** Summaries of the matching traces, newest start first. */
  traces: TraceSummary[];
  /** Pass as `cursor` to get the next page; `null` on the last page. */
  nextCursor: string | null;
}

/** Body of `GET /api/traces/:traceId`. */
export interface TraceResponse {
  traceId: string;
  /** The trace's spans as stored (in arrival order). */
  spans: SpanRecord[];
  /** What `assembleTrace` had to repair (orphans, duplicates, clamped ends...), one line per kind. */
  warnings: string[];
  summary: TraceSummary;
}

/** Body of `GET /api/stats`. */
export interface StatsResponse {
  /** Per-tool (and per-model) figures over the matching traces' spans (`toolStats`). */
  tools: ToolStats[];
  /** How many traces matched and were counted. */
  traceCount: number;
  /** The store's sizes, limits and eviction counters. */
  store: TraceStoreStats;
}

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
    const body: TraceResponse = { traceId, spans, warnings: [...assembleTrace(spans).warnings], summary };
    res.json(body);
  });

  router.get('/stats', (req, res) => {
    const filter = parseTraceFilterQuery(req.query);
    const { traceIds } = store.findTraces(filter, Number.POSITIVE_INFINITY);
    const spans: SpanRecord[] = [];
    for (const traceId of traceIds) for (const span of store.getSpans(traceId) ?? []) spans.push(span);
    const body: StatsResponse = { tools: toolStats(spans), traceCount: traceIds.length, store: store.stats() };
    res.json(body);
  });

  return router;
}
