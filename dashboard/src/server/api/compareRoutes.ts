import { Router } from 'express';
import { assembleTrace, compareTraces } from '@overlap/shared';
import type { CompareResponse } from '@overlap/shared';
import { HttpError } from '../errors/HttpError.js';
import type { TraceStore } from '../store/TraceStore.js';
import { parseCompareQuery } from './traceQuery.js';

/**
 * `GET /api/compare?a=<traceId>&b=<traceId>`: two stored runs side by side, A the baseline, as
 * `compareTraces` of `@overlap/shared` computes them (the figures the page and `overlap compare` show).
 * 400 `invalid_parameter` for a missing or malformed id; 404 `not_found` naming each id the store does
 * not hold (evicted, or never received).
 *
 * @example
 * ```ts
 * app.use('/api', compareRoutes(store));
 * ```
 */
export function compareRoutes(store: TraceStore): Router {
  const router = Router();
  router.get('/compare', (req, res) => {
    const { a, b } = parseCompareQuery(req.query);
    const spansA = store.getSpans(a);
    const spansB = store.getSpans(b);
    const missing = [spansA === undefined ? `a (${a})` : undefined, spansB === undefined ? `b (${b})` : undefined].filter((name) => name !== undefined);
    if (missing.length > 0) throw new HttpError(404, 'not_found', `no trace ${missing.join(' and ')} in the store: evicted, or never received`);
    const body: CompareResponse = compareTraces(assembleTrace(spansA!), assembleTrace(spansB!));
    res.json(body);
  });
  return router;
}
