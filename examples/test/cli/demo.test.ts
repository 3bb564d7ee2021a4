import { describe, expect, it } from 'vitest';
import { exited, runCli, startCli } from './cliProcess.js';

async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('overlap demo', () => {
  it('overlap demo - starts the dashboard with the examples running, runs an agent on request, stops cleanly on SIGTERM and SIGINT', async () => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const { child, match } = await startCli(['demo', '--port', '0', '--interval', '0'], /open (http:\/\/127\.0\.0\.1:\d+\/)/);
      const url = match[1]!;
      // The first waterfalls arrive within seconds.
      // The first waterfalls arrive within seconds (a trace may show its calls before its agent's span).
      const first = await waitFor(async () => {
        const body = (await (await fetch(`${url}api/traces`)).json()) as { traces: Array<{ agentName?: string }> };
        return body.traces.find((t) => t.agentName !== undefined);
      }, 10_000);
      expect(first.agentName).toMatch(/_agent|answer_/);
      if (signal === 'SIGTERM') {
        // The examples are offered to the page; running one with parameters works.
        const agents = await waitFor(async () => {
          const body = (await (await fetch(`${url}api/agents`)).json()) as { runners: Array<{ agents: Array<{ name: string }> }> };
          return body.runners[0]?.agents.length ? body.runners[0].agents : undefined;
        }, 5_000);
        expect(agents.map((a) => a.name)).toEqual(['support', 'knowledge-base', 'courseware', 'model-fallback', 'flaky-retrieval', 'burst', 'agent-loop']);
        const response = await fetch(`${url}api/agents/run`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ agent: 'burst', params: { limit: 4, count: 8 } }) });
        expect(response.status).toBe(202);
        const burst = await waitFor(async () => {
          const body = (await (await fetch(`${url}api/traces?agent=burst_agent&limit=50`)).json()) as {
            traces: Array<{ traceId: string; callCount: number; inFlightCount: number }>;
          };
          return body.traces.find((t) => t.callCount === 8 && t.inFlightCount === 0);
        }, 30_000);
        expect(burst.callCount).toBe(8);
      }
      child.kill(signal);
      const ended = await exited(child);
      expect(ended).toEqual({ code: 0, signal: null });
    }
  }, 90_000);

  it('overlap demo --host 0.0.0.0 - refuses to start without a token (exit 2, naming --token and --insecure)', async () => {
    const result = await runCli(['demo', '--host', '0.0.0.0', '--port', '0', '--interval', '0'], { env: { OVERLAP_DASHBOARD_TOKEN: '' } });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^overlap: refusing to listen on 0\.0\.0\.0 without a token: .*--token.*--insecure/);
  }, 30_000);

  it('overlap demo --token - never prints the token; the runner\'s exporters and live channel still reach the dashboard', async () => {
    const token = 'demo-tok-never-printed';
    const { child, match, output } = await startCli(['demo', '--port', '0', '--interval', '0', '--token', token], /open (http:\/\/127\.0\.0\.1:\d+\/)/);
    const url = match[1]!;
    const headers = { authorization: `Bearer ${token}` };
    // Spans arrive over OTLP and the examples are offered over /runners: both are Node clients with no Origin.
    const first = await waitFor(async () => {
      const body = (await (await fetch(`${url}api/traces`, { headers })).json()) as { traces: Array<{ agentName?: string }> };
      return body.traces.find((t) => t.agentName !== undefined);
    }, 15_000);
    expect(first.agentName).toBeDefined();
    const agents = (await (await fetch(`${url}api/agents`, { headers })).json()) as { runners: unknown[] };
    expect(agents.runners).toHaveLength(1);
    child.kill('SIGTERM');
    expect(await exited(child)).toEqual({ code: 0, signal: null });
    expect(output()).toContain('?token=<your token>');
    expect(output()).not.toContain(token);
  }, 60_000);
});
