import { isSpanContextValid } from '@opentelemetry/api';
import { RateLimiter, Semaphore, defineAgent, type Agent, type Gate } from '@overlap/runner';
import type { ExampleEnvironment, ExampleRun } from './Example.js';

/** Options of {@link ExampleSession.runAgent}. */
export interface ExampleRunOptions {
  /** What this run shows, such as `sequential`. */
  label: string;
  /**
   * The run's deadline.
   * @defaultValue 30000
   */
  deadlineMs?: number;
}

/**
 * What an example's `run` works with: the gates of this run (from the environment's factories, or
 * local ones) and a way to run an agent that records its outcome instead of throwing.
 *
 * @example
 * ```ts
 * async run(session, { limit }) {
 *   const pool = session.semaphore('orders-burst', limit);
 *   const getOrder = orderTool({ upstreamUrl: session.env.upstreamUrl, gates: [pool] });
 *   await session.runAgent(burstAgent(getOrder), { orderIds: ['A-1', 'A-2'] }, { label: 'two orders' });
 * }
 * ```
 */
export class ExampleSession {
  readonly #runs: ExampleRun[] = [];

  constructor(readonly env: ExampleEnvironment) {}

  /** The runs so far, in order. */
  get runs(): readonly ExampleRun[] {
    return this.#runs;
  }

  /** A semaphore named `name` with `permits`: the environment's (a shared one, say), else a new local one. */
  semaphore(name: string, permits: number): Gate {
    return this.env.semaphore?.(name, permits) ?? new Semaphore({ name, permits });
  }

  /** A rate limiter of `limit` calls per `intervalMs`: the environment's, else a new local one. */
  rateLimiter(name: string, limit: number, intervalMs: number): Gate {
    return this.env.rateLimiter?.(name, limit, intervalMs) ?? new RateLimiter({ name, limit, intervalMs });
  }

  /**
   * Runs `agent` on the environment's runner, under its signal, and records the run. A failed run is
   * recorded with its error and does not throw; once the environment's signal is aborted, further runs
   * are recorded as failed with the signal's reason without starting.
   */
  async runAgent<I, O>(agent: Agent<I, O>, input: I, options: ExampleRunOptions): Promise<ExampleRun> {
    const { runner, signal, runAttributes } = this.env;
    let traceId: string | undefined;
    // The same agent, noting its trace id from its own span: no extra span, no change to the trace.
    const noted = defineAgent<I, O>({
      name: agent.name,
      ...(agent.description === undefined ? {} : { description: agent.description }),
      run(ctx, agentInput) {
        const spanContext = ctx.span.spanContext();
        if (isSpanContextValid(spanContext)) traceId = spanContext.traceId;
        return agent.run(ctx, agentInput);
      },
    });
    const started = performance.now();
    let run: ExampleRun;
    if (signal?.aborted) {
      run = { agent: agent.name, label: options.label, traceId, durationMs: 0, output: undefined, error: signal.reason };
    } else {
      try {
        const output = await runner.run(noted, input, {
          deadlineMs: options.deadlineMs ?? 30_000,
          ...(signal ? { signal } : {}),
          ...(runAttributes ? { attributes: runAttributes } : {}),
        });
        run = { agent: agent.name, label: options.label, traceId, durationMs: performance.now() - started, output };
      } catch (error) {
        run = { agent: agent.name, label: options.label, traceId, durationMs: performance.now() - started, output: undefined, error };
      }
    }
    this.#runs.push(run);
    return run;
  }
}
