// Checks the Jaeger JSON export against the format Jaeger UI reads when a user uploads a "JSON File":
// { data: [{ traceID, spans, processes }] }, times in microseconds, CHILD_OF references, typed tags.
import { context, diag, metrics, propagation, trace } from '@opentelemetry/api';
import { createDashboardServer } from '@overlap/dashboard';
import { Runner } from '@overlap/runner';
import { startTelemetry } from '@overlap/runner/telemetry';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createUpstream, findExample } from '../../src/index.js';
import { OverlapAttributes, OverlapEvents } from '@overlap/shared';

const tag = z.discriminatedUnion('type', [
  z.strictObject({ key: z.string().min(1), type: z.literal('string'), value: z.string() }),
  z.strictObject({ key: z.string().min(1), type: z.literal('bool'), value: z.boolean() }),
  z.strictObject({ key: z.string().min(1), type: z.literal('int64'), value: z.number().int() }),
  z.strictObject({ key: z.string().min(1), type: z.literal('float64'), value: z.number() }),
  z.strictObject({ key: z.string().min(1), type: z.literal('binary'), value: z.string() }),
]);
const jaegerFile = z.strictObject({
  data: z.array(
    z.object({
      traceID: z.string().regex(/^[0-9a-f]{32}$/),
      spans: z.array(
        z.object({
          traceID: z.string().regex(/^[0-9a-f]{32}$/),
          spanID: z.string().regex(/^[0-9a-f]{16}$/),
          operationName: z.string(),
          references: z.array(z.strictObject({ refType: z.enum(['CHILD_OF', 'FOLLOWS_FROM']), traceID: z.string(), spanID: z.string() })),
          startTime: z.number().int().positive(),
          duration: z.number().int().nonnegative(),
          tags: z.array(tag),
          logs: z.array(z.object({ timestamp: z.number().int().positive(), fields: z.array(tag) })),
          processID: z.string(),
          warnings: z.array(z.string()).nullable(),
          flags: z.number().int().optional(),
        }),
      ),
      processes: z.record(z.string(), z.object({ serviceName: z.string().min(1), tags: z.array(tag) })),
      warnings: z.array(z.string()).nullable(),
    }),
  ),
});

afterAll(() => {
  trace.disable();
  context.disable();
  propagation.disable();
  metrics.disable();
  diag.disable();
});

describe('Jaeger UI file', () => {
  it('GET /api/traces/:id/export?format=jaeger - a trace with errors, timeouts and retries is a valid Jaeger UI file', async () => {
    const dashboard = createDashboardServer({ port: 0, pageDir: '/nonexistent' });
    const { url } = await dashboard.listen();
    const telemetry = await startTelemetry({ serviceName: 'jaeger-file', dashboard: { url, liveStarts: false }, useEnvironment: false, flushOnExit: false });
    const upstream = await createUpstream({ seed: 5, latencyScale: 0.2 });
    let traceId: string | undefined;
    try {
      const result = await findExample('flaky-retrieval')!.run({ runner: new Runner(), upstreamUrl: upstream.url });
      traceId = result.runs[0]!.traceId;
      await telemetry.forceFlush();
      const response = await fetch(`${url}api/traces/${traceId}/export?format=jaeger`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-disposition')).toMatch(/attachment; filename=".*\.json"/);
      const file = jaegerFile.parse(await response.json());
      const stored = (await (await fetch(`${url}api/traces/${traceId}`)).json()) as {
        spans: Array<{ spanId: string; parentSpanId?: string; startTimeUnixNano: string; endTimeUnixNano: string; attributes: Record<string, unknown> }>;
      };
      expect(file.data).toHaveLength(1);
      const [jaegerTrace] = file.data;
      expect(jaegerTrace!.traceID).toBe(traceId);
      expect(jaegerTrace!.spans).toHaveLength(stored.spans.length);
      const ids = new Set(jaegerTrace!.spans.map((s) => s.spanID));
      for (const span of jaegerTrace!.spans) {
        const original = stored.spans.find((s) => s.spanId === span.spanID)!;
        expect(original).toBeDefined();
        // Microseconds, as Jaeger reads them; start + duration is the end's microsecond, so bars line up.
        expect(span.startTime).toBe(Number(BigInt(original.startTimeUnixNano) / 1000n));
        expect(span.startTime + span.duration).toBe(Number(BigInt(original.endTimeUnixNano) / 1000n));
        expect(jaegerTrace!.processes[span.processID]!.serviceName).toBe('jaeger-file');
        const parents = span.references.filter((r) => r.refType === 'CHILD_OF');
        if (original.parentSpanId) {
          expect(parents).toEqual([{ refType: 'CHILD_OF', traceID: traceId, spanID: original.parentSpanId }]);
          expect(ids.has(original.parentSpanId)).toBe(true);
        } else expect(parents).toEqual([]);
      }
      const tagsOf = (name: string) =>
        jaegerTrace!.spans.filter((s) => s.operationName === name).map((s) => Object.fromEntries(s.tags.map((t) => [t.key, t])));
      // The timed-out call: an error in Jaeger's eyes, with Overlap's outcome as a typed tag.
      const timedOut = tagsOf('execute_tool query_tickets_db').find((t) => t[OverlapAttributes.OUTCOME]?.value === 'timeout');
      expect(timedOut?.error).toEqual({ key: 'error', type: 'bool', value: true });
      expect(timedOut?.['otel.status_code']).toEqual({ key: 'otel.status_code', type: 'string', value: 'ERROR' });
      // The retried call: its attempt count as an int64 tag, its back-offs as logs.
      const retried = jaegerTrace!.spans.find((s) => s.tags.some((t) => t.key === OverlapAttributes.ATTEMPT && (t.value as number) > 1))!;
      expect(retried).toBeDefined();
      expect(retried.tags.find((t) => t.key === OverlapAttributes.ATTEMPT)!.type).toBe('int64');
      const backoff = retried.logs.find((l) => l.fields.some((f) => f.key === 'event' && f.value === OverlapEvents.RETRY_BACKOFF));
      expect(backoff).toBeDefined();
      expect(backoff!.timestamp).toBeGreaterThanOrEqual(retried.startTime);
      expect(backoff!.fields.find((f) => f.key === OverlapAttributes.RETRY_DELAY_MS)?.type).toMatch(/int64|float64/);
    } finally {
      await telemetry.shutdown();
      await upstream.close();
      await dashboard.close();
    }
  }, 60_000);
});
