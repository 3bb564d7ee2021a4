// The module graph of what the package ships (dist/, after `npm run build`): no runtime import cycle, and
// the layering the folders promise (public API files outside `engine/`, internals inside it).
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const runnerDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const distDir = join(runnerDir, 'dist');
const srcDir = join(runnerDir, 'src');

function filesUnder(dir: string, extension: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith(extension) && !file.endsWith(`.d${extension}`))
    .map((file) => join(dir, file));
}

/** Relative specifiers a module loads when it is evaluated: static imports and re-exports (`import type` is gone from dist). */
function staticImports(code: string): string[] {
  const specifiers: string[] = [];
  const pattern = /^\s*(?:import|export)\s+(?:[^'";]*?\s+from\s+)?['"](\.{1,2}\/[^'"]+)['"]/gm;
  for (const match of code.matchAll(pattern)) specifiers.push(match[1]!);
  return specifiers;
}

/** Every import of a source file, types included: `from './x.js'` and `import './x.js'`. */
function sourceImports(code: string): string[] {
  return [...code.matchAll(/from\s+['"](\.{1,2}\/[^'"]+)['"]/g)].map((match) => match[1]!);
}

/** The runtime import graph of the modules reachable from `entries`: module → modules it loads. */
export function importGraph(entries: readonly string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const pending = [...entries];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (graph.has(file)) continue;
    const targets = staticImports(readFileSync(file, 'utf8')).map((specifier) => resolve(dirname(file), specifier));
    graph.set(file, targets);
    pending.push(...targets);
  }
  return graph;
}

/** The built files of the package's entry points (`exports` in package.json). */
function entryPoints(): string[] {
  const manifest = JSON.parse(readFileSync(join(runnerDir, 'package.json'), 'utf8')) as { exports: Record<string, { import: string }> };
  return Object.values(manifest.exports).map((entry) => join(runnerDir, entry.import));
}

/** The cycles of a graph, each as the path of modules around it (one per strongly connected component). */
export function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): void => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      const seen = state.get(next);
      if (seen === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (seen === undefined) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of graph.keys()) if (!state.has(node)) visit(node);
  return cycles;
}

describe('module graph', () => {
  it('findCycles() - finds a cycle of three modules and none in a chain', () => {
    expect(findCycles(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']]]))).toEqual([['a', 'b', 'c', 'a']]);
    expect(findCycles(new Map([['a', ['b']], ['b', ['c']], ['c', []]]))).toEqual([]);
  });

  it('dist - no module reachable from an entry point imports itself through others at run time', () => {
    const entries = entryPoints();
    for (const entry of entries) expect(existsSync(entry), `${entry}: build the package first (npm run build)`).toBe(true);
    const graph = importGraph(entries);
    expect(graph.size).toBeGreaterThan(30);
    const cycles = findCycles(graph).map((cycle) => cycle.map((file) => relative(distDir, file)).join(' → '));
    expect(cycles).toEqual([]);
  });

  it('engine/patterns - depend on the narrow TaskHost interface, never on the concrete context class', () => {
    const patterns = filesUnder(join(srcDir, 'engine', 'patterns'), '.ts');
    expect(patterns.length).toBeGreaterThan(0);
    for (const file of patterns) {
      const imports = sourceImports(readFileSync(file, 'utf8'));
      expect(imports.filter((specifier) => /ExecutionContext|RunnerCore|ToolCall/.test(specifier)), relative(srcDir, file)).toEqual([]);
    }
  });

  it('entry points - export public API files only; engine internals stay behind them', () => {
    for (const entry of ['index.ts', 'redis/index.ts']) {
      const exported = sourceImports(readFileSync(join(srcDir, entry), 'utf8'));
      expect(exported.filter((specifier) => specifier.includes('engine/')), entry).toEqual([]);
    }
  });
});
