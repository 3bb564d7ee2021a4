import { Router } from 'express';
import { readTraceId, spansToOtlp } from '@overlap/shared';
import type { ForwardResponse, InfoResponse } from '@overlap/shared';
import type { OtlpForwarder } from '../forward/OtlpForwarder.js';
import { sendJsonError } from '../http/jsonErrors.js';
import type { TraceStore } from '../store/TraceStore.js';

/**
 * `GET /api/info`: what the page needs to know about this server (`{ forwardTargets }`).
 * `POST /api/traces/:traceId/forward`: sends one stored trace to the forward targets (Jaeger, say) as
 * OTLP/JSON; 202 `{ queued, spans, targets }`, 409 when no target is configured, 404 for an unknown trace.
 */
export function forwardRoutes(store: TraceStore, forwarder: OtlpForwarder): Router {
  const router = Router();
  router.get('/info', (_req, res) => {
    const body: InfoResponse = { forwardTargets: forwarder.stats().map((t) => t.url) };
    res.json(body);
  });
  router.post('/traces/:traceId/forward', (req, res) => {
    const traceId = readTraceId(req.params.traceId);
    if (traceId === undefined) {
      sendJsonError(res, 400, 'invalid_parameter', 'traceId: expected 32 hex characters');
      return;
    }
    if (!forwarder.enabled) {
      sendJsonError(res, 409, 'forward_disabled', 'no forward target is configured: start the dashboard with --forward URL');
      return;
    }
    const spans = store.getSpans(traceId);
    if (spans === undefined) {
      sendJsonError(res, 404, 'trace_not_found', `no trace ${traceId}`);
      return;
    }
    forwarder.forward(Buffer.from(JSON.stringify(spansToOtlp(spans))), 'json');
    const body: ForwardResponse = { queued: true, spans: spans.length, targets: forwarder.stats().map((t) => t.url) };
    res.status(202).json(body);
  });
  return router;
}
