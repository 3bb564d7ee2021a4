import { Router } from 'express';
import { spansToOtlp } from '@overlap/shared';
import type { OtlpForwarder } from '../forward/OtlpForwarder.js';
import { sendJsonError } from '../http/jsonErrors.js';
import type { TraceStore } from '../store/TraceStore.js';

const TRACE_ID = /^[0-9a-f]{32}$/;

/**
 * `GET /api/info`: what the page needs to know about this server (`{ forwardTargets }`).
 * `POST /api/traces/:traceId/forward`: sends one stored trace to the forward targets (Jaeger, say) as
 * OTLP/JSON; 202 `{ queued, spans, targets }`, 409 when no target is configured, 404 for an unknown trace.
 */
export function forwardRoutes(store: TraceStore, forwarder: OtlpForwarder): Router {
  const router = Router();
  router.get('/info', (_req, res) => {
    res.json({ forwardTargets: forwarder.stats().map((t) => t.url) });
  });
  router.post('/traces/:traceId/forward', (req, res) => {
    const traceId = req.params.traceId.toLowerCase();
    if (!TRACE_ID.test(traceId)) {
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
    res.status(202).json({ queued: true, spans: spans.length, targets: forwarder.stats().map((t) => t.url) });
  });
  return router;
}
