/**
 * The usage example of shared/README.md, run as a test so the README cannot drift from the API.
 * Keep the two in step: the README quotes the body of this test, and the last test checks that it does.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  assembleTrace,
  concurrencyTimeline,
  criticalPath,
  jaegerToSpans,
  jsonlToSpans,
  layoutWaterfall,
  spansToJaeger,
  spansToJsonl,
  summarizeTrace,
  toolStats,
} from '../src/index.js';
import { T0, agentRun, queueSpan, toolCall } from './spanBuilders.js';

describe('README usage', () => {
  it('README - assembles, lays out and summarises a trace, and round-trips it through both file formats', () => {
    const spans = [
      agentRun({ id: 'run', start: 0, end: 120 }),
      toolCall({ id: 'a', parent: 'run', start: 0, end: 100, gates: ['db'] }),
      toolCall({ id: 'b', parent: 'run', start: 0, end: 110, gates: ['db'] }),
      queueSpan({ id: 'qb', parent: 'b', gate: 'db', start: 0, end: 60 }),
    ];

    // --- README example starts ---
    const trace = assembleTrace(spans); // repairs late, split, duplicated input; see trace.warnings
    const layout = layoutWaterfall(trace, { nowMs: Date.now() }); // rows in depth-first pre-order
    for (const row of layout.rows) {
      const left = row.offsetMs / layout.durationMs; // 0..1 across the chart
      const bars = row.segments.map((s) => `${s.kind} ${(s.endMs - s.startMs).toFixed(0)} ms`);
      console.log(`${'  '.repeat(row.depth)}${row.name} @${(left * 100).toFixed(0)}%: ${bars.join(', ')}`);
    }
    const onPath = new Set(criticalPath(trace).map((segment) => segment.spanId)); // highlight these
    const gates = concurrencyTimeline(trace).gates; // step series of holders and waiters per gate
    const summary = summarizeTrace(trace);
    console.log(`concurrency saved ${summary.concurrencySavedMs.toFixed(0)} ms (${summary.speedup.toFixed(1)}×)`);
    const perTool = toolStats(spans); // p50/p95/p99 per tool, error and timeout rates

    const jaegerFile = JSON.stringify(spansToJaeger(spans)); // open in Jaeger UI: Search → JSON File
    const fromJaeger = jaegerToSpans(JSON.parse(jaegerFile)).spans; // the same records back
    const fromJsonl = jsonlToSpans(spansToJsonl(spans)).spans; // likewise
    // --- README example ends ---

    expect(layout.rows.map((row) => row.name)).toEqual(['invoke_agent researcher', 'execute_tool search', 'execute_tool search']);
    expect(layout.rows[2]!.segments.map((s) => s.kind)).toEqual(['queue', 'run']);
    expect(onPath.size).toBe(3); // the run, call b and its queue span
    expect(gates[0]!.maxInFlight).toBe(2);
    // Call b has a queue span but no overlap.queue.wait_ms: its 60 ms in the queue are still not run
    // time. The calls ran 100 + (110 - 60) = 150 ms in a 120 ms trace: 30 ms saved.
    expect(summary.sumOfCallsMs).toBe(150);
    expect(summary.concurrencySavedMs).toBe(30);
    expect(perTool[0]!.count).toBe(2);
    expect(fromJaeger).toEqual(spans);
    expect(fromJsonl).toEqual(spans);
    expect(summary.startMs).toBe(T0);
  });

  it('README - quotes the example of this test, line for line', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const quoted = /## Usage[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(quoted, 'shared/README.md has a ts block under ## Usage').toBeDefined();
    const self = readFileSync(new URL(import.meta.url), 'utf8');
    const example = /\/\/ --- README example starts ---\n([\s\S]*?)\n\s*\/\/ --- README example ends ---/.exec(self)![1]!;
    const lines = (text: string): string[] => text.split('\n').map((line) => line.trim()).filter((line) => line !== '');
    const readmeLines = lines(quoted!);
    // The README adds the import; every other line is the example's, in order.
    const body = readmeLines.slice(readmeLines.findIndex((line) => line.endsWith("from '@overlap/shared';")) + 1);
    expect(body).toEqual(lines(example));
  });
});
