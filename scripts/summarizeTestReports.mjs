// Adds up the packages' vitest JSON reports for scripts/test.mjs. Every test that did not run counts as
// failed, unless an entry of the allowed-skips list covers it (and its file did not fail: a test left
// unrun by a beforeAll that threw is a failure whatever the list says); a file that failed outside its
// tests counts one failure more; a package without a report counts one failure.
import { sep } from 'node:path';

/**
 * @param {{ root: string, reports: Map<string, any>, allowedSkips: ReadonlyArray<{ file: string, test: string, reason: string, when?: () => boolean }> }} input
 *   `reports`: each package's parsed `test-results/vitest.json`, or `undefined` when none was written.
 * @returns {{ passed: number, failed: number, skipped: number, perPackage: string[], notRun: string[], allowedSkipsPrinted: string[], summary: string }}
 */
export function summarizeTestReports({ root, reports, allowedSkips }) {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  const perPackage = [];
  const notRun = [];
  const allowedSkipsPrinted = [];
  const relative = (path) => (path.startsWith(root) ? path.slice(root.length).replace(/^[\\/]+/, '') : path).split(sep).join('/');
  const allowedSkipOf = (file, fullName) =>
    allowedSkips.find((s) => s.file === file && fullName.startsWith(s.test) && (s.when?.() ?? true));

  for (const [pkg, report] of reports) {
    if (report === undefined) {
      perPackage.push(`${pkg}: no test report was written (the suite crashed or did not start): counted as 1 failure`);
      failed += 1;
      continue;
    }
    let pkgPassed = 0;
    let pkgFailed = 0;
    let pkgSkipped = 0;
    for (const testFile of report.testResults ?? []) {
      const file = relative(testFile.name);
      const tests = testFile.assertionResults ?? [];
      const fileFailed = testFile.status === 'failed';
      let failedHere = 0;
      for (const test of tests) {
        if (test.status === 'passed') {
          pkgPassed += 1;
          continue;
        }
        if (test.status !== 'failed') {
          const allowed = fileFailed ? undefined : allowedSkipOf(file, test.fullName);
          if (allowed !== undefined) {
            pkgSkipped += 1;
            allowedSkipsPrinted.push(`${file}: ${test.fullName} - ${allowed.reason}`);
            continue;
          }
          notRun.push(`${file}: ${test.fullName} (did not run: ${test.status}${fileFailed ? `; ${firstLine(testFile.message)}` : ''})`);
        }
        pkgFailed += 1;
        failedHere += 1;
      }
      if (fileFailed && failedHere === 0) {
        pkgFailed += 1;
        notRun.push(`${file}: failed outside its tests: ${firstLine(testFile.message)}`);
      }
    }
    perPackage.push(`${pkg}: ${pkgPassed} passed, ${pkgFailed} failed, ${pkgSkipped} skipped`);
    passed += pkgPassed;
    failed += pkgFailed;
    skipped += pkgSkipped;
  }
  return { passed, failed, skipped, perPackage, notRun, allowedSkipsPrinted, summary: `${passed} passed, ${failed} failed, ${skipped} skipped` };
}

function firstLine(text) {
  return String(text ?? '').split('\n')[0].slice(0, 200) || 'no message';
}
