import { createOpenAI } from '@ai-sdk/openai';
import { OpenTelemetry } from '@ai-sdk/otel';
import { Runner, Semaphore } from '@overlap/runner';
import { overlapTools } from '@overlap/runner/ai-sdk';
import { startTelemetry } from '@overlap/runner/telemetry';
import { generateText, isStepCount, registerTelemetry, tool } from 'ai';
import { z } from 'zod';

// A pretend weather API: answers after `ms`, and stops when the call is aborted.
const after = <T>(ms: number, value: T, signal?: AbortSignal) =>
  new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => resolve(value), ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), reject(signal.reason)), { once: true });
  });

// Spans go to the dashboard at OVERLAP_DASHBOARD_URL; the AI SDK's own spans too.
const telemetry = await startTelemetry({ serviceName: 'weather-bot' });
registerTelemetry(new OpenTelemetry({ agentSpanName: 'functionId' }));

// OpenAI, or any OpenAI-compatible API such as `npm run overlap -- upstream` (OPENAI_BASE_URL=http://127.0.0.1:16701/v1).
const openai = createOpenAI({ baseURL: process.env.OPENAI_BASE_URL, apiKey: process.env.OPENAI_API_KEY ?? 'local' });

const getWeather = tool({
  description: 'Current weather for a city',
  inputSchema: z.object({ city: z.string() }),
  execute: ({ city }, { abortSignal }) => after(300, { city, sky: 'clear' }, abortSignal),
});

// Every call of the tools: at most 2 at once, a 2 s timeout, up to 3 attempts.
const runner = new Runner();
const pool = new Semaphore({ name: 'tools', permits: 2 });
const tools = overlapTools(runner, { get_weather: getWeather }, { gates: [pool], timeoutMs: 2000, retry: { attempts: 3 } });

const { text } = await generateText({
  model: openai.chat(process.env.OPENAI_MODEL ?? 'upstream-general'), // .chat(): the Chat Completions API
  tools,
  prompt: 'Will it rain in Oslo, Lisbon and Osaka?',
  stopWhen: isStepCount(3),
  telemetry: { functionId: 'weather_bot' },
});
console.log(text);
await telemetry.shutdown();
