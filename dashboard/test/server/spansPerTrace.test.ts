import type { TraceListResponse, TraceResponse } from '@overlap/shared';
import { describe, expect, it } from 'vitest';
import type { HealthResponse } from '../../src/server/index.js';
import { getJson, newTraceId, postSpans, spanRecord, startServer } from './helpers.js';

describe('maxSpansPerTrace', () => {
  it('POST /v1/traces - keeps a trace\'s first maxSpansPerTrace spans and reports the rest everywhere: partialSuccess, the summary, the trace\'s warnings, /healthz', async () => {
    const running = await startServer({ maxSpansPerTrace: 5 });
    try {
      const big = newTraceId();
      const small = newTraceId();
      const response = await postSpans(running.url, [...Array.from({ length: 8 }, () => spanRecord({ traceId: big })), spanRecord({ traceId: small })]);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({
        partialSuccess: { rejectedSpans: '3', errorMessage: '3 spans rejected: the trace holds the most spans kept per trace (maxSpansPerTrace 5) (3)' },
      });
      const list = (await getJson<TraceListResponse>(`${running.url}api/traces`)).body.traces;
      expect(list.find((t) => t.traceId === big)).toMatchObject({ spanCount: 5, droppedSpans: 3 });
      expect(list.find((t) => t.traceId === small)?.droppedSpans).toBeUndefined();
      const trace = (await getJson<TraceResponse>(`${running.url}api/traces/${big}`)).body;
      expect(trace.warnings[0]).toBe("3 spans dropped: the trace reached the server's limit of 5 spans per trace (--max-spans-per-trace)");
      const health = (await getJson<HealthResponse>(`${running.url}healthz`)).body;
      expect(health.store).toMatchObject({ spans: 6, droppedSpans: 3, maxSpansPerTrace: 5 });
      expect(health.ingest).toMatchObject({ acceptedSpans: 6, rejectedSpans: 3 });
    } finally {
      await running.close();
    }
  });
});
