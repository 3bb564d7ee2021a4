// Attribute and event names are a contract between the runner and every reader of its spans: the runner
// takes each one from `@overlap/shared` (`attributes.ts`), never writes it as a string of its own.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const srcDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'src');

/** `overlap.*`, `gen_ai.*` and `error.type` written as string literals in a source, comments left out. */
export function attributeLiterals(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
  return [...code.matchAll(/(['"`])((?:overlap|gen_ai)\.[a-z_.]+|error\.type)\1/g)].map((match) => match[2]!);
}

describe('attribute names', () => {
  it('attributeLiterals() - finds names in strings, not in comments', () => {
    expect(attributeLiterals("span.setAttribute('overlap.body.running', true); // 'overlap.x'\n/** `gen_ai.tool.name` */ const e = \"error.type\";")).toEqual([
      'overlap.body.running',
      'error.type',
    ]);
  });

  it('runner/src - every overlap.*, gen_ai.* and error.type key comes from @overlap/shared (telemetry/ aside)', () => {
    const files = readdirSync(srcDir, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.ts') && !file.startsWith('telemetry'));
    expect(files.length).toBeGreaterThan(40);
    const found = files.flatMap((file) => attributeLiterals(readFileSync(join(srcDir, file), 'utf8')).map((name) => `${file}: ${name}`));
    expect(found).toEqual([]);
  });
});
