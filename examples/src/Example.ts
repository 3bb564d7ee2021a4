import type { Attributes } from '@opentelemetry/api';
import type { Gate, Runner } from '@overlap/runner';
import type { AgentComparison, AgentParameter } from '@overlap/shared';

/** Names of the numeric parameters an example may take. */
export type ExampleParameterName = 'limit' | 'timeoutMs' | 'count';

/**
 * One numeric parameter of an example, with its default and range (integers, both ends included): the
 * agent offer's `AgentParameter` of `@overlap/shared`, so an example is offered on the dashboard's page as is.
 */
export interface ExampleParameter extends AgentParameter {
  readonly name: ExampleParameterName;
}

/** What an example runs with. */
export interface ExampleEnvironment {
  /** The runner the example's agents run on (and whose tracer records their spans). */
  readonly runner: Runner;
  /** Base URL of the upstream the tools call, such as `upstream.url` of `createUpstream()`. */
  readonly upstreamUrl: string;
  /** Aborting it cancels the run in progress; the runs not started yet are reported cancelled. */
  readonly signal?: AbortSignal;
  /**
   * Makes the semaphores the examples use (`orders-db`, `orders-burst`...), such as Redis-shared ones:
   * `(name, permits) => shared.semaphore(name, { permits })`.
   * @defaultValue a local `Semaphore` per run
   */
  readonly semaphore?: (name: string, permits: number) => Gate;
  /**
   * Makes the rate limiters the examples use (`orders-api`), such as Redis-shared ones:
   * `(name, limit, intervalMs) => shared.rateLimiter(name, { limit, intervalMs })`.
   * @defaultValue a local `RateLimiter` per run
   */
  readonly rateLimiter?: (name: string, limit: number, intervalMs: number) => Gate;
  /**
   * More attributes for every agent run's `invoke_agent` span, such as the `overlap.request.id` of a run
   * asked for from the dashboard's page.
   * @defaultValue none
   */
  readonly runAttributes?: Attributes;
}

/** One agent run of an example: one trace. */
export interface ExampleRun {
  /** The agent's name (`gen_ai.agent.name` of the run's `invoke_agent` span). */
  readonly agent: string;
  /** What this run shows, such as `sequential` or `fallback`. */
  readonly label: string;
  /** Id of the run's trace, when the runner's tracer records (undefined with no OpenTelemetry SDK). */
  readonly traceId: string | undefined;
  /** Wall-clock milliseconds the run took. */
  readonly durationMs: number;
  /** What the agent returned; undefined when it failed. */
  readonly output: unknown;
  /** Why the run failed (an `OverlapError` such as `DeadlineExceededError`, or the signal's reason); absent when it succeeded. */
  readonly error?: unknown;
}

/** Result of {@link Example.run}. */
export interface ExampleRunResult {
  /** The parameters the runs used, defaults filled in. */
  readonly parameters: Readonly<Partial<Record<ExampleParameterName, number>>>;
  /** The agent runs, in the order they ran. */
  readonly runs: readonly ExampleRun[];
}

/** A named, runnable example. */
export interface Example {
  /** Short name for the CLI and the dashboard, such as `knowledge-base`. */
  readonly name: string;
  /** A title for people, such as `Knowledge base: concurrent vs sequential`. */
  readonly title: string;
  /** What it shows, in a sentence or two. */
  readonly description: string;
  readonly parameters: readonly ExampleParameter[];
  /** One-click comparisons the dashboard's page offers: two runs of it (or two of its agents) side by side. */
  readonly comparisons: readonly AgentComparison[];
  /**
   * Runs the example's agents one after another and resolves with each run's output or error (a failed
   * agent run does not reject). Rejects with `ExampleParameterError` when a parameter is unknown or out
   * of range, and with `InvalidOptionError` when the environment is unusable; nothing runs then.
   *
   * @param params - values by parameter name; missing ones take their default
   */
  run(env: ExampleEnvironment, params?: Readonly<Record<string, unknown>>): Promise<ExampleRunResult>;
}
