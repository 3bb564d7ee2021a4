import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createDashboardServer } from '@overlap/dashboard';
import type { SpanRecord, TraceSummary } from '@overlap/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUpstream } from './helpers.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = promisify(execFile);
const dashboard = createDashboardServer({ host: '127.0.0.1', port: 0 });
let dashboardUrl = '';
beforeAll(async () => {
  dashboardUrl = (await dashboard.listen()).url;
});
afterAll(() => dashboard.close());

/** Runs a docs program as a user would, against the local upstream, sending its spans to the dashboard. */
async function runDoc(file: string): Promise<string> {
  const upstream = await startUpstream({ latencyScale: 0.2 });
  // NODE_ENV=test (vitest's) would turn Agents JS's tracing off in the program.
  const { NODE_ENV: _, VITEST: __, ...env } = process.env;
  const { stdout } = await run(process.execPath, ['--import', 'tsx', join(root, 'docs', file)], {
    cwd: root,
    env: { ...env, OPENAI_BASE_URL: `${upstream.url}/v1`, OVERLAP_DASHBOARD_URL: dashboardUrl, OTEL_TRACES_EXPORTER: 'none' },
    timeout: 60_000,
  });
  return stdout;
}

/** The dashboard's trace of the service `service`, once it has its three tool calls and two model calls. */
async function dashboardTrace(service: string): Promise<{ summary: TraceSummary; spans: SpanRecord[] }> {
  const list = (await (await fetch(`${dashboardUrl}api/traces?service=${service}&tool=get_weather`)).json()) as { traces: TraceSummary[] };
  expect(list.traces).toHaveLength(1);
  return (await (await fetch(`${dashboardUrl}api/traces/${list.traces[0]!.traceId}`)).json()) as { summary: TraceSummary; spans: SpanRecord[] };
}

/** Each README excerpt: every non-blank line of the fenced block under `heading` is a line of the program. */
function expectExcerpt(readme: string, heading: string, program: string): void {
  const block = new RegExp(`## ${heading}\\n[\\s\\S]*?\`\`\`ts\\n([\\s\\S]*?)\`\`\``).exec(readme)?.[1];
  expect(block, heading).toBeDefined();
  const lines = block!.split('\n').filter((line) => line.trim() !== '');
  expect(lines.length).toBeGreaterThan(10);
  for (const line of lines) expect(program.split('\n'), line).toContain(line);
}

describe('README sections on the AI SDK and OpenAI Agents JS', () => {
  const readmes = { runner: readFileSync(join(root, '..', 'runner', 'README.md'), 'utf8'), root: readFileSync(join(root, '..', 'README.md'), 'utf8') };

  it('docs/aiSdk.ts - the runner README has it word for word, the root README an excerpt; it runs, at most 2 tool calls at once, and the dashboard gets its trace', async () => {
    const program = readFileSync(join(root, 'docs', 'aiSdk.ts'), 'utf8');
    expect(readmes.runner).toContain(program.trim());
    expectExcerpt(readmes.root, 'With the AI SDK', program);
    const output = await runDoc('aiSdk.ts');
    expect(output).toContain('From 3 tool results');
    const { summary, spans } = await dashboardTrace('weather-bot');
    expect(summary).toMatchObject({ rootName: 'invoke_agent weather_bot', agentName: 'weather_bot', callCount: 5, outcome: 'ok' });
    expect(summary.inputTokens).toBeGreaterThan(0);
    expect(spans.filter((s) => s.name === 'queue tools')).toHaveLength(1);
  }, 90_000);

  it('docs/openAiAgents.ts - the runner README has it word for word, the root README an excerpt; it runs, and the dashboard gets its trace', async () => {
    const program = readFileSync(join(root, 'docs', 'openAiAgents.ts'), 'utf8');
    expect(readmes.runner).toContain(program.trim());
    expectExcerpt(readmes.root, 'With OpenAI Agents JS', program);
    const output = await runDoc('openAiAgents.ts');
    expect(output).toContain('From 3 tool results');
    const { summary, spans } = await dashboardTrace('weather-agents');
    expect(summary).toMatchObject({ rootName: 'Agent workflow', agentName: 'weather_agent', callCount: 5, outcome: 'ok' });
    expect(spans.filter((s) => s.name === 'queue tools')).toHaveLength(1);
    expect(spans.filter((s) => s.name === 'invoke_agent weather_agent')).toHaveLength(1);
  }, 90_000);
});
