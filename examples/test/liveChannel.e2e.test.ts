// End to end over the live channel: a real runner process's startTelemetry talks to a real dashboard
// server. Span starts arrive while a call runs, the in-flight span becomes ended once the call returns,
// and a run asked for from the server is run by the runner and tagged with the request's id.
import { context, diag, metrics, propagation, trace } from '@opentelemetry/api';
import { createDashboardServer, type DashboardServer } from '@overlap/dashboard';
import { Runner, defineAgent, defineTool } from '@overlap/runner';
import { startTelemetry, type TelemetryHandle } from '@overlap/runner/telemetry';
import { GenAiAttributes, OverlapAttributes } from '@overlap/shared';
import type { RunAgentResponse, SpanRecord } from '@overlap/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';

let server: DashboardServer;
let url: string;
let telemetry: TelemetryHandle;

beforeAll(async () => {
  server = createDashboardServer({ port: 0, spansIntervalMs: 0, tracesIntervalMs: 0 });
  url = (await server.listen()).url;
  telemetry = await startTelemetry({ serviceName: 'e2e-runner', dashboard: url, useEnvironment: false, flushOnExit: false }, {});
});

afterAll(async () => {
  await telemetry?.shutdown();
  await server?.close();
  trace.disable();
  context.disable();
  propagation.disable();
  metrics.disable();
  diag.disable();
});

/** Polls the dashboard's store until `find` returns a value (real sockets and exporters: no fixed sleep). */
async function until<T>(find: () => T | undefined, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function storedSpans(): SpanRecord[] {
  return server.store.traceIds().flatMap((traceId) => server.store.getSpans(traceId) ?? []);
}

describe('runner ↔ dashboard live channel', () => {
  it('startTelemetry({ dashboard }) - a running call shows in flight on the dashboard, then ended once it returns', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const slow = defineTool({ name: 'e2e_slow', input: z.object({}), run: async () => released.then(() => 'done') });
    const agent = defineAgent({ name: 'e2e_live', run: (ctx) => ctx.call(slow, {}) });
    // Span starts are for the live view only: sent once the socket is connected, dropped before.
    await until(() => (telemetry.dashboard?.socket.connected === true ? true : undefined), 'the live socket to connect');
    const run = new Runner().run(agent, undefined);

    const inFlight = await until(
      () => storedSpans().find((s) => s.attributes[GenAiAttributes.TOOL_NAME] === 'e2e_slow' && s.endTimeUnixNano === undefined),
      'the span start of the running call',
    );
    // Only the live channel can have told the dashboard: the call has not ended, so OTLP has sent nothing of it.
    expect(telemetry.stats().live?.startsSent).toBeGreaterThan(0);
    expect(server.store.stats().inFlightSpans).toBeGreaterThan(0);

    release();
    await expect(run).resolves.toBe('done');
    await telemetry.forceFlush();
    const ended = await until(
      () => server.store.getSpans(inFlight.traceId)?.find((s) => s.spanId === inFlight.spanId && s.endTimeUnixNano !== undefined),
      'the ended version of the call',
    );
    expect(ended.attributes[OverlapAttributes.OUTCOME]).toBe('ok');
    await until(() => (server.store.getSpans(inFlight.traceId)?.every((s) => s.endTimeUnixNano !== undefined) ? true : undefined), 'every span of the run ended');
  }, 20_000);

  it('startTelemetry({ dashboard }) - a span\'s end reaches the store over the live channel, and the OTLP copy of it changes nothing', async () => {
    await until(() => (telemetry.dashboard?.socket.connected === true ? true : undefined), 'the live socket to connect');
    const changes: Array<{ spanId: string; how: 'added' | 'updated'; ended: boolean }> = [];
    const stop = server.store.onChange(({ traces }) => {
      for (const { added, updated } of traces) {
        for (const span of added) changes.push({ spanId: span.spanId, how: 'added', ended: span.endTimeUnixNano !== undefined });
        for (const span of updated) changes.push({ spanId: span.spanId, how: 'updated', ended: span.endTimeUnixNano !== undefined });
      }
    });
    try {
      const quick = defineTool({ name: 'e2e_quick', input: z.object({}), run: async () => 'done' });
      await new Runner().run(defineAgent({ name: 'e2e_ends', run: (ctx) => ctx.call(quick, {}) }), undefined);
      const endsBefore = telemetry.stats().live!.endsSent;
      const ended = await until(() => storedSpans().find((s) => s.attributes[GenAiAttributes.TOOL_NAME] === 'e2e_quick' && s.endTimeUnixNano !== undefined), 'the ended call');
      const exportedBefore = telemetry.stats().destinations[0]!.exported;
      await telemetry.forceFlush();
      await until(() => (telemetry.stats().destinations[0]!.exported > exportedBefore ? true : undefined), 'the OTLP export of the run');
      expect(telemetry.stats().live!.endsSent).toBeGreaterThanOrEqual(endsBefore);
      // The ended span came over the live channel; its OTLP copy was the same version, so the store did
      // not change again (a call this quick may start and end within one live batch: then only its end is sent).
      const ofCall = changes.filter((change) => change.spanId === ended.spanId);
      const firstEnded = ofCall.findIndex((change) => change.ended);
      expect(firstEnded).toBeGreaterThanOrEqual(0);
      expect(ofCall.slice(firstEnded)).toHaveLength(1);
      expect(ofCall.slice(0, firstEnded).every((change) => change.how === 'added' && !change.ended)).toBe(true);
      expect(server.store.getSpans(ended.traceId)!.every((s) => s.endTimeUnixNano !== undefined)).toBe(true);
    } finally {
      stop();
    }
  }, 20_000);

  it('DashboardLink.offerAgents() - a run asked for from the server is run by the runner, with its parameters, and tagged with the request id', async () => {
    const runs: Array<Record<string, number>> = [];
    const echo = defineTool({ name: 'e2e_echo', input: z.object({ n: z.number() }), run: async ({ n }) => n * 2 });
    const agent = defineAgent({ name: 'e2e_offered', input: z.object({ count: z.number() }), run: (ctx, { count }) => ctx.call(echo, { n: count }) });
    const runner = new Runner();
    telemetry.dashboard!.offerAgents(
      'e2e-runner',
      [{ name: 'e2e_offered', title: 'Offered', parameters: [{ name: 'count', description: 'how many', default: 1, min: 1, max: 3 }] }],
      async (name, params, request) => {
        runs.push(params);
        await runner.run(agent, { count: params.count! }, { attributes: { [OverlapAttributes.REQUEST_ID]: request.requestId! } });
      },
    );
    await until(() => (server.runners.list().some((r) => r.serviceName === 'e2e-runner') ? true : undefined), 'the runner to register');

    const refused = await fetch(`${url}api/agents/run`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ agent: 'e2e_offered', params: { count: 9 } }) });
    expect(refused.status).toBe(400);

    const response = await fetch(`${url}api/agents/run`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ agent: 'e2e_offered', params: { count: 2 } }) });
    expect(response.status).toBe(202);
    const accepted = (await response.json()) as RunAgentResponse;
    expect(accepted).toMatchObject({ accepted: true, agent: 'e2e_offered', params: { count: 2 } });

    await telemetry.forceFlush();
    const root = await until(
      () => storedSpans().find((s) => s.attributes[OverlapAttributes.REQUEST_ID] === accepted.requestId && s.endTimeUnixNano !== undefined),
      'the tagged run',
    );
    expect(root.attributes[GenAiAttributes.AGENT_NAME]).toBe('e2e_offered');
    expect(runs).toEqual([{ count: 2 }]);
    const call = await until(() => server.store.getSpans(root.traceId)?.find((s) => s.attributes[GenAiAttributes.TOOL_NAME] === 'e2e_echo' && s.endTimeUnixNano !== undefined), 'the call of the tagged run');
    expect(call.parentSpanId).toBe(root.spanId);
  }, 20_000);
});
