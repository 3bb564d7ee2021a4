// Issue 11: every command the documentation gives runs this checkout's code. `npx <name>` asks the npm
// registry for <name> whenever the bin is not linked (a fresh clone before `npm ci`, another directory),
// and `npm install @overlap/...` installs whatever a registry serves under our names: the day someone
// publishes them, those commands would run their code. Root scripts and `node <path>` do not.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readJson, repositoryRoot } from './publishedPackages.js';

/** Every Markdown file of the repository outside node_modules, dist and dot-directories (but .changeset). */
function markdownFiles(dir = repositoryRoot): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (entry === 'node_modules' || entry === 'dist' || (entry.startsWith('.') && entry !== '.changeset')) continue;
    if (statSync(path).isDirectory()) files.push(...markdownFiles(path));
    else if (entry.endsWith('.md')) files.push(path);
  }
  return files;
}

const docs = markdownFiles().map((path) => ({ file: relative(repositoryRoot, path), text: readFileSync(path, 'utf8') }));

describe('documented commands', () => {
  it('*.md - no command runs a package by name through npx', () => {
    expect(docs.length).toBeGreaterThan(5);
    const found = docs.flatMap(({ file, text }) => [...text.matchAll(/\bnpx\s+[\w@./-]+/g)].map((m) => `${file}: ${m[0]}`));
    expect(found).toEqual([]);
  });

  it('*.md - no command installs an Overlap package by name from a registry', () => {
    const found = docs.flatMap(({ file, text }) => [...text.matchAll(/\bnpm\s+(?:install|i|add)\b[^\n`]*?(?:@overlap\/|\boverlap-)[\w-]+(?!\S*\.tgz)/g)].map((m) => `${file}: ${m[0]}`));
    expect(found).toEqual([]);
  });

  it('*.md - every `npm run <script>` names a script of the root package.json (or of the workspace given with -w)', () => {
    const root = readJson<{ scripts: Record<string, string>; workspaces: string[] }>(join(repositoryRoot, 'package.json'));
    const byName = new Map<string, Record<string, string>>();
    for (const folder of root.workspaces) {
      const manifest = readJson<{ name: string; scripts?: Record<string, string> }>(join(repositoryRoot, folder, 'package.json'));
      byName.set(manifest.name, manifest.scripts ?? {});
    }
    const missing: string[] = [];
    for (const { file, text } of docs) {
      for (const match of text.matchAll(/\bnpm run ([\w:-]+)(?:\s+(?:-w|--workspace)\s+(@[\w/-]+))?/g)) {
        const [, script, workspace] = match;
        const scripts = workspace === undefined ? root.scripts : byName.get(workspace!);
        if (scripts?.[script!] === undefined) missing.push(`${file}: ${match[0]}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('package.json - the root scripts that run a bin run this checkout\'s committed file', () => {
    const root = readJson<{ scripts: Record<string, string> }>(join(repositoryRoot, 'package.json'));
    for (const [script, bin] of [['dashboard', 'dashboard/bin/overlap-dashboard.js'], ['overlap', 'examples/bin/overlap.js'], ['start', 'examples/bin/overlap.js']] as const) {
      expect(root.scripts[script], script).toContain(`node ${bin}`);
      expect(existsSync(join(repositoryRoot, bin)), bin).toBe(true);
    }
    for (const command of Object.values(root.scripts)) expect(command).not.toMatch(/\bnpx\b/);
  });
});
