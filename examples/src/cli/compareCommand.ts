import { comparisonTable, readTraceId } from '@overlap/shared';
import type { CompareResponse, TraceSummary } from '@overlap/shared';
import { DashboardClient } from './DashboardClient.js';
import { formatTable } from './formatTable.js';
import { UsageError } from './UsageError.js';

/** Flags of `overlap compare`. */
export interface CompareFlags {
  dashboard: string;
  token?: string;
  /** Print the dashboard's `GET /api/compare` body as JSON instead of the table. */
  json?: boolean;
}

/**
 * `overlap compare <a> <b>`: two runs the dashboard holds, side by side. Asks the dashboard for
 * `GET /api/compare` (the figures `compareTraces` computes, the same the page shows) and prints them as
 * the page's table does (`comparisonTable`): each run figure, then each tool's calls, p50 and p95, with
 * B's difference from A, absolute and in %. With `json`, prints the body as it came.
 *
 * @throws {@link UsageError} for an argument that is not a trace id; `DashboardRequestError` when the
 * dashboard cannot be reached or does not hold a trace.
 */
export async function compareCommand(a: string, b: string, flags: CompareFlags, out: (line: string) => void): Promise<void> {
  const ids = [
    ['<a>', a],
    ['<b>', b],
  ].map(([name, value]) => {
    const traceId = readTraceId(value);
    if (traceId === undefined) throw new UsageError(`${name}: expected a trace id (32 hex characters), received ${JSON.stringify(value)}`);
    return traceId;
  });
  const client = new DashboardClient(flags.dashboard, flags.token);
  const { text } = await client.request(`api/compare?a=${ids[0]}&b=${ids[1]}`);
  const comparison = JSON.parse(text) as CompareResponse;
  if (flags.json === true) {
    out(JSON.stringify(comparison, null, 2));
    return;
  }
  out(`A  ${describeRun(comparison.a)}`);
  out(`B  ${describeRun(comparison.b)}`);
  out('');
  const table = comparisonTable(comparison);
  const columns = table.headings.map((heading, i) => ({ heading, numeric: i > 0 }));
  out(formatTable(columns, table.runRows));
  if (table.toolRows.length > 0) {
    out('');
    out(formatTable([{ heading: 'per tool' }, ...columns.slice(1)], table.toolRows));
  }
}

function describeRun(summary: TraceSummary): string {
  const name = summary.agentName ?? (summary.rootName === '' ? 'trace' : summary.rootName);
  return `${summary.traceId}  ${name}, started ${new Date(summary.startMs).toISOString()}, ${summary.spanCount} spans`;
}
