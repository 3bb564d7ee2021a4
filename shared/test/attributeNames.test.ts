/**
 * Attribute names are a contract: every `overlap.*`, `gen_ai.*` and `error.type` key that shared/,
 * dashboard/ and examples/ (and the runner's telemetry) write or read comes from src/attributes.ts. This
 * test pins the wire names once, and finds any key written as a string literal elsewhere.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { GenAiAttributes, OverlapAttributes, OverlapEvents, OverlapJaegerTags } from '../src/attributes.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Where keys must come from the constants (the runner's engine is checked by its own package). */
const SCANNED = [
  'shared/src', 'shared/test', 'dashboard/src', 'dashboard/test', 'dashboard/bench', 'examples/src', 'examples/test', 'runner/src/telemetry',
];
const ALLOWED = new Set(['shared/src/attributes.ts', 'shared/test/attributeNames.test.ts']);
/** A quoted string or the start of a template that is an attribute or event key, or a key prefix. */
const LITERAL = /(['"`])((?:overlap|gen_ai)\.[a-z0-9_.]*|error\.type)(?=['"`$])/g;

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'dist' || name === 'test-results') continue;
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (/\.(ts|mts)$/.test(name)) out.push(path);
  }
  return out;
}

/** The code without its comments (a key named in a doc comment is documentation, not a contract). */
function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

describe('attribute names', () => {
  it('GenAiAttributes, OverlapAttributes, OverlapEvents - keep the wire names of the OpenTelemetry conventions and of Overlap', () => {
    expect(GenAiAttributes.OPERATION_NAME).toBe('gen_ai.operation.name');
    expect(GenAiAttributes.TOOL_NAME).toBe('gen_ai.tool.name');
    expect(GenAiAttributes.ERROR_TYPE).toBe('error.type');
    expect(OverlapAttributes.QUEUE_WAIT_MS).toBe('overlap.queue.wait_ms');
    expect(OverlapAttributes.OUTCOME).toBe('overlap.outcome');
    expect(OverlapEvents.RETRY_BACKOFF).toBe('overlap.retry.backoff');
    expect(OverlapJaegerTags.ESCAPE_PREFIX).toBe('overlap.attr.');
    const all = [...Object.values(GenAiAttributes), ...Object.values(OverlapAttributes), ...Object.values(OverlapEvents), ...Object.values(OverlapJaegerTags)];
    expect(new Set(all).size).toBe(all.length);
  });

  it('attributes.ts - is the only place a key is written as a literal in shared, dashboard, examples and the runner telemetry', () => {
    const found: string[] = [];
    for (const dir of SCANNED) {
      for (const file of sourceFiles(join(ROOT, dir))) {
        const name = relative(ROOT, file);
        if (ALLOWED.has(name)) continue;
        const code = withoutComments(readFileSync(file, 'utf8'));
        for (const match of code.matchAll(LITERAL)) if (!/\.(js|mjs|ts)$/.test(match[2]!)) found.push(`${name}: ${match[2]}`);
      }
    }
    expect(found).toEqual([]);
  });
});
