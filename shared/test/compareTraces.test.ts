import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GenAiAttributes, OverlapAttributes, OverlapEvents } from '../src/attributes.js';
import type { SpanRecord } from '../src/model.js';
import { assembleTrace } from '../src/trace/assembleTrace.js';
import { compareTraces, figureDiff } from '../src/trace/compareTraces.js';
import { comparisonTable, formatComparisonMs, formatFigureDiff } from '../src/trace/comparisonTable.js';
import { criticalPath } from '../src/trace/criticalPath.js';
import { summarizeTrace } from '../src/trace/traceSummary.js';
import { event, id, queueSpan, span, toolCall } from './spanBuilders.js';
import { cleanTraceArbitrary } from './traceArbitrary.js';

const agent = (end: number): SpanRecord => span({ id: 'root', name: 'invoke_agent kb', start: 0, end, attributes: { [GenAiAttributes.OPERATION_NAME]: 'invoke_agent', [GenAiAttributes.AGENT_NAME]: 'kb' } });

/** The knowledge-base run, awaited one lookup after the other. */
const sequential = [
  agent(400),
  toolCall({ id: 'kb1', parent: 'root', tool: 'search_kb', start: 0, end: 100 }),
  toolCall({ id: 'st1', parent: 'root', tool: 'get_user_status', start: 100, end: 250 }),
  toolCall({ id: 'llm1', parent: 'root', tool: 'call_llm', start: 250, end: 400 }),
];
/** The same run gathering both lookups at once; one lookup queued 30 ms and retried once, and a second search. */
const concurrent = [
  agent(300),
  toolCall({ id: 'kb2', parent: 'root', tool: 'search_kb', start: 0, end: 100 }),
  toolCall({ id: 'st2', parent: 'root', tool: 'get_user_status', start: 0, end: 150, attempts: 2, outcome: 'ok', events: [event(OverlapEvents.RETRY_BACKOFF, 60, { [OverlapAttributes.RETRY_DELAY_MS]: 20 })] }),
  queueSpan({ id: 'q2', parent: 'st2', gate: 'users', start: 0, end: 30 }),
  toolCall({ id: 'llm2', parent: 'root', tool: 'call_llm', start: 150, end: 300 }),
  toolCall({ id: 'kb3', parent: 'root', tool: 'search_kb', start: 160, end: 200, outcome: 'timeout' }),
];

describe('compareTraces()', () => {
  it('compareTraces() - sets each run figure of A and B side by side with the difference and the percentage', () => {
    const comparison = compareTraces(assembleTrace(sequential), assembleTrace(concurrent));
    expect(comparison.figures.wallMs).toEqual({ a: 400, b: 300, diff: -100, diffPct: -25 });
    // Calls' running time: 100 + 150 + 150 = 400 in A; in B the status call loses 30 ms queued and 20 ms backing off.
    expect(comparison.figures.sumOfCallsMs).toEqual({ a: 400, b: 100 + 100 + 150 + 40, diff: -10, diffPct: -2.5 });
    expect(comparison.figures.concurrencySavedMs).toEqual({ a: 0, b: 90, diff: 90, diffPct: null });
    expect(comparison.figures.queueMs).toEqual({ a: 0, b: 30, diff: 30, diffPct: null });
    expect(comparison.figures.retries).toEqual({ a: 0, b: 1, diff: 1, diffPct: null });
    expect(comparison.figures.timeouts).toEqual({ a: 0, b: 1, diff: 1, diffPct: null });
    const pathMs = (spans: SpanRecord[]): number => criticalPath(assembleTrace(spans)).reduce((sum, s) => sum + s.endMs - s.startMs, 0);
    expect(comparison.figures.criticalPathMs).toEqual(figureDiff(pathMs(sequential), pathMs(concurrent)));
    expect(comparison.figures.criticalPathMs.a).toBe(400);
    expect(comparison.a).toEqual(summarizeTrace(assembleTrace(sequential)));
    expect(comparison.b).toEqual(summarizeTrace(assembleTrace(concurrent)));
    expect(comparison.scaleMs).toBe(400);
  });

  it('compareTraces() - aligns the n-th call to a tool in A with the n-th in B, and marks calls only one run made', () => {
    const { rows } = compareTraces(assembleTrace(sequential), assembleTrace(concurrent));
    expect(rows.map((row) => [row.tool, row.occurrence, row.a?.spanId ?? null, row.b?.spanId ?? null])).toEqual([
      ['search_kb', 1, id('kb1'), id('kb2')],
      ['get_user_status', 1, id('st1'), id('st2')],
      // Only B searched twice: its second search (160 ms into B) comes before the model call (250 ms into A).
      ['search_kb', 2, null, id('kb3')],
      ['call_llm', 1, id('llm1'), id('llm2')],
    ]);
    const status = rows[1]!;
    expect(status.a).toMatchObject({ offsetMs: 100, durationMs: 150, queueMs: 0, attempts: 1, inFlight: false });
    expect(status.b).toMatchObject({ offsetMs: 0, durationMs: 150, queueMs: 30, attempts: 2, outcome: 'ok' });
    expect(status.b!.segments.map((s) => [s.kind, s.startMs, s.endMs])).toEqual([
      ['queue', 0, 30],
      ['run', 30, 60],
      ['backoff', 60, 80],
      ['run', 80, 150],
    ]);
    expect(status.durationDiffMs).toBe(0);
    expect(rows[2]!.durationDiffMs).toBeNull();
  });

  it('compareTraces() - gives per-tool count, p50 and p95 of each run with differences, null where a run has no calls', () => {
    const { tools } = compareTraces(assembleTrace(sequential), assembleTrace(concurrent));
    const search = tools.find((tool) => tool.tool === 'search_kb')!;
    expect(search.a).toEqual({ count: 1, p50Ms: 100, p95Ms: 100 });
    expect(search.b).toEqual({ count: 2, p50Ms: 70, p95Ms: 97 });
    expect(search.count).toEqual({ a: 1, b: 2, diff: 1, diffPct: 100 });
    expect(search.p50Ms).toEqual({ a: 100, b: 70, diff: -30, diffPct: -30 });
    const onlyB = compareTraces(assembleTrace([agent(10)]), assembleTrace(concurrent)).tools.find((tool) => tool.tool === 'call_llm')!;
    expect(onlyB).toMatchObject({ a: null, count: { a: 0, b: 1, diffPct: null }, p50Ms: null, p95Ms: null });
    expect(tools.map((tool) => tool.tool)).toEqual(['call_llm', 'get_user_status', 'search_kb']);
  });

  it('compareTraces() - of a run with itself has no difference, and every call of each run is in exactly one row', () => {
    fc.assert(
      fc.property(cleanTraceArbitrary, cleanTraceArbitrary, (spansA, spansB) => {
        const a = assembleTrace(spansA);
        const b = assembleTrace(spansB);
        const self = compareTraces(a, a);
        for (const figure of Object.values(self.figures)) expect(figure.diff).toBe(0);
        expect(self.rows.every((row) => row.a !== null && row.b !== null && row.a.spanId === row.b.spanId)).toBe(true);
        const both = compareTraces(a, b);
        const aIds = both.rows.flatMap((row) => (row.a === null ? [] : [row.a.spanId]));
        const bIds = both.rows.flatMap((row) => (row.b === null ? [] : [row.b.spanId]));
        expect(new Set(aIds).size).toBe(aIds.length);
        expect(new Set(bIds).size).toBe(bIds.length);
        expect(aIds.length).toBe(compareTraces(a, a).rows.length);
        expect(bIds.length).toBe(compareTraces(b, b).rows.length);
        expect(both.scaleMs).toBe(Math.max(both.a.wallMs, both.b.wallMs));
        for (const row of both.rows) if (row.a !== null && row.b !== null) expect(row.durationDiffMs).toBe(row.b.durationMs - row.a.durationMs);
        // Neither trace is changed.
        expect(compareTraces(a, b)).toEqual(both);
      }),
      { numRuns: 100 },
    );
  });
});

describe('comparisonTable()', () => {
  it('comparisonTable() - writes the figures as the page and the CLI print them', () => {
    const table = comparisonTable(compareTraces(assembleTrace(sequential), assembleTrace(concurrent)));
    expect(table.headings).toEqual(['', 'A', 'B', 'B − A']);
    expect(table.runRows).toEqual([
      ['wall time', '400 ms', '300 ms', '-100 ms (-25.0%)'],
      ['sum of calls', '400 ms', '390 ms', '-10.0 ms (-2.5%)'],
      ['concurrency saved', '0 ms', '90.0 ms', '+90.0 ms (n/a)'],
      ['queue time', '0 ms', '30.0 ms', '+30.0 ms (n/a)'],
      ['retries', '0', '1', '+1 (n/a)'],
      ['timeouts', '0', '1', '+1 (n/a)'],
      ['critical path', '400 ms', expect.stringMatching(/ ms$/), expect.stringMatching(/^-/)],
    ]);
    expect(table.toolRows.slice(6)).toEqual([
      ['search_kb calls', '1', '2', '+1 (+100.0%)'],
      ['search_kb p50', '100 ms', '70.0 ms', '-30.0 ms (-30.0%)'],
      ['search_kb p95', '100 ms', '97.0 ms', '-3.0 ms (-3.0%)'],
    ]);
  });

  it('formatComparisonMs() and formatFigureDiff() - group thousands, round, and never print -0', () => {
    expect(formatComparisonMs(1_234_567.4)).toBe('1,234,567 ms');
    expect(formatComparisonMs(7.25)).toBe('7.3 ms');
    expect(formatComparisonMs(-0.01)).toBe('0 ms');
    expect(formatFigureDiff({ a: 5, b: 5, diff: 0, diffPct: 0 }, 'count')).toBe('0 (0%)');
    expect(formatFigureDiff({ a: 3, b: 0, diff: -3, diffPct: -100 }, 'count')).toBe('-3 (-100.0%)');
  });
});
