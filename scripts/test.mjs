#!/usr/bin/env node
// Runs every package's tests and ends with one plain line, "N passed, N failed, N skipped", which CI
// reads (as `^[0-9]+ passed, [0-9]+ failed(, [0-9]+ skipped)?$`).
//
// Every test that did not run counts as failed (a beforeAll that threw, a missing program, a skipIf),
// unless it is declared in scripts/allowed-skips.mjs, the one reviewed list of allowed skips; those are
// counted as skipped and printed with their reason. A test file that failed outside its tests (it did not
// load, or a hook threw after its tests) counts one failure more.
//
// Steps: make sure the system programs the tests drive are present (Chromium for the page, redis-server
// for the shared gates), installing them with apt-get where that is allowed; build the packages; run each
// package's vitest suite through turbo (every package writes vitest's JSON report); add the reports up.
import './require-node.mjs';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { allowedSkips } from './allowed-skips.mjs';
import { summarizeTestReports } from './summarizeTestReports.mjs';

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

const reports = new Map();
for (const pkg of packages) {
  const pkgJson = JSON.parse(readFileSync(join(root, pkg, 'package.json'), 'utf8'));
  if (!pkgJson.scripts?.test) continue;
  const file = reportPath(pkg);
  reports.set(pkg, existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined);
}
const { passed, skipped, perPackage, notRun, allowedSkipsPrinted, ...counts } = summarizeTestReports({ root, reports, allowedSkips });
let failed = counts.failed;
for (const line of perPackage) console.log(line);
if (notRun.length > 0) {
  console.error(`\nCounted as failed (did not run, and not in scripts/allowed-skips.mjs):`);
  for (const line of notRun) console.error(`  ${line}`);
}
if (allowedSkipsPrinted.length > 0) {
  console.log(`\nAllowed skips (scripts/allowed-skips.mjs):`);
  for (const line of allowedSkipsPrinted) console.log(`  ${line}`);
}
if (turboStatus !== 0 && failed === 0) {
  console.error('turbo exited with an error while no test failed: counted as 1 failure');
  failed += 1;
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);

