import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { spansToJaeger } from '../src/formats/spansToJaeger.js';
import { spansToJsonl } from '../src/formats/jsonl.js';
import { assembleTrace } from '../src/trace/assembleTrace.js';
import { concurrencyTimeline } from '../src/trace/concurrencyTimeline.js';
import { criticalPath } from '../src/trace/criticalPath.js';
import { summarizeTrace } from '../src/trace/traceSummary.js';
import { toolStats } from '../src/trace/toolStats.js';
import { layoutWaterfall } from '../src/trace/waterfall.js';
import { cleanTraceArbitrary, messyArrival } from './traceArbitrary.js';

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}

describe('purity', () => {
  it('assembleTrace() and everything that reads its trace - change neither the spans nor the trace', () => {
    fc.assert(
      fc.property(
        cleanTraceArbitrary.chain((clean) => messyArrival(clean)),
        (spans) => {
          const before = JSON.stringify(spans);
          const trace = assembleTrace(deepFreeze(spans));
          // Freeze the trace's nodes too: any write to them from the maths below would throw.
          for (const node of trace.nodes.values()) {
            Object.freeze(node);
            Object.freeze(node.children);
          }
          Object.freeze(trace.rootNodes);
          expect(() => {
            layoutWaterfall(trace, { collapsed: new Set(trace.roots) });
            criticalPath(trace);
            concurrencyTimeline(trace);
            summarizeTrace(trace);
            toolStats(spans);
            spansToJaeger(spans);
            spansToJsonl(spans);
          }).not.toThrow();
          expect(JSON.stringify(spans)).toBe(before);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('imports', () => {
  it('src/ - imports only its own modules at run time (no Node, DOM, socket.io or OpenTelemetry); other packages as types only', () => {
    const srcDir = fileURLToPath(new URL('../src/', import.meta.url));
    const files = readdirSync(srcDir, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(20);
    const offending: string[] = [];
    for (const file of files) {
      const text = readFileSync(join(srcDir, file), 'utf8');
      for (const match of text.matchAll(/^(import|export)(\s+type)?\b[^;]*?from\s+'([^']+)'/gms)) {
        const [, , typeOnly, specifier] = match;
        if (!specifier!.startsWith('.') && typeOnly === undefined) offending.push(`${file}: ${specifier}`);
      }
      if (/\bimport\(/.test(text) || /\brequire\(/.test(text)) offending.push(`${file}: dynamic import`);
    }
    expect(offending).toEqual([]);
  });
});
