// scripts/test.mjs's summary: a test that did not run is a failure unless the reviewed list of allowed
// skips covers it, and the last line reads "N passed, N failed, N skipped".
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { allowedSkips } from '../../../scripts/allowed-skips.mjs';
import { summarizeTestReports } from '../../../scripts/summarizeTestReports.mjs';
import type { AllowedSkip } from '../../../scripts/summarizeTestReports.mjs';

const root = '/repo';
const CI_LINE = /^[0-9]+ passed, [0-9]+ failed(, [0-9]+ skipped)?$/;

function file(name: string, status: 'passed' | 'failed', tests: Array<[string, string]>, message = ''): unknown {
  return { name: `${root}/${name}`, status, message, assertionResults: tests.map(([fullName, testStatus]) => ({ fullName, status: testStatus })) };
}

const skipList: AllowedSkip[] = [{ file: 'runner/test/redis/down.test.ts', test: 'while Redis is down', reason: 'external Redis', when: () => true }];

describe('summarizeTestReports()', () => {
  it('summarizeTestReports() - counts passed and failed tests and ends with the line CI reads', () => {
    const reports = new Map<string, unknown>([['shared', { testResults: [file('shared/test/a.test.ts', 'failed', [['a ok', 'passed'], ['a bad', 'failed']])] }]]);
    const result = summarizeTestReports({ root, reports, allowedSkips: skipList });
    expect(result).toMatchObject({ passed: 1, failed: 1, skipped: 0, summary: '1 passed, 1 failed, 0 skipped' });
    expect(result.summary).toMatch(CI_LINE);
  });

  it('summarizeTestReports() - counts every test a failed beforeAll left unrun as failed, even one the list allows', () => {
    const reports = new Map<string, unknown>([
      ['dashboard', { testResults: [file('dashboard/test/page.test.ts', 'failed', [['page draws', 'skipped'], ['page scrolls', 'skipped']], 'Error: no Chromium at /usr/bin/chromium')] }],
      ['runner', { testResults: [file('runner/test/redis/down.test.ts', 'failed', [['while Redis is down stops', 'skipped']], 'Error: redis-server did not start')] }],
    ]);
    const result = summarizeTestReports({ root, reports, allowedSkips: skipList });
    expect(result).toMatchObject({ passed: 0, failed: 3, skipped: 0 });
    expect(result.notRun).toEqual([
      'dashboard/test/page.test.ts: page draws (did not run: skipped; Error: no Chromium at /usr/bin/chromium)',
      'dashboard/test/page.test.ts: page scrolls (did not run: skipped; Error: no Chromium at /usr/bin/chromium)',
      'runner/test/redis/down.test.ts: while Redis is down stops (did not run: skipped; Error: redis-server did not start)',
    ]);
  });

  it('summarizeTestReports() - counts a declared skip as skipped, printed with its reason, and any other skip as failed', () => {
    const reports = new Map<string, unknown>([
      ['runner', { testResults: [file('runner/test/redis/down.test.ts', 'passed', [['while Redis is down stops', 'skipped'], ['other', 'passed']]), file('runner/test/b.test.ts', 'passed', [['b skipped', 'skipped'], ['b todo', 'todo']])] }],
    ]);
    const result = summarizeTestReports({ root, reports, allowedSkips: skipList });
    expect(result).toMatchObject({ passed: 1, failed: 2, skipped: 1, summary: '1 passed, 2 failed, 1 skipped' });
    expect(result.allowedSkipsPrinted).toEqual(['runner/test/redis/down.test.ts: while Redis is down stops - external Redis']);
    const notWhen = summarizeTestReports({ root, reports, allowedSkips: [{ ...skipList[0]!, when: () => false }] });
    expect(notWhen).toMatchObject({ failed: 3, skipped: 0 });
  });

  it('summarizeTestReports() - counts a file that failed outside its tests, and a package without a report, as one failure each', () => {
    const reports = new Map<string, unknown>([
      ['shared', { testResults: [file('shared/test/broken.test.ts', 'failed', [], 'SyntaxError: unexpected token'), file('shared/test/after.test.ts', 'failed', [['fine', 'passed']], 'Error: afterAll threw')] }],
      ['examples', undefined],
    ]);
    const result = summarizeTestReports({ root, reports, allowedSkips: [] });
    expect(result).toMatchObject({ passed: 1, failed: 3, skipped: 0 });
    expect(result.perPackage).toContain('examples: no test report was written (the suite crashed or did not start): counted as 1 failure');
  });
});

describe('allowedSkips', () => {
  it('allowedSkips - every entry names a test file that exists and a test name it holds, with a reason', () => {
    const repo = fileURLToPath(new URL('../../../', import.meta.url));
    for (const skip of allowedSkips) {
      const path = join(repo, skip.file);
      expect(existsSync(path), skip.file).toBe(true);
      expect(readFileSync(path, 'utf8')).toContain(skip.test);
      expect(skip.reason.length).toBeGreaterThan(10);
    }
  });
});
