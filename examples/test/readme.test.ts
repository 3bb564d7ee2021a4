import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { examples } from '../src/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

describe('README', () => {
  it('README.md - its usage example is docs/usage.ts word for word, and it runs', () => {
    const usage = readFileSync(join(root, 'docs', 'usage.ts'), 'utf8').trim();
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    expect(readme).toContain(usage);
    const output = execFileSync(process.execPath, ['--import', 'tsx', join(root, 'docs', 'usage.ts')], { cwd: root, encoding: 'utf8' });
    for (const example of examples) expect(output).toContain(`${example.name}: ${example.title}`);
    expect(output).toMatch(/^concurrent: \d+ ms/m);
    expect(output).toMatch(/^sequential: \d+ ms/m);
  }, 30_000);

  it('README.md - lists every example with its parameters and their defaults', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    for (const example of examples) {
      const row = readme.split('\n').find((line) => line.startsWith(`| \`${example.name}\` |`));
      expect(row, example.name).toBeDefined();
      for (const p of example.parameters) expect(row).toContain(`\`${p.name}\` (${p.default})`);
    }
  });
});
