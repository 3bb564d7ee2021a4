import { Agent, OpenAIChatCompletionsModel, run, setTraceProcessors } from '@openai/agents';
import { Runner, Semaphore } from '@overlap/runner';
import { OpenTelemetryTracingProcessor, overlapTool } from '@overlap/runner/openai-agents';
import { startTelemetry } from '@overlap/runner/telemetry';
import OpenAI from 'openai';
import { z } from 'zod';

// A pretend weather API: answers after `ms`, and stops when the call is aborted.
const after = <T>(ms: number, value: T, signal?: AbortSignal) =>
  new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => resolve(value), ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), reject(signal.reason)), { once: true });
  });

// Spans go to the dashboard at OVERLAP_DASHBOARD_URL; Agents JS traces become spans too.
const telemetry = await startTelemetry({ serviceName: 'weather-agents' });
setTraceProcessors([new OpenTelemetryTracingProcessor()]);

// OpenAI, or any OpenAI-compatible API such as `npm run overlap -- upstream` (OPENAI_BASE_URL=http://127.0.0.1:16701/v1).
const client = new OpenAI({ baseURL: process.env.OPENAI_BASE_URL, apiKey: process.env.OPENAI_API_KEY ?? 'local' });

// Every call of the tool: at most 2 at once, a 2 s timeout, up to 3 attempts.
const runner = new Runner();
const pool = new Semaphore({ name: 'tools', permits: 2 });
const getWeather = overlapTool(
  runner,
  {
    name: 'get_weather',
    description: 'Current weather for a city',
    parameters: z.object({ city: z.string() }),
    execute: ({ city }, _context, details) => after(300, { city, sky: 'clear' }, details?.signal),
  },
  { gates: [pool], timeoutMs: 2000, retry: { attempts: 3 } },
);

const agent = new Agent({
  name: 'weather_agent',
  instructions: 'Answer with the weather tool.',
  model: new OpenAIChatCompletionsModel(client, process.env.OPENAI_MODEL ?? 'upstream-general'), // the Chat Completions API
  tools: [getWeather],
});
const result = await run(agent, 'Will it rain in Oslo, Lisbon and Osaka?');
console.log(result.finalOutput);
await telemetry.shutdown();
