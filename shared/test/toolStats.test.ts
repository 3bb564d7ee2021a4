import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { callFigures } from '../src/trace/callFigures.js';
import { GenAiAttributes } from '../src/attributes.js';
import { percentile } from '../src/trace/percentiles.js';
import { toolStats, toolStatsOfCalls } from '../src/trace/toolStats.js';
import { cleanTraceArbitrary } from './traceArbitrary.js';
import { span, toolCall } from './spanBuilders.js';

describe('toolStats()', () => {
  it('toolStats() - gives per-tool counts, rates and percentiles', () => {
    const durations = [10, 20, 30, 40, 100];
    const spans = durations.map((duration, i) =>
      toolCall({ id: `s${i}`, tool: 'search', start: 0, end: duration, outcome: i === 0 ? 'error' : i === 1 ? 'timeout' : 'ok', queueWaitMs: i * 5 }),
    );
    spans.push(
      toolCall({ id: 'f', tool: 'fetch', start: 0, end: 7, outcome: 'ok' }),
      toolCall({ id: 'live', tool: 'fetch', start: 0 }),
      span({
        id: 'chat',
        start: 0,
        end: 500,
        attributes: { [GenAiAttributes.OPERATION_NAME]: 'chat', [GenAiAttributes.REQUEST_MODEL]: 'gpt-4o' },
        status: { code: 'error' },
      }),
      span({ id: 'agent', start: 0, end: 900, attributes: { [GenAiAttributes.OPERATION_NAME]: 'invoke_agent' } }),
    );
    const stats = toolStats(spans);
    expect(stats.map((entry) => [entry.operation, entry.tool, entry.count])).toEqual([
      ['chat', 'gpt-4o', 1],
      ['execute_tool', 'fetch', 1],
      ['execute_tool', 'search', 5],
    ]);
    const search = stats[2]!;
    expect(search.errorRate).toBe(0.2);
    expect(search.timeoutRate).toBe(0.2);
    expect(search.durationMs).toEqual({ p50: 30, p95: percentile(durations, 95), p99: percentile(durations, 99) });
    expect(search.queueWaitMs).toEqual({ p50: 10, p95: percentile([0, 5, 10, 15, 20], 95) });
    expect(stats[0]!.errorRate).toBe(1);
    expect(stats[1]!.queueWaitMs.p50).toBeNaN();
  });

  it('toolStats() - gives an empty list when there are no ended calls', () => {
    expect(toolStats([])).toEqual([]);
    expect(toolStats([toolCall({ id: 'live', start: 0 }), span({ id: 'plain', start: 0, end: 1 })])).toEqual([]);
  });

  it('toolStatsOfCalls() - over the spans\' call figures equals toolStats() over the spans', () => {
    fc.assert(
      fc.property(cleanTraceArbitrary, (spans) => {
        const calls = spans.map(callFigures).filter((call) => call !== undefined);
        expect(toolStatsOfCalls(calls)).toEqual(toolStats(spans));
        expect(calls).toHaveLength(spans.filter((s) => s.endTimeUnixNano !== undefined && ['execute_tool', 'chat'].includes(String(s.attributes[GenAiAttributes.OPERATION_NAME]))).length);
      }),
      { numRuns: 200 },
    );
  });

  it('callFigures() - reads a call\'s tool, duration, queue wait and outcome, and nothing of other spans', () => {
    expect(callFigures(toolCall({ id: 'c', tool: 'search', start: 10, end: 35, outcome: 'timeout', queueWaitMs: 4 }))).toEqual({
      tool: 'search',
      operation: 'execute_tool',
      durationMs: 25,
      queueWaitMs: 4,
      outcome: 'timeout',
    });
    expect(callFigures(toolCall({ id: 'live', tool: 'search', start: 0 }))).toBeUndefined();
    expect(callFigures(span({ id: 'plain', start: 0, end: 1 }))).toBeUndefined();
  });
});
