// Builds the dashboard's browser page into dist/page/: bundles src/page/main.ts (the page) and
// src/page/analysis/analysisWorker.ts (its analysis worker) with esbuild, chart.js, socket.io-client and
// @overlap/shared (its built dist/, the same code the server runs) included, so the page needs no network
// beyond its own server; writes index.html from static/ with the CSS inlined and the script URL versioned
// by a content hash.
//
//   node scripts/build-page.mjs            # minified, with source maps
//   node scripts/build-page.mjs --dev      # not minified
//
// The build goes to a temporary directory that then replaces dist/page/ whole, so a running server
// never serves half a build.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const dev = process.argv.includes('--dev');
const outDir = join(root, 'dist', 'page');
const tmpDir = join(root, 'dist', `page.tmp-${process.pid}`);

rmSync(tmpDir, { recursive: true, force: true });
mkdirSync(join(tmpDir, 'assets'), { recursive: true });

const started = performance.now();
await build({
  entryPoints: {
    page: join(root, 'src', 'page', 'main.ts'),
    'analysis-worker': join(root, 'src', 'page', 'analysis', 'analysisWorker.ts'),
  },
  outdir: join(tmpDir, 'assets'),
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['chrome110', 'firefox110', 'safari16'],
  minify: !dev,
  // Error classes take their `name` from the class (see OverlapError): keep it through minification.
  keepNames: true,
  sourcemap: 'linked',
  legalComments: 'linked',
  define: { 'process.env.NODE_ENV': dev ? '"development"' : '"production"' },
  logLevel: 'warning',
});

const pageJs = readFileSync(join(tmpDir, 'assets', 'page.js'));
const version = createHash('sha256').update(pageJs).update(readFileSync(join(tmpDir, 'assets', 'analysis-worker.js'))).digest('hex').slice(0, 12);
const css = readFileSync(join(root, 'static', 'page.css'), 'utf8').replaceAll('</', '<\\/');
const html = readFileSync(join(root, 'static', 'index.html'), 'utf8');
if (!html.includes('/*__PAGE_CSS__*/') || !html.includes('__PAGE_JS__')) {
  throw new Error('static/index.html must contain the /*__PAGE_CSS__*/ and __PAGE_JS__ placeholders');
}
writeFileSync(join(tmpDir, 'index.html'), html.replace('/*__PAGE_CSS__*/', () => css).replace('__PAGE_JS__', `assets/page.js?v=${version}`));

const oldDir = join(root, 'dist', `page.old-${process.pid}`);
if (existsSync(outDir)) renameSync(outDir, oldDir);
renameSync(tmpDir, outDir);
rmSync(oldDir, { recursive: true, force: true });

const kib = (file) => `${(statSync(join(outDir, file)).size / 1024).toFixed(0)} KiB`;
console.log(
  `built dist/page in ${(performance.now() - started).toFixed(0)} ms: index.html ${kib('index.html')}, ` +
    `assets/page.js ${kib('assets/page.js')}, assets/analysis-worker.js ${kib('assets/analysis-worker.js')} (v=${version})`,
);
