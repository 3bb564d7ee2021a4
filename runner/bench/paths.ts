import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The runner package's directory, found from this file whether it runs compiled (bench-dist/bench/) or not. */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === '@overlap/runner') return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('bench: cannot find the @overlap/runner package above this file');
    dir = parent;
  }
}

/** Where the benchmarks write their JSON results: `runner/bench/results/`. */
export const resultsDir = join(packageRoot(), 'bench', 'results');
