// The published packages as users get them: `npm pack` each, install the tarballs into a fresh project
// outside this repository (with their peer dependencies at the versions the repository tests with),
// then load every entry point, type-check a consumer, run the runner's quick start and start the
// dashboard from its installed bin. publint and @arethetypeswrong/cli check the tarballs too.
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, normalize } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installedVersion, publishedPackages, repositoryRoot, type PublishedPackage } from './publishedPackages.js';

const packages = publishedPackages();
const ownNames = new Set(packages.map((p) => p.manifest.name));

/** npm's own settings pass through; the ones `npm test` sets for this workspace must not leak into the fresh project. */
const KEPT_NPM_SETTINGS = new Set(['npm_config_cache', 'npm_config_registry', 'npm_config_nodedir', 'npm_config_userconfig']);
const cleanEnv = Object.fromEntries(
  Object.entries(process.env).filter(([key]) => !key.toLowerCase().startsWith('npm_') || KEPT_NPM_SETTINGS.has(key.toLowerCase())),
);

function run(command: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  const result = spawnSync(command, args, { cwd, env: cleanEnv, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.error) throw result.error;
  return result;
}

function succeed(command: string, args: string[], cwd: string): string {
  const result = run(command, args, cwd);
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.status}:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

interface PackResult {
  filename: string;
  files: Array<{ path: string }>;
}

let work: string;
let app: string;
const tarballs = new Map<string, { path: string; files: Set<string> }>();

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'overlap-packaging-'));
  const tarballDir = join(work, 'tarballs');
  mkdirSync(tarballDir);
  for (const pkg of packages) {
    const [packed] = JSON.parse(succeed('npm', ['pack', '--json', '--pack-destination', tarballDir], join(repositoryRoot, pkg.folder))) as PackResult[];
    tarballs.set(pkg.manifest.name, { path: join(tarballDir, packed!.filename), files: new Set(packed!.files.map((f) => f.path)) });
  }

  app = join(work, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'overlap-consumer', private: true, type: 'module' }, null, 2));
  const peers = new Set<string>();
  for (const pkg of packages) for (const name of Object.keys(pkg.manifest.peerDependencies ?? {})) if (!ownNames.has(name)) peers.add(name);
  const installs = [
    ...[...tarballs.values()].map((t) => t.path),
    ...[...peers].map((name) => `${name}@${installedVersion(name)}`),
    `zod@${installedVersion('zod')}`,
    `typescript@${installedVersion('typescript')}`,
    'typescript5@npm:typescript@5.9.3',
    `@types/node@${installedVersion('@types/node')}`,
  ];
  succeed('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...installs], app);
}, 300_000);

// Deleting the fresh project's node_modules can take longer than vitest's 10 s on a busy machine.
afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
}, 120_000);

function exportTargets(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (value && typeof value === 'object') return Object.values(value).flatMap(exportTargets);
  return [];
}

describe('published packages', () => {
  it('npm pack - each tarball has its README, package.json, every export and bin target, and source maps whose sources are in it', () => {
    for (const pkg of packages) {
      const { files } = tarballs.get(pkg.manifest.name)!;
      expect(files, pkg.folder).toContain('README.md');
      expect(files, pkg.folder).toContain('package.json');
      const targets = [...exportTargets(pkg.manifest.exports), ...Object.values(pkg.manifest.bin ?? {})].map((t) => normalize(t));
      for (const target of targets) expect(files, `${pkg.folder}: ${target}`).toContain(target);
      for (const map of [...files].filter((f) => f.endsWith('.map'))) {
        const parsed = JSON.parse(readFileSync(join(repositoryRoot, pkg.folder, map), 'utf8')) as { sources: string[]; sourcesContent?: Array<string | null> };
        parsed.sources.forEach((source, i) => {
          if (typeof parsed.sourcesContent?.[i] === 'string') return;
          expect(files, `${pkg.folder}: ${map} points at ${source}`).toContain(normalize(join(dirname(map), source)));
        });
      }
      // Nothing from the tests or the build's caches ships.
      expect([...files].filter((f) => /^(test|bench|node_modules|\.turbo|test-results)\//.test(f)), pkg.folder).toEqual([]);
    }
  });

  it('package.json - each declares engines, ESM, no side effects and types before import in every export', () => {
    for (const pkg of packages) {
      const { manifest } = pkg;
      expect(manifest.engines?.node, pkg.folder).toMatch(/^>=22\.15/);
      const raw = JSON.parse(readFileSync(join(repositoryRoot, pkg.folder, 'package.json'), 'utf8')) as Record<string, unknown>;
      expect(raw.type, pkg.folder).toBe('module');
      expect(raw.sideEffects, pkg.folder).toBe(false);
      for (const [key, value] of Object.entries(manifest.exports ?? {})) {
        expect(Object.keys(value as object)[0], `${pkg.folder} exports ${key}`).toBe('types');
      }
    }
  });

  it('publint - reports nothing for any package, warnings included', () => {
    for (const pkg of packages) {
      const result = run(join(repositoryRoot, 'node_modules', '.bin', 'publint'), ['--strict', join(repositoryRoot, pkg.folder)], repositoryRoot);
      expect(result.status, `${pkg.folder}:\n${result.stdout}${result.stderr}`).toBe(0);
      expect(result.stdout).toContain('All good!');
    }
  }, 120_000);

  it('attw - every entry point resolves to types and JavaScript for ESM consumers (node16 and bundler)', () => {
    for (const [name, { path }] of tarballs) {
      const result = run(join(repositoryRoot, 'node_modules', '.bin', 'attw'), [path, '--profile', 'esm-only', '--format', 'json'], repositoryRoot);
      const report = JSON.parse(result.stdout) as { analysis: { problems: Array<{ kind: string; entrypoint?: string; resolutionKind?: string }> } };
      const problems = report.analysis.problems.filter((p) => p.resolutionKind !== 'node10' && p.resolutionKind !== 'node16-cjs');
      expect(problems, name).toEqual([]);
      expect(result.status, name).toBe(0);
    }
  }, 120_000);

  it('import - every entry point of every package loads in the fresh project and exports something', () => {
    const specifiers = packages.flatMap((p: PublishedPackage) => p.entryPoints);
    const script = `for (const s of ${JSON.stringify(specifiers)}) { const m = await import(s); console.log(s, Object.keys(m).length); }`;
    const output = succeed(process.execPath, ['--input-type=module', '-e', script], app);
    for (const specifier of specifiers) expect(output).toMatch(new RegExp(`^${specifier} [1-9]\\d*$`, 'm'));
  }, 60_000);

  it('types - a consumer importing every entry point, and the runner quick start, type-check with TypeScript 7 and 5.9', () => {
    const specifiers = packages.flatMap((p) => p.entryPoints);
    writeFileSync(
      join(app, 'consumer.ts'),
      specifiers.map((s, i) => `import * as entry${i} from '${s}';`).join('\n') + `\nexport const entries = [${specifiers.map((_, i) => `entry${i}`).join(', ')}];\n`,
    );
    copyFileSync(join(repositoryRoot, 'runner', 'examples', 'quickstart.ts'), join(app, 'quickstart.ts'));
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, skipLibCheck: false, types: ['node'], outDir: 'out' },
        include: ['consumer.ts', 'quickstart.ts'],
      }),
    );
    // skipLibCheck is off so the packages' own declarations are checked; errors inside other libraries'
    // declarations (ioredis names an untyped module) are theirs, not the packages', and are left out.
    const ownErrors = (output: string): string[] =>
      output.split('\n').filter((line) => / error TS\d+/.test(line) && (!line.startsWith('node_modules/') || line.startsWith('node_modules/@overlap/')));
    const ts7 = run(process.execPath, [join(app, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.'], app);
    expect(ownErrors(ts7.stdout), 'TypeScript 7').toEqual([]);
    const ts5 = run(process.execPath, [join(app, 'node_modules', 'typescript5', 'bin', 'tsc'), '-p', '.', '--noEmit'], app);
    expect(ownErrors(ts5.stdout), 'TypeScript 5.9').toEqual([]);
    expect(existsSync(join(app, 'out', 'quickstart.js'))).toBe(true);
  }, 120_000);

  it('quick start - the compiled runner quick start runs against the installed packages', () => {
    const output = succeed(process.execPath, [join(app, 'out', 'quickstart.js')], app);
    expect(output).toContain('Answer to: Where is my order?');
    expect(output).toMatch(/took \d+ ms/);
  }, 60_000);

  it('overlap-dashboard - the installed bin starts the server, which answers /healthz and serves the page, and stops on SIGTERM', async () => {
    const child = spawn(join(app, 'node_modules', '.bin', 'overlap-dashboard'), ['--port', '0'], { cwd: app, env: cleanEnv });
    let output = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = /listening on (http:\/\/\S+)/.exec(output);
        if (match) resolve(match[1]!.endsWith('/') ? match[1]! : `${match[1]!}/`);
      });
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.once('exit', (code) => reject(new Error(`overlap-dashboard exited ${code}: ${output}`)));
    });
    try {
      const health = await fetch(`${url}healthz`);
      expect(health.status).toBe(200);
      const page = await (await fetch(url)).text();
      expect(page).toContain('<script');
    } finally {
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  }, 60_000);
});
