// The dashboard's page draws an AI SDK run and an OpenAI Agents JS run: both run against the local
// OpenAI-compatible upstream with their tools through Overlap, their spans go to a real dashboard over
// OTLP, and headless Chromium (Debian's /usr/bin/chromium through playwright-core) shows their waterfalls,
// labelled by tool, with the queue segment and the per-tool figures.
import { createOpenAI } from '@ai-sdk/openai';
import { LegacyOpenTelemetry } from '@ai-sdk/otel';
import { Agent, OpenAIChatCompletionsModel, run, setTraceProcessors, setTracingDisabled } from '@openai/agents';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { createDashboardServer } from '@overlap/dashboard';
import { Semaphore } from '@overlap/runner';
import { overlapTools } from '@overlap/runner/ai-sdk';
import { OpenTelemetryTracingProcessor, overlapTool } from '@overlap/runner/openai-agents';
import { readableSpanToRecord } from '@overlap/runner/telemetry';
import { spansToOtlp } from '@overlap/shared';
import { generateText, isStepCount, tool } from 'ai';
import OpenAI from 'openai';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startUpstream, tracedRunner } from '../helpers.js';

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];
const POLL = { timeout: 10_000, interval: 50 };

interface SnapshotRow {
  readonly label: string;
  readonly segments: ReadonlyArray<{ readonly kind: string }>;
}

const contextManager = new AsyncLocalStorageContextManager();
let browser: Browser | undefined;
beforeAll(() => {
  context.setGlobalContextManager(contextManager.enable());
  setTracingDisabled(false);
});
afterAll(async () => {
  setTraceProcessors([]);
  await browser?.close();
  contextManager.disable();
  context.disable();
});

async function rows(page: Page, traceId: string): Promise<readonly SnapshotRow[] | undefined> {
  const snapshot = await page.evaluate(() =>
    (globalThis as unknown as { __overlapWaterfall?: () => { traceId: string | undefined; rows: SnapshotRow[] } }).__overlapWaterfall?.(),
  );
  return snapshot?.traceId === traceId ? snapshot.rows : undefined;
}

/** The calls column of the tool table's row for `tool`. */
function toolCalls(page: Page, tool: string): Promise<string | null> {
  return page.locator('.tool-table tbody tr', { has: page.locator(`th:text-is("${tool}")`) }).locator('td').nth(1).textContent();
}

describe('the dashboard page with framework runs', () => {
  it('the page - draws an AI SDK run and an Agents JS run: rows labelled by tool, the queue segment, three calls of get_weather each', async () => {
    const upstream = await startUpstream({ latencyScale: 0.2 });
    const { runner, recorder, tracer } = tracedRunner();
    const weather = async (city: string, signal?: AbortSignal) => (await fetch(`${upstream.url}/weather?city=${encodeURIComponent(city)}`, { signal })).json();
    const prompt = 'Will it rain where my three offices are?';

    // An AI SDK run, recorded by its LegacyOpenTelemetry integration: ai.generateText, ai.toolCall...
    const aiTools = overlapTools(
      runner,
      { get_weather: tool({ inputSchema: z.object({ city: z.string() }), execute: ({ city }, { abortSignal }) => weather(city, abortSignal) }) },
      { gates: [new Semaphore({ name: 'tools', permits: 2 })] },
    );
    await generateText({
      model: createOpenAI({ baseURL: `${upstream.url}/v1`, apiKey: 'local' }).chat('upstream-general'),
      tools: aiTools,
      prompt,
      stopWhen: isStepCount(3),
      experimental_telemetry: { isEnabled: true, integrations: [new LegacyOpenTelemetry({ tracer })] },
    });
    const aiTraceId = recorder.ended.find((s) => s.name === 'ai.generateText')!.spanContext().traceId;

    // An Agents JS run, its trace turned into spans by the tracing processor.
    const processor = new OpenTelemetryTracingProcessor({ tracer });
    setTraceProcessors([processor]);
    const getWeather = overlapTool(
      runner,
      { name: 'get_weather', description: 'Current weather', parameters: z.object({ city: z.string() }), execute: ({ city }, _context, details) => weather(city, details?.signal) },
      { gates: [new Semaphore({ name: 'tools', permits: 2 })] },
    );
    const client = new OpenAI({ baseURL: `${upstream.url}/v1`, apiKey: 'local', maxRetries: 0 });
    await run(new Agent({ name: 'weather_agent', instructions: 'Use the tools.', model: new OpenAIChatCompletionsModel(client, 'upstream-general'), tools: [getWeather] }), prompt);
    await processor.shutdown();
    const agentsTraceId = recorder.ended.find((s) => s.name === 'Agent workflow')!.spanContext().traceId;

    const dashboard = createDashboardServer({ host: '127.0.0.1', port: 0 });
    const { url } = await dashboard.listen();
    try {
      const posted = await fetch(`${url}v1/traces`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(spansToOtlp(recorder.ended.map((span) => readableSpanToRecord(span, false)))),
      });
      expect(posted.status).toBe(200);
      browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, headless: true });
      const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      const pageErrors: Error[] = [];
      page.on('pageerror', (error) => pageErrors.push(error));
      await page.goto(url);

      await page.locator(`li[data-trace-id="${aiTraceId}"]`).click();
      await expect.poll(async () => (await rows(page, aiTraceId))?.filter((row) => row.label === 'ai.toolCall get_weather').length, POLL).toBe(3);
      const aiRows = (await rows(page, aiTraceId))!;
      expect(aiRows[0]!.label).toBe('ai.generateText');
      expect(aiRows.filter((row) => row.label === 'ai.generateText.doGenerate upstream-general')).toHaveLength(2);
      expect(aiRows.filter((row) => row.label === 'execute_tool get_weather')).toHaveLength(3);
      expect(aiRows.filter((row) => row.segments.some((segment) => segment.kind === 'queue'))).toHaveLength(1);
      await expect.poll(() => page.locator('.wf-label .wf-name').allTextContents(), POLL).toContain('ai.toolCall get_weather');
      await expect.poll(() => toolCalls(page, 'get_weather'), POLL).toBe('3');
      await expect.poll(() => toolCalls(page, 'upstream-general'), POLL).toBe('2');
      await expect.poll(() => page.locator('#trace-headline .headline-counts').textContent(), POLL).toMatch(/tokens in, [\d,]+ out/);

      await page.locator(`li[data-trace-id="${agentsTraceId}"]`).click();
      await expect.poll(async () => (await rows(page, agentsTraceId))?.filter((row) => row.label === 'execute_tool get_weather').length, POLL).toBe(6);
      const agentRows = (await rows(page, agentsTraceId))!;
      expect(agentRows.map((row) => row.label)).toEqual(expect.arrayContaining(['Agent workflow', 'invoke_agent weather_agent', 'turn 1', 'chat upstream-general']));
      expect(agentRows.filter((row) => row.segments.some((segment) => segment.kind === 'queue'))).toHaveLength(1);
      await expect.poll(() => page.locator('#trace-headline .trace-title').textContent(), POLL).toBe('weather_agent');
      await expect.poll(() => toolCalls(page, 'get_weather'), POLL).toBe('3');
      expect(pageErrors).toEqual([]);
    } finally {
      await dashboard.close();
    }
  }, 90_000);
});
