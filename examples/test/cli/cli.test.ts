import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDashboardServer, type DashboardServer } from '@overlap/dashboard';
import { comparisonTable, jaegerToSpans } from '@overlap/shared';
import type { CompareResponse } from '@overlap/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from './cliProcess.js';

const servers: DashboardServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

async function dashboard(): Promise<string> {
  const server = createDashboardServer({ port: 0, pageDir: '/nonexistent' });
  servers.push(server);
  return (await server.listen()).url;
}

async function traceIds(url: string): Promise<string[]> {
  const response = await fetch(`${url}api/traces?limit=500`);
  return ((await response.json()) as { traces: Array<{ traceId: string }> }).traces.map((t) => t.traceId);
}

describe('overlap CLI', { timeout: 60_000 }, () => {
  it('overlap --help / run --help - list the commands and flags, exit 0', async () => {
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    for (const command of ['run', 'demo', 'export', 'import', 'list', 'compare']) expect(help.stdout).toContain(command);
    const runHelp = await runCli(['run', '--help']);
    expect(runHelp.code).toBe(0);
    for (const flag of ['--limit', '--timeout', '--repeat', '--redis', '--dashboard']) expect(runHelp.stdout).toContain(flag);
  });

  it('overlap - bad flags and arguments get a clear message and exit code 2', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['run', 'burst', '--limit', 'many'], /--limit <n>' argument 'many' is invalid/],
      [['run', 'burst', '--bogus'], /unknown option '--bogus'/],
      [['run', 'nope'], /unknown example "nope"; the examples are: support, knowledge-base/],
      [['run', 'burst', '--limit', '99'], /--limit: expected an integer from 1 to 50, received 99/],
      [['run', 'support', '--count', '3'], /--count does not apply to "support"/],
      [['export', '--format', 'jaeger', '-o', 'x.json'], /--trace ID \(repeatable\) or --since 10m/],
      [['export', '--format', 'xml', '-o', 'x'], /argument 'xml' is invalid. Allowed choices are jaeger, otlp, jsonl/],
      [['frobnicate'], /unknown command 'frobnicate'/],
    ];
    for (const [args, message] of cases) {
      const result = await runCli(args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr, args.join(' ')).toMatch(message);
    }
  });

  it('overlap run - shows progress and ends with the summary table; without a dashboard it says so', async () => {
    const result = await runCli(['run', 'knowledge-base', '--repeat', '2', '--no-dashboard']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('knowledge-base: Knowledge base');
    expect(result.stdout).toContain('traces are not sent anywhere');
    expect(result.stderr).toMatch(/run 2\/2 · calls \d+ done/);
    for (const heading of ['agent run', 'wall p50', 'calls sum p50', 'concurrency saved', 'timeouts', 'retries', 'queue wait p50 / p95']) {
      expect(result.stdout).toContain(heading);
    }
    // Three kinds of run, twice each.
    expect(result.stdout).toMatch(/knowledge_base_agent \(concurrent\)\s+2 /);
    expect(result.stdout).toMatch(/knowledge_base_agent_sequential \(sequential\)\s+2 /);
    for (const tool of ['search_kb', 'get_user_status', 'upstream-general']) expect(result.stdout).toMatch(new RegExp(`\\n${tool}\\s+\\d+`));
  });

  it('overlap run --dashboard - sends the traces to the dashboard; an unreachable one is a clear error', async () => {
    const url = await dashboard();
    const result = await runCli(['run', 'burst', '--count', '6', '--limit', '3', '--dashboard', url]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`traces → ${url}`);
    const ids = await traceIds(url);
    expect(ids).toHaveLength(1);
    const trace = (await (await fetch(`${url}api/traces/${ids[0]}`)).json()) as { spans: Array<{ name: string }> };
    expect(trace.spans.filter((s) => s.name === 'execute_tool get_order')).toHaveLength(6);
    const down = await runCli(['run', 'burst', '--dashboard', 'http://127.0.0.1:9']);
    expect(down.code).toBe(1);
    expect(down.stderr).toContain('no dashboard answers at http://127.0.0.1:9');
  });

  it('overlap export / import - a trace goes out as a Jaeger UI file and back into another dashboard unchanged', async () => {
    const source = await dashboard();
    const target = await dashboard();
    expect((await runCli(['run', 'flaky-retrieval', '--dashboard', source])).code).toBe(0);
    const [traceId] = await traceIds(source);
    const dir = await mkdtemp(join(tmpdir(), 'overlap-cli-'));
    const file = join(dir, 'trace.json');
    const exported = await runCli(['export', '--trace', traceId!, '--format', 'jaeger', '-o', file, '--dashboard', source]);
    expect(exported.code).toBe(0);
    expect(exported.stdout).toMatch(/wrote 1 trace, \d+ spans to .*trace\.json \(jaeger\)/);
    const jaeger = JSON.parse(await readFile(file, 'utf8')) as { data: Array<{ traceID: string }> };
    expect(jaeger.data[0]!.traceID).toBe(traceId);
    const imported = await runCli(['import', file, '--dashboard', target]);
    expect(imported.code).toBe(0);
    expect(imported.stdout).toMatch(/imported \d+ spans in 1 trace \(jaeger\)/);
    const before = (await (await fetch(`${source}api/traces/${traceId}`)).json()) as { spans: unknown[] };
    const after = (await (await fetch(`${target}api/traces/${traceId}`)).json()) as { spans: unknown[] };
    const byId = (spans: unknown[]) => [...(spans as Array<{ spanId: string }>)].sort((a, b) => a.spanId.localeCompare(b.spanId));
    expect(byId(after.spans)).toEqual(byId(before.spans));
    expect(jaegerToSpans(jaeger).spans).toHaveLength(before.spans.length);
  });

  it('overlap export --since / import - JSON Lines of everything recent; a broken file is refused with a reason', async () => {
    const url = await dashboard();
    expect((await runCli(['run', 'courseware', '--repeat', '2', '--dashboard', url])).code).toBe(0);
    const dir = await mkdtemp(join(tmpdir(), 'overlap-cli-'));
    const file = join(dir, 'recent.jsonl');
    const exported = await runCli(['export', '--since', '10m', '--format', 'jsonl', '-o', file, '--dashboard', url]);
    expect(exported.code).toBe(0);
    expect(exported.stdout).toMatch(/wrote 2 traces, \d+ spans/);
    const broken = join(dir, 'broken.json');
    await writeFile(broken, '{"data": [ {');
    const refused = await runCli(['import', broken, '--dashboard', url]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('the dashboard answered 400');
    const missing = await runCli(['import', join(dir, 'nope.json'), '--dashboard', url]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no such file');
  });

  it('overlap compare - prints the page\'s comparison table of two runs; --json prints GET /api/compare as it is', async () => {
    const url = await dashboard();
    expect((await runCli(['run', 'knowledge-base', '--dashboard', url])).code).toBe(0);
    const listed = (await (await fetch(`${url}api/traces?limit=10`)).json()) as { traces: Array<{ traceId: string; agentName?: string }> };
    const idOf = (agent: string): string => listed.traces.find((trace) => trace.agentName === agent)!.traceId;
    const [sequential, concurrent] = [idOf('knowledge_base_agent_sequential'), idOf('knowledge_base_agent')];
    const api = (await (await fetch(`${url}api/compare?a=${sequential}&b=${concurrent}`)).json()) as CompareResponse;

    const result = await runCli(['compare', sequential, concurrent, '--dashboard', url]);
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toMatch(new RegExp(`^A  ${sequential}  knowledge_base_agent_sequential, started .*Z, \\d+ spans$`));
    expect(lines[1]).toMatch(new RegExp(`^B  ${concurrent}  knowledge_base_agent, started`));
    // Every row of the table, cell for cell as comparisonTable() writes it (the page prints the same cells).
    const table = comparisonTable(api);
    for (const row of [...table.runRows, ...table.toolRows]) {
      const printed = lines.find((line) => line.startsWith(`${row[0]!}  `) || line.startsWith(`${row[0]!} `));
      expect(printed, row[0]).toBeDefined();
      expect(printed!.trim().split(/\s{2,}/)).toEqual(row);
    }
    for (const label of ['wall time', 'sum of calls', 'concurrency saved', 'queue time', 'retries', 'timeouts', 'critical path', 'search_kb p95', 'get_user_status calls']) {
      expect(result.stdout).toContain(label);
    }
    // Sequential to concurrent: the wall time fell.
    expect(api.figures.wallMs.diff).toBeLessThan(0);

    const json = await runCli(['compare', sequential, concurrent, '--json', '--dashboard', url]);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual(api);

    const unknown = await runCli(['compare', sequential, 'ab'.repeat(16), '--dashboard', url]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain(`the dashboard answered 404: no trace b (${'ab'.repeat(16)}) in the store: evicted, or never received`);
    const bad = await runCli(['compare', 'latest', concurrent, '--dashboard', url]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('<a>: expected a trace id (32 hex characters), received "latest"');
  });
});
