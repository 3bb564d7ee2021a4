import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { exited, runCli, startCli } from './cliProcess.js';

describe('overlap upstream', { timeout: 60_000 }, () => {
  it('overlap upstream --port 0 --profile fast - serves the OpenAI-compatible API that the client and `overlap run agent-loop` use, and stops on SIGINT with its counts', async () => {
    const { child, match, output } = await startCli(['upstream', '--port', '0', '--profile', 'fast'], /Ctrl\+C to stop/);
    try {
      const url = /at (http:\/\/127\.0\.0\.1:\d+)/.exec(match.input!)![1]!;
      expect(match.input).toContain(`OpenAI-compatible API: ${url}/v1`);
      const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'any', maxRetries: 0 });
      const started = performance.now();
      const answer = await client.chat.completions.create({ model: 'upstream-small', messages: [{ role: 'user', content: 'Hello?' }] });
      expect(answer.choices[0]!.message.content).toMatch(/^\(upstream-small\) /);
      expect(performance.now() - started).toBeLessThan(2000);

      const run = await runCli(['run', 'agent-loop', '--upstream', url, '--no-dashboard']);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain('agent-loop: Agent loop');
      for (const tool of ['get_weather', 'get_order', 'search_kb', 'upstream-general']) expect(run.stdout).toContain(tool);
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited(child)).toEqual({ code: 0, signal: null });
    expect(output()).toMatch(/smallModel: 1 requests, 1 answered/);
    expect(output()).toMatch(/model: 2 requests, 2 answered/);
  });

  it('overlap upstream --profile - an unknown profile is a usage error', async () => {
    const result = await runCli(['upstream', '--profile', 'sleepy']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/argument 'sleepy' is invalid. Allowed choices are fast, realistic, overloaded/);
  });
});
