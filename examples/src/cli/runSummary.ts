import { assembleTrace, GenAiAttributes, OverlapAttributes, summarizeDurations, summarizeTrace, toolStats, type SpanRecord, type TraceSummary } from '@overlap/shared';
import { formatMs, formatTable } from './formatTable.js';

/** One agent run of an example, to summarise. */
export interface RecordedRun {
  /** What it was, such as `knowledge-base (sequential)`. */
  label: string;
  traceId: string;
  error?: unknown;
}

/**
 * The summary tables printed at the end of `overlap run`: one row per kind of agent run (over all
 * repeats: p50 wall time, sum of call time, what concurrency saved, timeouts, retries, queue wait), then
 * per-tool latency (p50/p95), errors, timeouts, retries and queue wait.
 */
export function runSummary(runs: readonly RecordedRun[], spans: readonly SpanRecord[]): string {
  const byTrace = new Map<string, SpanRecord[]>();
  for (const span of spans) {
    let list = byTrace.get(span.traceId);
    if (list === undefined) byTrace.set(span.traceId, (list = []));
    list.push(span);
  }
  const byLabel = new Map<string, { summaries: TraceSummary[]; failures: number; queue: number[] }>();
  for (const run of runs) {
    let entry = byLabel.get(run.label);
    if (entry === undefined) byLabel.set(run.label, (entry = { summaries: [], failures: 0, queue: [] }));
    if (run.error !== undefined) entry.failures += 1;
    const traceSpans = byTrace.get(run.traceId) ?? [];
    if (traceSpans.length === 0) continue;
    entry.summaries.push(summarizeTrace(assembleTrace(traceSpans)));
    for (const s of traceSpans) {
      const wait = s.attributes[OverlapAttributes.QUEUE_WAIT_MS];
      if (typeof wait === 'number' && (s.attributes[GenAiAttributes.OPERATION_NAME] === 'execute_tool' || s.attributes[GenAiAttributes.OPERATION_NAME] === 'chat')) {
        entry.queue.push(wait);
      }
    }
  }
  const p50 = (values: number[]) => summarizeDurations(values).p50;
  const runRows = [...byLabel].map(([label, { summaries, failures, queue }]) => {
    const wall = p50(summaries.map((s) => s.wallMs));
    const sum = p50(summaries.map((s) => s.sumOfCallsMs));
    const saved = p50(summaries.map((s) => s.concurrencySavedMs));
    const speedup = p50(summaries.map((s) => s.speedup));
    const total = (pick: (s: TraceSummary) => number) => summaries.reduce((n, s) => n + pick(s), 0);
    return [
      label,
      String(summaries.length),
      formatMs(wall),
      formatMs(sum),
      summaries.length ? `${formatMs(saved)} (${(speedup ?? 1).toFixed(1)}×)` : '-',
      String(total((s) => s.callCount)),
      String(total((s) => s.timeoutCount)),
      String(total((s) => s.retryCount)),
      queue.length ? `${formatMs(summarizeDurations(queue).p50)} / ${formatMs(summarizeDurations(queue).p95)}` : '-',
      String(failures),
    ];
  });
  const tools = toolStats(spans).map((t) => [
    t.tool,
    String(t.count),
    formatMs(t.durationMs.p50),
    formatMs(t.durationMs.p95),
    `${(t.errorRate * 100).toFixed(0)}%`,
    `${(t.timeoutRate * 100).toFixed(0)}%`,
    Number.isNaN(t.queueWaitMs.p50) ? '-' : `${formatMs(t.queueWaitMs.p50)} / ${formatMs(t.queueWaitMs.p95)}`,
  ]);
  return [
    formatTable(
      [
        { heading: 'agent run' },
        { heading: 'runs', numeric: true },
        { heading: 'wall p50', numeric: true },
        { heading: 'calls sum p50', numeric: true },
        { heading: 'concurrency saved', numeric: true },
        { heading: 'calls', numeric: true },
        { heading: 'timeouts', numeric: true },
        { heading: 'retries', numeric: true },
        { heading: 'queue wait p50 / p95', numeric: true },
        { heading: 'failed', numeric: true },
      ],
      runRows,
    ),
    '',
    formatTable(
      [
        { heading: 'tool' },
        { heading: 'calls', numeric: true },
        { heading: 'p50', numeric: true },
        { heading: 'p95', numeric: true },
        { heading: 'errors', numeric: true },
        { heading: 'timeouts', numeric: true },
        { heading: 'queue wait p50 / p95', numeric: true },
      ],
      tools,
    ),
  ].join('\n');
}
