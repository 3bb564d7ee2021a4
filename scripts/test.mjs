#!/usr/bin/env node
// Runs every package's tests and ends with one plain line, "N passed, N failed", which CI reads.
//
// Steps: make sure the system programs the tests drive are present (Chromium for the page, redis-server
// for the shared gates), installing them with apt-get where that is allowed; build the packages; run each
// package's vitest suite through turbo (every package writes vitest's JSON report); add the reports up.
import './require-node.mjs';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const packages = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).workspaces;

/** System programs the suites need: the Debian package that provides each, and the file it installs. */
const systemPrograms = [
  { debianPackage: 'chromium', path: '/usr/bin/chromium', neededBy: 'the dashboard page tests' },
  { debianPackage: 'redis-server', path: '/usr/bin/redis-server', neededBy: 'the shared gate tests' },
];

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', cwd: root, ...options });
  return result.status ?? 1;
}

function ensureSystemPrograms() {
  const missing = systemPrograms.filter((p) => !existsSync(p.path));
  if (missing.length === 0) return;
  const names = missing.map((p) => p.debianPackage).join(' ');
  const canInstall = process.getuid?.() === 0 && existsSync('/usr/bin/apt-get') && process.env.OVERLAP_NO_APT !== '1';
  if (canInstall) {
    console.log(`Installing ${names} with apt-get (needed by ${missing.map((p) => p.neededBy).join(', ')})...`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    if (run('apt-get', ['update', '-qq'], { env }) === 0) {
      run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing.map((p) => p.debianPackage)], { env });
    }
  }
  for (const p of systemPrograms.filter((q) => !existsSync(q.path))) {
    console.warn(
      `\n${p.path} is missing, so ${p.neededBy} will fail. Install it with:\n  sudo apt-get install ${p.debianPackage}\n`,
    );
  }
}

function reportPath(pkg) {
  return join(root, pkg, 'test-results', 'vitest.json');
}

ensureSystemPrograms();
for (const pkg of packages) rmSync(reportPath(pkg), { force: true });

const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1' };
const turboStatus = run('npx', ['turbo', 'run', 'test', '--continue', '--concurrency=1'], { env });

let passed = 0;
let failed = 0;
for (const pkg of packages) {
  const pkgJson = JSON.parse(readFileSync(join(root, pkg, 'package.json'), 'utf8'));
  if (!pkgJson.scripts?.test) continue;
  const file = reportPath(pkg);
  if (!existsSync(file)) {
    console.error(`${pkg}: no test report was written (the suite crashed or did not start): counted as 1 failure`);
    failed += 1;
    continue;
  }
  const report = JSON.parse(readFileSync(file, 'utf8'));
  const brokenFiles = (report.testResults ?? []).filter(
    (r) => r.status === 'failed' && (r.assertionResults ?? []).length === 0,
  ).length;
  console.log(
    `${pkg}: ${report.numPassedTests} passed, ${report.numFailedTests} failed` +
      (brokenFiles ? `, ${brokenFiles} test files failed to load` : ''),
  );
  passed += report.numPassedTests;
  failed += report.numFailedTests + brokenFiles;
}
if (turboStatus !== 0 && failed === 0) {
  console.error('turbo exited with an error while no test failed: counted as 1 failure');
  failed += 1;
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
