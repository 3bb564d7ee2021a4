import { createDashboardServer } from '@overlap/dashboard';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { readableSpanToRecord } from '@overlap/runner/telemetry';
import { spansToOtlp, type SpanRecord, type TraceSummary } from '@overlap/shared';

/** What the dashboard makes of a trace: the trace list's summary (found by tool) and the trace's spans. */
export interface DashboardView {
  /** The traces `GET /api/traces?tool={tool}` lists. */
  readonly byTool: readonly TraceSummary[];
  /** `GET /api/traces/{id}` of the first of them. */
  readonly trace: { readonly spans: readonly SpanRecord[]; readonly summary: TraceSummary };
}

/**
 * Sends spans to a real dashboard server over OTLP/HTTP (JSON), as an app's exporter would, and reads
 * back what its REST API says about them.
 */
export async function dashboardView(spans: readonly ReadableSpan[], tool: string): Promise<DashboardView> {
  const dashboard = createDashboardServer({ host: '127.0.0.1', port: 0 });
  const { url } = await dashboard.listen();
  try {
    const records = spans.map((span) => readableSpanToRecord(span, false));
    const posted = await fetch(`${url}v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(spansToOtlp(records)) });
    if (!posted.ok) throw new Error(`POST /v1/traces answered ${posted.status}`);
    const list = (await (await fetch(`${url}api/traces?tool=${encodeURIComponent(tool)}`)).json()) as { traces: TraceSummary[] };
    const first = list.traces[0];
    if (first === undefined) return { byTool: [], trace: { spans: [], summary: undefined as unknown as TraceSummary } };
    const trace = (await (await fetch(`${url}api/traces/${first.traceId}`)).json()) as DashboardView['trace'];
    return { byTool: list.traces, trace };
  } finally {
    await dashboard.close();
  }
}
