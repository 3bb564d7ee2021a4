// On a Node.js older than the project needs, every command a user types stops at once with one line
// that names the version found and the version needed. An older Node is stood in for by a preloaded
// module that changes `process.versions.node`, so the test does not depend on which Node the machine has.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isSupportedNodeVersion, MINIMUM_NODE_VERSION } from '@overlap/shared/require-node-version';
import { publishedPackages, readJson, repositoryRoot } from './publishedPackages.js';

const folder = mkdtempSync(join(tmpdir(), 'overlap-old-node-'));
const pretendNode20 = join(folder, 'pretend-node-20.mjs');
writeFileSync(
  pretendNode20,
  `Object.defineProperty(process, 'versions', { value: { ...process.versions, node: '20.20.2' } });\n` +
    `Object.defineProperty(process, 'version', { value: 'v20.20.2' });\n`,
);
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const MESSAGE = /needs Node\.js 22\.15\.0 or newer; this is Node\.js 20\.20\.2\./;

function onOldNode(command: string, args: string[], cwd = repositoryRoot) {
  const env = { ...process.env, NODE_OPTIONS: `--import=${pretendNode20}` };
  return spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout: 60_000 });
}

describe('the Node.js floor', () => {
  it('isSupportedNodeVersion() - compares major, minor and patch against MINIMUM_NODE_VERSION', () => {
    expect(MINIMUM_NODE_VERSION).toBe('22.15.0');
    expect(isSupportedNodeVersion('20.20.2')).toBe(false);
    expect(isSupportedNodeVersion('22.14.9')).toBe(false);
    expect(isSupportedNodeVersion('v22.15.0')).toBe(true);
    expect(isSupportedNodeVersion('22.23.5')).toBe(true);
    expect(isSupportedNodeVersion('24.0.0')).toBe(true);
    expect(isSupportedNodeVersion('100.1.0')).toBe(true);
  });

  it('package.json - the root and every workspace require Node.js >= MINIMUM_NODE_VERSION', () => {
    const floor = `>=${MINIMUM_NODE_VERSION.split('.').slice(0, 2).join('.')}`;
    const workspaces = readJson<{ workspaces: string[]; engines: { node: string } }>(join(repositoryRoot, 'package.json'));
    expect(workspaces.engines.node).toBe(floor);
    for (const name of workspaces.workspaces) {
      expect(readJson<{ engines?: { node?: string } }>(join(repositoryRoot, name, 'package.json')).engines?.node, name).toBe(floor);
    }
  });

  it.each([
    ['overlap', ['examples/bin/overlap.js', 'list']],
    ['overlap-dashboard', ['dashboard/bin/overlap-dashboard.js', '--port', '0']],
    ['scripts/test.mjs (npm test)', ['scripts/test.mjs']],
    ['scripts/require-node.mjs (npm ci, npm start, npm run bench)', ['scripts/require-node.mjs']],
  ])('%s - on Node 20 prints one line naming both versions and exits 1, with no stack trace', (_name, args) => {
    const result = onOldNode(process.execPath, args);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(MESSAGE);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stdout).toBe('');
  });

  it.each([['start'], ['test'], ['preinstall'], ['bench'], ['dashboard'], ['overlap'], ['hostile']])('npm run %s - stops at once on Node 20 with the message', (script) => {
    const result = onOldNode('npm', ['run', '--silent', script]);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(MESSAGE);
    // Nothing was built or run: turbo never started.
    expect(result.stdout + result.stderr).not.toMatch(/turbo|Tasks:/);
  });

  it('npm ci - on Node 20 stops before installing anything, naming the Node.js required and the one found', () => {
    const project = mkdtempSync(join(folder, 'project-'));
    for (const file of ['package.json', 'package-lock.json', '.npmrc']) copyFileSync(join(repositoryRoot, file), join(project, file));
    const result = onOldNode('npm', ['ci', '--no-audit', '--no-fund', '--offline'], project);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/EBADENGINE/);
    expect(result.stderr).toMatch(/Required: \{"node":">=22\.15"\}/);
    expect(result.stderr).toMatch(/Actual: +\{"node":"v20\.20\.2"/);
    expect(existsSync(join(project, 'node_modules'))).toBe(false);
  });

  it('published packages - every bin is a committed file that checks the Node.js version first', () => {
    for (const pkg of publishedPackages()) {
      for (const bin of Object.values(pkg.manifest.bin ?? {})) {
        const result = onOldNode(process.execPath, [join(repositoryRoot, pkg.folder, bin), '--help']);
        expect(result.status, `${pkg.folder}: ${bin}`).toBe(1);
        expect(result.stderr).toMatch(MESSAGE);
      }
    }
  });
});
