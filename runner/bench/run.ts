// `npm run bench` in runner/: builds the runner and these benchmarks with tsc (a loader such as tsx
// would wrap every function of the hand-written contenders in a naming helper and slow them down,
// while the runner runs from its own tsc build), then runs every `*.bench.js` beside this file, each in
// a fresh Node process (with --expose-gc), one after the other so they do not compete for the cores.
// `npm run bench -- runner` runs only the benchmarks whose file name starts with `runner`.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.js'))
  .filter((f) => only.length === 0 || only.some((name) => f.startsWith(name)))
  .sort();
if (files.length === 0) throw new Error(`no compiled benchmarks in ${here}: run \`npm run bench\`, which builds them`);
let failed = 0;
for (const file of files) {
  console.log(`\n== ${file}`);
  const result = spawnSync(process.execPath, ['--expose-gc', join(here, file)], { stdio: 'inherit' });
  if (result.status !== 0) failed += 1;
}
process.exit(failed === 0 ? 0 : 1);
