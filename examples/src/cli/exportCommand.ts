import { writeFile } from 'node:fs/promises';
import { DashboardClient } from './DashboardClient.js';
import { describeSpans, parseSince, spansInFile, type TraceFileFormat } from './traceFiles.js';
import { UsageError } from './UsageError.js';

/** Flags of `overlap export`. */
export interface ExportFlags {
  trace: string[];
  since?: string;
  format: TraceFileFormat;
  output: string;
  dashboard: string;
  token?: string;
}

const TRACE_ID = /^[0-9a-fA-F]{32}$/;

/**
 * `overlap export`: downloads traces from the dashboard (`--trace ID`, repeatable, or everything
 * `--since` a time) as Jaeger UI JSON, OTLP/JSON or JSON Lines, to a file (`-o -` for standard output).
 */
export async function exportCommand(flags: ExportFlags, out: (line: string) => void): Promise<void> {
  for (const id of flags.trace) if (!TRACE_ID.test(id)) throw new UsageError(`--trace: expected 32 hex characters, received "${id}"`);
  if (flags.trace.length === 0 && flags.since === undefined) throw new UsageError('say what to export: --trace ID (repeatable) or --since 10m');
  const params = new URLSearchParams({ format: flags.format });
  if (flags.since !== undefined) {
    const sinceMs = parseSince(flags.since);
    if (sinceMs === undefined) throw new UsageError(`--since: expected a duration such as 10m or 2h, or a date, received "${flags.since}"`);
    params.set('since', String(Math.floor(sinceMs)));
  }
  const client = new DashboardClient(flags.dashboard, flags.token);
  let path: string;
  if (flags.trace.length === 1 && flags.since === undefined) path = `api/traces/${flags.trace[0]!.toLowerCase()}/export?${params}`;
  else {
    for (const id of flags.trace) params.append('traceId', id.toLowerCase());
    path = `api/export?${params}`;
  }
  const { text } = await client.request(path);
  const spans = spansInFile(text, flags.format);
  if (flags.output === '-') process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  else {
    await writeFile(flags.output, text);
    out(`wrote ${describeSpans(spans)} to ${flags.output} (${flags.format})`);
  }
}
