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
