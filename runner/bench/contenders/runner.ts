import type { Tracer } from '@opentelemetry/api';
import type { StandardSchemaV1 } from '@standard-schema/spec';
import { Runner, Semaphore, defineAgent, defineTool, type Tool } from '@overlap/runner';
import { LIMIT, TIMEOUT_MS, TOOL_NAME, type BodyKind, type Contender } from './Contender.js';

const passThrough: StandardSchemaV1<number> = {
  '~standard': { version: 1, vendor: 'bench', validate: (value) => ({ value: value as number }) },
};

/** A tool of `body` behind a Semaphore of 16 with a 1 s timeout. */
function benchTool(body: BodyKind, gate: Semaphore): Tool<number, number> {
  const run = body.run;
  return defineTool({
    name: TOOL_NAME,
    input: passThrough,
    timeoutMs: TIMEOUT_MS,
    gates: [gate],
    // Only a body that reads its signal touches `ctx.signal`: the runner builds a signal when read.
    run: body.readsSignal ? (i: number, ctx) => run(i, ctx.signal) : (i: number) => run(i, undefined as unknown as AbortSignal),
  });
}

/**
 * The runner as an agent uses it: one `runner.run` under the caller's signal, whose body issues every
 * call with `ctx.call` and awaits them with `ctx.all`. A call writes its span and, when it queued, a
 * queue span; the run writes an `invoke_agent` span.
 */
export function runnerContender(tracer: Tracer, body: BodyKind, name = 'runner'): Contender {
  const runner = new Runner({ tracer });
  const gate = new Semaphore({ name: 'bench', permits: LIMIT });
  const tool = benchTool(body, gate);
  const agent = defineAgent({
    name: 'bench',
    run(ctx, { n, onIssued }: { n: number; onIssued: (() => void) | undefined }) {
      const calls = new Array<Promise<number>>(n);
      for (let i = 0; i < n; i += 1) calls[i] = ctx.call(tool, i);
      onIssued?.();
      return ctx.all(calls);
    },
  });
  return {
    name,
    handsOffAtOnce: true,
    spansPerRun: (n) => n + Math.max(0, n - LIMIT) + 1,
    state: () => ({ inFlight: gate.inFlight, queued: gate.queued }),
    run: (n, caller, onIssued) => runner.run(agent, { n, onIssued }, { signal: caller }),
  };
}

/**
 * `runner.call(tool, input, { signal })` straight from application code, every call with the same
 * caller signal: the case where many calls follow one `AbortSignal`.
 */
export function runnerSharedSignalContender(tracer: Tracer, body: BodyKind, name = 'runner.call, one caller signal'): Contender {
  const runner = new Runner({ tracer });
  const gate = new Semaphore({ name: 'bench', permits: LIMIT });
  const tool = benchTool(body, gate);
  return {
    name,
    handsOffAtOnce: true,
    spansPerRun: (n) => n + Math.max(0, n - LIMIT),
    state: () => ({ inFlight: gate.inFlight, queued: gate.queued }),
    run: (n, caller, onIssued) => {
      const calls = new Array<Promise<number>>(n);
      for (let i = 0; i < n; i += 1) calls[i] = runner.call(tool, i, { signal: caller });
      onIssued?.();
      return Promise.all(calls);
    },
  };
}
