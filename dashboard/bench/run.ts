// `npm run bench` in dashboard/: runs every `*.bench.ts` beside this file, each in a fresh Node process
// (with --expose-gc), one after the other so they do not compete for the machine's cores; then merges
// their results (bench/results/ingest.json, page.json, db.json, hostile.json) into
// bench/results/dashboard.json and prints the figures against their targets. `npm run hostile` is
// `npm run bench -- hostile`.
//
// `npm run bench -- ingest` runs only the files whose names start with `ingest` (the summary is still
// written, from the latest results of each file).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const resultsDir = join(here, 'results');
const only = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.some((name) => f.startsWith(name)))
  .sort();
let failed = 0;
for (const file of files) {
  console.log(`\n== ${file}`);
  const result = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', join(here, file)], { stdio: 'inherit' });
  if (result.status !== 0) {
    failed += 1;
    console.error(`${file} failed (exit ${result.status ?? result.signal})`);
  }
}

/** One figure of the summary: where it comes from, and its target when it has one. */
interface Figure {
  key: string;
  source: 'ingest' | 'page' | 'db' | 'hostile';
  unit: string;
  /** `max`: at most this; `min`: at least this. */
  target?: { kind: 'max' | 'min'; value: number };
}

const FIGURES: Figure[] = [
  { key: 'ingest_spans_per_s_protobuf', source: 'ingest', unit: 'spans/s', target: { kind: 'min', value: 150_000 } },
  { key: 'ingest_spans_per_s_json', source: 'ingest', unit: 'spans/s', target: { kind: 'min', value: 50_000 } },
  { key: 'ingest_spans_per_s_protobuf_fetch', source: 'ingest', unit: 'spans/s' },
  { key: 'ingest_spans_per_s_steady', source: 'ingest', unit: 'spans/s', target: { kind: 'min', value: 100_000 } },
  { key: 'store_bytes_per_span', source: 'ingest', unit: 'bytes', target: { kind: 'max', value: 600 } },
  { key: 'live_latency_p50_ms', source: 'page', unit: 'ms' },
  { key: 'live_latency_p95_ms', source: 'page', unit: 'ms', target: { kind: 'max', value: 150 } },
  { key: 'live_latency_p50_50000_spans_ms', source: 'page', unit: 'ms' },
  { key: 'live_latency_p95_50000_spans_ms', source: 'page', unit: 'ms' },
  { key: 'open_5000_spans_ms', source: 'page', unit: 'ms' },
  { key: 'first_screen_5000_spans_ms', source: 'page', unit: 'ms' },
  { key: 'open_50000_spans_ms', source: 'page', unit: 'ms', target: { kind: 'max', value: 300 } },
  { key: 'first_screen_50000_spans_ms', source: 'page', unit: 'ms', target: { kind: 'max', value: 150 } },
  { key: 'full_layout_50000_spans_ms', source: 'page', unit: 'ms' },
  { key: 'live_update_50000_spans_ms', source: 'page', unit: 'ms', target: { kind: 'max', value: 16 } },
  { key: 'scroll_window_swap_50000_spans_ms', source: 'page', unit: 'ms' },
  { key: 'rss_mb_full_store', source: 'page', unit: 'MB' },
  { key: 'rss_mb_full_store_after_more', source: 'page', unit: 'MB' },
  { key: 'rss_mb_full_store_after_twice_more', source: 'page', unit: 'MB' },
  { key: 'heap_mb_full_store', source: 'page', unit: 'MB' },
  { key: 'heap_mb_full_store_after_more', source: 'page', unit: 'MB' },
  { key: 'db_list_ms_1m', source: 'db', unit: 'ms', target: { kind: 'max', value: 100 } },
  { key: 'db_list_cold_ms_1m', source: 'db', unit: 'ms' },
  { key: 'db_open_trace_ms_1m', source: 'db', unit: 'ms', target: { kind: 'max', value: 100 } },
  { key: 'db_open_trace_5000_spans_ms_1m', source: 'db', unit: 'ms' },
  { key: 'db_ingest_spans_per_s', source: 'db', unit: 'spans/s' },
  { key: 'db_stats_last_hour_ms_1m', source: 'db', unit: 'ms' },
  { key: 'db_stats_all_ms_1m', source: 'db', unit: 'ms' },
  { key: 'db_reopen_ms_1m', source: 'db', unit: 'ms' },
  { key: 'db_file_mb_1m', source: 'db', unit: 'MB' },
  { key: 'fuzz_inputs', source: 'hostile', unit: 'inputs', target: { kind: 'min', value: 1_000_000 } },
  { key: 'fuzz_http_inputs', source: 'hostile', unit: 'inputs', target: { kind: 'min', value: 10_000 } },
  { key: 'fuzz_crashes', source: 'hostile', unit: '', target: { kind: 'max', value: 0 } },
  { key: 'fuzz_5xx', source: 'hostile', unit: '', target: { kind: 'max', value: 0 } },
  { key: 'fuzz_heap_growth_mb', source: 'hostile', unit: 'MB' },
  { key: 'gzip_bomb_rss_rise_mb', source: 'hostile', unit: 'MB', target: { kind: 'max', value: 50 } },
  { key: 'million_span_trace_dropped', source: 'hostile', unit: 'spans' },
  { key: 'sustained_spans_per_s', source: 'hostile', unit: 'spans/s' },
  { key: 'sustained_lost_requests', source: 'hostile', unit: '', target: { kind: 'max', value: 0 } },
  { key: 'sustained_rss_growth_pct', source: 'hostile', unit: '%', target: { kind: 'max', value: 5 } },
  { key: 'sustained_heap_growth_pct', source: 'hostile', unit: '%', target: { kind: 'max', value: 5 } },
];

function readResults(name: string): Record<string, unknown> | undefined {
  const path = join(resultsDir, `${name}.json`);
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>) : undefined;
}

const sources = { ingest: readResults('ingest'), page: readResults('page'), db: readResults('db'), hostile: readResults('hostile') };
const summary: Record<string, unknown> = {};
const rows: string[][] = [['figure', 'value', 'target', '']];
for (const figure of FIGURES) {
  const value = sources[figure.source]?.[figure.key];
  summary[figure.key] = typeof value === 'number' ? value : null;
  const target = figure.target === undefined ? '' : `${figure.target.kind === 'max' ? '<=' : '>='} ${figure.target.value} ${figure.unit}`;
  let verdict = '';
  if (typeof value !== 'number') verdict = `missing: run bench/${figure.source}.bench.ts`;
  else if (figure.target !== undefined) verdict = (figure.target.kind === 'max' ? value <= figure.target.value : value >= figure.target.value) ? 'ok' : 'MISSED';
  rows.push([figure.key, typeof value === 'number' ? `${value.toLocaleString('en')} ${figure.unit}` : '–', target, verdict]);
}

// The security probes: every one tried must have been refused.
for (const group of ['foreign_origin', 'rebinding', 'exposure']) {
  const refused = sources.hostile?.[`${group}_refused`];
  const tried = sources.hostile?.[`${group}_tried`];
  summary[`${group}_refused`] = typeof refused === 'number' ? refused : null;
  summary[`${group}_tried`] = typeof tried === 'number' ? tried : null;
  const known = typeof refused === 'number' && typeof tried === 'number';
  rows.push([`${group}_refused`, known ? `${refused} of ${tried} probes` : '–', 'all', known ? (refused === tried && tried > 0 ? 'ok' : 'MISSED') : 'missing: run bench/hostile.bench.ts']);
}

// Memory is "flat" when, once the store is full, more spans grow the server's heap (after gc) by under
// 5% (the store evicts whole traces) and its RSS stops growing: the second extra round ends at most 5%
// above the first. RSS may step up once after the first evictions (the allocator keeps pages it used).
const heapFull = summary.heap_mb_full_store;
const heapAfter = summary.heap_mb_full_store_after_more;
const rssFull = summary.rss_mb_full_store;
const rssAfter = summary.rss_mb_full_store_after_more;
const rssAfterTwice = summary.rss_mb_full_store_after_twice_more;
if (typeof heapFull === 'number' && typeof heapAfter === 'number' && typeof rssFull === 'number' && typeof rssAfter === 'number' && typeof rssAfterTwice === 'number') {
  const heapGrowth = (heapAfter - heapFull) / heapFull;
  const rssPlateau = rssAfterTwice <= rssAfter * 1.05;
  summary.memory_flat_when_full = heapGrowth < 0.05 && rssPlateau;
  summary.heap_growth_after_more_pct = Math.round(heapGrowth * 1000) / 10;
  summary.rss_growth_after_more_pct = Math.round(((rssAfter - rssFull) / rssFull) * 1000) / 10;
  summary.rss_growth_second_round_pct = Math.round(((rssAfterTwice - rssAfter) / rssAfter) * 1000) / 10;
  rows.push([
    'memory flat once full',
    `heap ${summary.heap_growth_after_more_pct}%; RSS ${summary.rss_growth_after_more_pct}% then ${summary.rss_growth_second_round_pct}%`,
    'heap < 5%, RSS plateau',
    summary.memory_flat_when_full ? 'ok' : 'MISSED',
  ]);
}

const output = {
  ...summary,
  details: { ingest: sources.ingest ?? null, page: sources.page ?? null, db: sources.db ?? null, hostile: sources.hostile ?? null },
  cpus: cpus().length,
  node: process.version,
  written_at: new Date().toISOString(),
};
writeFileSync(join(resultsDir, 'dashboard.json'), `${JSON.stringify(output, null, 2)}\n`);

const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
console.log('\n== dashboard benchmark');
for (const row of rows) console.log(row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd());
console.log(`wrote ${join(resultsDir, 'dashboard.json')}`);
process.exit(failed === 0 ? 0 : 1);
