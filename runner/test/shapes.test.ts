import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The `[migrating]` lines V8 prints while `test/shapes/queuedCalls.ts` runs its measured calls. */
function migrationsWhileQueued(mode: 'agent' | 'direct'): string[] {
  const output = execFileSync(process.execPath, ['--trace-migration', '--expose-gc', '--import', 'tsx', join(root, 'test', 'shapes', 'queuedCalls.ts'), mode], {
    cwd: root,
    encoding: 'latin1',
    maxBuffer: 256 * 1024 * 1024,
  });
  const measured = output.slice(output.indexOf('--- measured'), output.indexOf('--- done'));
  expect(output).toContain('--- done');
  return measured.split('\n').filter((line) => line.startsWith('[migrating]'));
}

// An object whose field first holds a small integer and later a fraction (a `0` that becomes a duration)
// can leave V8 moving every such object to a new layout the first time it is touched after it waited:
// about a microsecond per queued call, on the path where 100,000 calls wait at a gate.
describe('object layouts on the queued path', () => {
  it('calls that queue, from an agent: no object changes layout once warm', () => {
    expect(migrationsWhileQueued('agent')).toEqual([]);
  });

  it('calls that queue, from runner.call: no object changes layout once warm', () => {
    expect(migrationsWhileQueued('direct')).toEqual([]);
  });
});

// A queued call is one object and what it cannot do without (its promise and resolvers, its wait-queue
// node, its clock readings), and the GC copies all of it while it is young: 100,000 queued calls are
// 100,000 times this. 641 bytes on Node 24 (was 705): the bound leaves room for a field, not for a
// second object per call.
describe('heap on the queued path', () => {
  it('a call waiting at a semaphore holds at most 660 bytes of heap', () => {
    const output = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', join(root, 'test', 'shapes', 'queuedBytes.ts')], {
      cwd: root,
      encoding: 'utf8',
    });
    const perCall = Number(output.trim().split('\n').at(-1));
    expect(perCall).toBeGreaterThan(300);
    expect(perCall).toBeLessThanOrEqual(660);
  });
});
