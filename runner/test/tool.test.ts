import { type } from 'arktype';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  InvalidOptionError,
  Semaphore,
  ToolInputError,
  ToolOutputError,
  defineAgent,
  defineTool,
  isToolInputError,
} from '../src/index.js';
import { tracedRunner } from './helpers.js';

describe('defineTool()', () => {
  it('defineTool() - rejects bad definitions with an error naming the option', () => {
    const input = z.object({});
    expect(() => defineTool({ name: '', input, run: () => 1 })).toThrow('defineTool.name: expected a non-empty string');
    expect(() => defineTool({ name: 't', input: {} as never, run: () => 1 })).toThrow(
      'defineTool(t).input: expected a Standard Schema validator (zod, valibot, arktype...), received an object',
    );
    expect(() => defineTool({ name: 't', input, timeoutMs: -5, run: () => 1 })).toThrow(InvalidOptionError);
    expect(() => defineTool({ name: 't', input, retry: { attempts: 0 }, run: () => 1 })).toThrow('defineTool(t).retry.attempts');
    expect(() => defineTool({ name: 't', input, retry: { jitter: 'some' as never }, run: () => 1 })).toThrow('defineTool(t).retry.jitter');
    expect(() => defineTool({ name: 't', input, gates: [{}] as never, run: () => 1 })).toThrow('defineTool(t).gates');
    expect(() => defineTool({ name: 't', input, concurrency: 0, run: () => 1 })).toThrow('defineTool(t).concurrency');
    expect(() => defineTool({ name: 't', input, run: 'nope' as never })).toThrow('defineTool(t).run: expected a function');
    expect(() => defineAgent({ name: 'a', run: undefined as never })).toThrow('defineAgent(a).run');
  });

  it('defineTool() - checks circuitBreaker and abandonedSpanMaxMs when the tool is defined, not on its first call', () => {
    const input = z.object({});
    expect(() => defineTool({ name: 't', input, circuitBreaker: { failureThreshold: 0 }, run: () => 1 })).toThrow(
      'defineTool(t).circuitBreaker.failureThreshold: expected an integer >= 1, received 0',
    );
    expect(() => defineTool({ name: 't', input, circuitBreaker: { windowMs: -1 }, run: () => 1 })).toThrow('defineTool(t).circuitBreaker.windowMs');
    expect(() => defineTool({ name: 't', input, circuitBreaker: 'on' as never, run: () => 1 })).toThrow('defineTool(t).circuitBreaker: expected an object');
    expect(() => defineTool({ name: 't', input, abandonedSpanMaxMs: 0, run: () => 1 })).toThrow('defineTool(t).abandonedSpanMaxMs');
    const tool = defineTool({ name: 't', input, circuitBreaker: { failureThreshold: 3 }, run: () => 1 });
    expect(tool.circuitBreaker).toEqual({ failureThreshold: 3, windowMs: 10_000, halfOpenAfterMs: 5_000 });
    expect(tool.abandonedSpanMaxMs).toBe(60_000);
  });

  it('call() - never throws synchronously: a bad option rejects the promise and the call leaves nothing open', async () => {
    const t = tracedRunner();
    const tool = defineTool({ name: 't', input: z.object({}), circuitBreaker: {}, run: () => 1 });
    let promise: Promise<unknown> | undefined;
    expect(() => {
      promise = t.runner.call(tool, {}, { signal: 'not a signal' as never });
    }).not.toThrow();
    await expect(promise).rejects.toBeInstanceOf(TypeError);
    expect(t.runner.openCalls).toBe(0);
    expect(t.recorder.open.size).toBe(0);
  });

  it('defineTool() - returns a frozen tool; the definition object can change without effect', () => {
    const gates = [new Semaphore({ name: 's', permits: 1 })];
    const tool = defineTool({ name: 't', input: z.object({}), gates, run: () => 1 });
    gates.pop();
    expect(tool.gates).toHaveLength(1);
    expect(Object.isFrozen(tool)).toBe(true);
  });
});

describe('input and output schemas', () => {
  const schemas = {
    zod: z.object({ city: z.string(), days: z.number().int().min(1) }),
    valibot: v.object({ city: v.string(), days: v.pipe(v.number(), v.integer(), v.minValue(1)) }),
    arktype: type({ city: 'string', days: 'number.integer >= 1' }),
  };

  for (const [vendor, schema] of Object.entries(schemas)) {
    it(`call() - ${vendor} input that fails lists every issue, the body never runs, the span says so`, async () => {
      const t = tracedRunner();
      let ran = false;
      const forecast = defineTool({
        name: 'forecast',
        input: schema,
        run: () => {
          ran = true;
          return 'sunny';
        },
      });
      const error = (await t.runner.call(forecast, { city: 7, days: 0 } as never).catch((e: unknown) => e)) as ToolInputError;
      expect(isToolInputError(error)).toBe(true);
      expect(error.tool).toBe('forecast');
      expect(error.issues.map((i) => i.path.join('.')).sort()).toEqual(['city', 'days']);
      expect(error.message).toMatch(/^invalid input for tool "forecast": /);
      expect(ran).toBe(false);
      const span = t.one('execute_tool forecast');
      expect(span.attributes['overlap.outcome']).toBe('rejected');
      expect(span.attributes['error.type']).toBe('OVERLAP_TOOL_INPUT');
      await expect(t.runner.call(forecast, { city: 'Oslo', days: 2 })).resolves.toBe('sunny');
    });
  }

  it('callWithArguments() - JSON arguments from a model are parsed; broken JSON is a ToolInputError', async () => {
    const t = tracedRunner();
    const forecast = defineTool({ name: 'forecast', input: schemas.zod, run: ({ city, days }) => `${city} x${days}` });
    const agent = defineAgent({
      name: 'llm_agent',
      run: async (ctx, args: string) => ctx.callWithArguments(forecast, args),
    });
    await expect(t.runner.run(agent, '{"city":"Oslo","days":3}')).resolves.toBe('Oslo x3');
    const error = await t.runner.run(agent, '{"city": "Oslo", days: 3').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ToolInputError);
    expect((error as Error).message).toContain('arguments are not valid JSON');
    expect(t.byName('execute_tool forecast').map((s) => s.attributes['overlap.outcome'])).toEqual(['ok', 'rejected']);
  });

  it('call() - output that fails the output schema rejects with ToolOutputError', async () => {
    const t = tracedRunner();
    const liar = defineTool({ name: 'liar', input: z.object({}), output: z.object({ ok: z.boolean() }), run: () => ({ ok: 'yes' }) as never });
    const error = await t.runner.call(liar, {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ToolOutputError);
    expect((error as ToolOutputError).issues[0]!.path).toEqual(['ok']);
  });

  it('defineAgent({ input }) - validates agent input before the body runs', async () => {
    const t = tracedRunner();
    let ran = false;
    const agent = defineAgent({ name: 'strict', input: z.object({ q: z.string() }), run: (_c, { q }) => ((ran = true), q) });
    await expect(t.runner.run(agent, { q: 1 } as never)).rejects.toBeInstanceOf(ToolInputError);
    expect(ran).toBe(false);
    expect(t.one('invoke_agent strict').attributes['overlap.outcome']).toBe('rejected');
  });
});
