import { RateLimiter, Semaphore, isInvalidOptionError, type Gate } from '@overlap/runner';
import { describe, expect, it, vi } from 'vitest';
import { examples, findExample, isExampleParameterError, resolveParameters, type ExampleEnvironment } from '../src/index.js';
import { startUpstream, tracedRunner } from './helpers.js';
import { OverlapAttributes } from '@overlap/shared';

describe('catalog', () => {
  it('examples - seven examples with unique names, each found by findExample()', () => {
    const names = examples.map((e) => e.name);
    expect(names).toEqual(['support', 'knowledge-base', 'courseware', 'model-fallback', 'flaky-retrieval', 'burst', 'agent-loop']);
    for (const example of examples) {
      expect(findExample(example.name)).toBe(example);
      expect(example.title.length).toBeGreaterThan(0);
      expect(example.description.length).toBeGreaterThan(0);
      for (const p of example.parameters) {
        expect(p.min).toBeLessThanOrEqual(p.default);
        expect(p.default).toBeLessThanOrEqual(p.max);
      }
    }
    expect(findExample('nope')).toBeUndefined();
    expect(Object.isFrozen(examples)).toBe(true);
  });

  it('examples - offer the seed\'s exercises as one-click comparisons, A the baseline', () => {
    const offered = Object.fromEntries(examples.filter((e) => e.comparisons.length > 0).map((e) => [e.name, e.comparisons]));
    expect(offered).toEqual({
      'knowledge-base': [{ title: 'sequential vs concurrent', a: { label: 'sequential', agentName: 'knowledge_base_agent_sequential' }, b: { label: 'concurrent', agentName: 'knowledge_base_agent' } }],
      burst: [{ title: 'limit 3 vs 6', a: { label: 'limit 3', params: { limit: 3 } }, b: { label: 'limit 6', params: { limit: 6 } } }],
      'flaky-retrieval': [{ title: 'without and with its timeout', a: { label: 'no timeout', params: { timeoutMs: 0 } }, b: { label: 'timeout 800 ms', params: { timeoutMs: 800 } } }],
    });
  });

  it('examples - each runs to completion with its default parameters, leaving no span open and no request in flight', async () => {
    const upstream = await startUpstream({ latencyScale: 0.1 });
    const { runner, recorder } = tracedRunner();
    for (const example of examples) {
      const result = await example.run({ runner, upstreamUrl: upstream.url });
      expect(result.parameters).toEqual(Object.fromEntries(example.parameters.map((p) => [p.name, p.default])));
      expect(result.runs.length).toBeGreaterThan(0);
      for (const run of result.runs) {
        expect(run.error, `${example.name} / ${run.label}`).toBeUndefined();
        expect(run.output).toBeDefined();
        const root = recorder.ended.find((s) => s.spanContext().traceId === run.traceId && s.parentSpanContext === undefined);
        expect(root?.name).toBe(`invoke_agent ${run.agent}`);
        expect(root?.attributes[OverlapAttributes.OUTCOME]).toBe('ok');
      }
    }
    expect(recorder.open.size).toBe(0);
    await vi.waitFor(() => expect(upstream.stats.total.inFlight).toBe(0));
  }, 30_000);

  it('resolveParameters() - fills defaults and keeps given values, without changing its input', () => {
    const burst = findExample('burst')!;
    const params = Object.freeze({ limit: 9 });
    expect(resolveParameters('burst', burst.parameters, params)).toEqual({ limit: 9, count: 30 });
    expect(resolveParameters('burst', burst.parameters, undefined)).toEqual({ limit: 2, count: 30 });
    expect(params).toEqual({ limit: 9 });
  });

  it('run() - rejects an unknown or out-of-range parameter with an ExampleParameterError naming it, before anything runs', async () => {
    const upstream = await startUpstream();
    const { runner, recorder } = tracedRunner();
    const env: ExampleEnvironment = { runner, upstreamUrl: upstream.url };
    const cases: Array<[string, Record<string, unknown>, string, string]> = [
      ['burst', { limit: 0 }, 'limit', 'example "burst": limit: expected an integer from 1 to 50, received 0'],
      ['burst', { count: 201 }, 'count', 'example "burst": count: expected an integer from 1 to 200, received 201'],
      ['support', { timeoutMs: 12.5 }, 'timeoutMs', 'example "support": timeoutMs: expected an integer from 50 to 10000, received 12.5'],
      ['courseware', { timeoutMs: '900' }, 'timeoutMs', 'example "courseware": timeoutMs: expected an integer from 50 to 10000, received "900"'],
      ['knowledge-base', { limit: 3 }, 'limit', `example "knowledge-base": limit: expected one of its parameters (timeoutMs), received "limit"`],
    ];
    for (const [name, params, parameter, message] of cases) {
      const error = await findExample(name)!.run(env, params).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isExampleParameterError(error), `${name} ${JSON.stringify(params)}`).toBe(true);
      expect(error).toMatchObject({ code: 'OVERLAP_EXAMPLE_PARAMETER', example: name, parameter, message });
    }
    expect(recorder.ended).toHaveLength(0);
    expect(upstream.stats.total.requests).toBe(0);
  });

  it('run() - rejects an unusable environment with an InvalidOptionError naming the field', async () => {
    const { runner } = tracedRunner();
    const support = findExample('support')!;
    const cases: Array<[unknown, string]> = [
      [{ runner, upstreamUrl: 'ftp://example' }, 'ExampleEnvironment.upstreamUrl'],
      [{ runner, upstreamUrl: 'not a url' }, 'ExampleEnvironment.upstreamUrl'],
      [{ runner: {}, upstreamUrl: 'http://127.0.0.1:1' }, 'ExampleEnvironment.runner'],
      [{ runner, upstreamUrl: 'http://127.0.0.1:1', semaphore: 3 }, 'ExampleEnvironment.semaphore'],
    ];
    for (const [env, option] of cases) {
      const error = await support.run(env as ExampleEnvironment).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isInvalidOptionError(error)).toBe(true);
      expect((error as { option: string }).option).toBe(option);
    }
  });

  it('run() - with an aborted signal, records every run as failed with its reason and starts none', async () => {
    const upstream = await startUpstream();
    const { runner, recorder } = tracedRunner();
    const reason = new Error('stopped by the user');
    const result = await findExample('knowledge-base')!.run({ runner, upstreamUrl: upstream.url, signal: AbortSignal.abort(reason) });
    expect(result.runs.map((r) => [r.label, r.error, r.durationMs])).toEqual([
      ['concurrent', reason, 0],
      ['concurrent + get_user_profile', reason, 0],
      ['sequential', reason, 0],
    ]);
    expect(recorder.ended).toHaveLength(0);
    expect(upstream.stats.total.requests).toBe(0);
  });

  it('run() - an abort during a run cancels it and the runs after it, and closes its requests', async () => {
    const upstream = await startUpstream({ endpoints: { kbSearch: { latencyMs: [5000, 5000] } } });
    const { runner, recorder } = tracedRunner();
    const controller = new AbortController();
    const reason = new Error('stopped by the user');
    const running = findExample('knowledge-base')!.run({ runner, upstreamUrl: upstream.url, signal: controller.signal });
    await vi.waitFor(() => expect(upstream.stats.endpoint('kbSearch').inFlight).toBe(1));
    controller.abort(reason);
    const result = await running;
    expect(result.runs.map((r) => r.error)).toEqual([reason, reason, reason]);
    expect(result.runs[0]!.traceId).toMatch(/^[0-9a-f]{32}$/);
    const root = recorder.ended.find((s) => s.name === 'invoke_agent knowledge_base_agent')!;
    expect(root.attributes[OverlapAttributes.OUTCOME]).toBe('cancelled');
    expect(recorder.open.size).toBe(0);
    await vi.waitFor(() => expect(upstream.stats.endpoint('kbSearch').closedByClient).toBe(1));
  });

  it('run() - uses the semaphores and rate limiters the environment makes', async () => {
    const upstream = await startUpstream({ latencyScale: 0.1 });
    const { runner } = tracedRunner();
    const made: string[] = [];
    const env: ExampleEnvironment = {
      runner,
      upstreamUrl: upstream.url,
      semaphore: (name, permits): Gate => (made.push(`semaphore ${name} ${permits}`), new Semaphore({ name: `shared:${name}`, permits })),
      rateLimiter: (name, limit, intervalMs): Gate => (made.push(`rate ${name} ${limit}/${intervalMs}`), new RateLimiter({ name: `shared:${name}`, limit, intervalMs })),
    };
    const result = await findExample('support')!.run(env, { limit: 3 });
    expect(result.runs[0]!.error).toBeUndefined();
    expect(made).toEqual(['semaphore orders-db 3', 'rate orders-api 10/1000']);
  });
});
