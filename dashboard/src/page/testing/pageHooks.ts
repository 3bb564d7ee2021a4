import type { CompareResponse } from '@overlap/shared';
import type { PageHooks, PerfHook, RenderRecord, WaterfallSnapshot } from './hookTypes.js';

const MAX_RECORDS = 500;

/**
 * Installs the page's hooks on `window`: `__overlapWaterfall()` (what chart.js is drawing, for tests that
 * must not read pixels), `__overlapPerf` (render timings, for the benchmark), `__overlapSelect(id)` and
 * `__overlapCompare()` (the comparison on screen, as `GET /api/compare` answered it).
 * They only read the page's state, cost nothing until called, and hold at most 500 records.
 *
 * @example
 * ```ts
 * const perf = installPageHooks(() => waterfall.snapshot(), (id) => page.select(id, true), () => compareView.comparison);
 * perf.records.push(record);
 * ```
 */
export function installPageHooks(snapshot: () => WaterfallSnapshot, select: (traceId: string) => void, comparison: () => CompareResponse | undefined): PerfHook {
  const perf: PerfHook = { records: [], spanDrawnAt: null, analyses: [] };
  const hooks = window as Window & PageHooks;
  hooks.__overlapWaterfall = snapshot;
  hooks.__overlapPerf = perf;
  hooks.__overlapSelect = select;
  hooks.__overlapCompare = comparison;
  return perf;
}

/** Adds a record, dropping the oldest past the limit. */
export function pushRecord(perf: PerfHook, record: RenderRecord): void {
  perf.records.push(record);
  if (perf.records.length > MAX_RECORDS) perf.records.splice(0, perf.records.length - MAX_RECORDS);
}

/** Notes an analysis shown, dropping the oldest past the limit. */
export function pushAnalysis(perf: PerfHook, analysis: PerfHook['analyses'][number]): void {
  perf.analyses.push(analysis);
  if (perf.analyses.length > MAX_RECORDS) perf.analyses.splice(0, perf.analyses.length - MAX_RECORDS);
}
