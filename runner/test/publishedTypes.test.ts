// The declarations the package publishes (dist/*.d.ts): an application compiles against them with
// `skipLibCheck: false`, and internals (a permit's way back into its gate, the runner's open calls, a
// shared gate's protocol with Redis) are not in them.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const runnerDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsc = join(runnerDir, '..', 'node_modules', '.bin', 'tsc');

describe('published types', () => {
  it('dist/*.d.ts - an application using every entry point compiles against them, and internal members are not there', { timeout: 60_000 }, () => {
    const result = spawnSync(tsc, ['-p', join('test', 'types', 'tsconfig.json')], { cwd: runnerDir, encoding: 'utf8' });
    // Third-party declarations are theirs to fix (ioredis leaves `redis-errors` untyped); ours must be clean.
    const ours = `${result.stdout}${result.stderr}`
      .split('\n')
      .filter((line) => /error TS\d+/.test(line) && !/^(\.\.\/)*node_modules\//.test(line));
    expect(ours).toEqual([]);
  });

  it('dist/*.d.ts - Semaphore, RateLimiter, the shared gates and Runner declare no internal member', () => {
    const internals: Record<string, string[]> = {
      'gates/Semaphore.d.ts': ['releasePermit', 'reclaimPermit'],
      'gates/RateLimiter.d.ts': ['releasePermit'],
      // LocalGate's protected members are its API for new kinds of gates; the shared gates have none.
      'redis/SharedGate.d.ts': ['protected ', 'sync(', 'giveBack'],
      'redis/SharedSemaphore.d.ts': ['protected ', 'releasePermit', 'reclaimPermit', 'grantShared', 'heldMembers'],
      'redis/SharedRateLimiter.d.ts': ['protected ', 'grantShared'],
      'Runner.d.ts': ['openCalls'],
    };
    for (const [file, members] of Object.entries(internals)) {
      const declaration = readFileSync(join(runnerDir, 'dist', file), 'utf8');
      for (const member of members) expect(declaration, `${file}: ${member}`).not.toContain(member);
    }
  });
});
