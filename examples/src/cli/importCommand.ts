import { readFile } from 'node:fs/promises';
import { DashboardClient } from './DashboardClient.js';

/** Flags of `overlap import`. */
export interface ImportFlags {
  dashboard: string;
  token?: string;
}

/** `overlap import FILE`: sends an exported file (Jaeger JSON, OTLP/JSON or JSON Lines) to the dashboard. */
export async function importCommand(file: string, flags: ImportFlags, out: (line: string) => void): Promise<void> {
  let body: Buffer;
  try {
    body = await readFile(file);
  } catch (error) {
    throw new Error(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
  const client = new DashboardClient(flags.dashboard, flags.token);
  const { text } = await client.request('api/import', { method: 'POST', body, contentType: 'application/octet-stream' });
  const result = JSON.parse(text) as { format: string; spans: number; traces: number; rejected?: number };
  out(
    `imported ${result.spans} span${result.spans === 1 ? '' : 's'} in ${result.traces} trace${result.traces === 1 ? '' : 's'} (${result.format})` +
      (result.rejected ? `; ${result.rejected} rejected` : '') +
      ` into ${client.baseUrl}`,
  );
}
