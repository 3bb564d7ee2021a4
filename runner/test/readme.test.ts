import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

describe('README', () => {
  it('README.md - its quick-start example is examples/quickstart.ts word for word, and it runs', () => {
    const example = readFileSync(join(root, 'examples', 'quickstart.ts'), 'utf8').trim();
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    expect(readme).toContain(example);
    const output = execFileSync(process.execPath, ['--import', 'tsx', join(root, 'examples', 'quickstart.ts')], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(output).toContain('Answer to: Where is my order? {"weather":{"city":"Oslo","sky":"clear"}');
    expect(output).toMatch(/took \d+ ms/);
  });
});

describe('root README', () => {
  it('README.md (root) - every line of its runner excerpt is a line of examples/quickstart.ts', () => {
    const example = readFileSync(join(root, 'examples', 'quickstart.ts'), 'utf8');
    const readme = readFileSync(join(root, '..', 'README.md'), 'utf8');
    const block = /## Tools and an agent\n\n```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block).toBeDefined();
    const lines = block!.split('\n').filter((line) => line.trim() !== '');
    expect(lines.length).toBeGreaterThan(20);
    for (const line of lines) expect(example.split('\n'), line).toContain(line);
  });
});
