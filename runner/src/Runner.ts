import { ROOT_CONTEXT, context, trace, type Tracer } from '@opentelemetry/api';
import type { Agent } from './agent.js';
import type { CallOptions, RunOptions } from './AgentContext.js';
import { systemClock, type Clock } from './Clock.js';
import { CancelScope } from './engine/CancelScope.js';
import { RunnerCore } from './engine/RunnerCore.js';
import type { CallSite } from './engine/ToolCall.js';
import { InvalidOptionError } from './errors/InvalidOptionError.js';
import type { Tool } from './tool.js';
import { validateOption } from './validateOption.js';

/** Options of {@link Runner}. */
export interface RunnerOptions {
  /**
   * Tracer for the runner's spans.
   * @defaultValue `trace.getTracer('@overlap/runner')` from the global API: a no-op until an SDK is registered
   */
  tracer?: Tracer;
  /**
   * Record tool input and output on spans (`gen_ai.tool.call.arguments` / `.result`), as JSON cut to
   * `maxLength` characters. They may hold personal data, so this is off unless you turn it on.
   * @defaultValue false
   */
  recordIo?: boolean | { maxLength?: number };
  /**
   * Time source and timers. Every duration and span time the runner records comes from it, so the
   * `overlap.queue.wait_ms` of a call and the length of its queue span are the same number.
   * @defaultValue the system clock
   */
  clock?: Clock;
  /**
   * Random numbers in [0, 1) for back-off jitter; pass a seeded one for repeatable runs.
   * @defaultValue Math.random
   */
  random?: () => number;
  /**
   * Where the runner reports problems that must not throw into your code (a body that keeps its permit
   * past its timeout, for one).
   * @defaultValue writes to `console.warn`
   */
  onWarning?: (message: string) => void;
}

/** Default `recordIo.maxLength`. */
export const DEFAULT_RECORD_IO_MAX_LENGTH = 1024;

/**
 * Runs agents and tool calls. Holds no global state: each runner has its own tool state (per-tool
 * semaphores, circuit breakers), so several can live in one process.
 *
 * @example
 * ```ts
 * const runner = new Runner();
 * const answer = await runner.run(supportAgent, { question: 'Where is my order?', userId: 7 }, { deadlineMs: 5000 });
 * ```
 */
export class Runner {
  readonly #core: RunnerCore;
  readonly #root = new CancelScope();
  /** The site of a call made with no active span: one object for all of them, since a call keeps its site. */
  readonly #rootSite: CallSite = { scope: this.#root, otelContext: ROOT_CONTEXT, deadlineAt: Infinity };

  constructor(options: RunnerOptions = {}) {
    validateOption.object('Runner options', options);
    const recordIo = options.recordIo ?? false;
    let recordIoMaxLength: number;
    if (recordIo === false) recordIoMaxLength = 0;
    else if (recordIo === true) recordIoMaxLength = DEFAULT_RECORD_IO_MAX_LENGTH;
    else if (typeof recordIo === 'object' && recordIo !== null) {
      recordIoMaxLength = validateOption.integer('Runner.recordIo.maxLength', recordIo.maxLength ?? DEFAULT_RECORD_IO_MAX_LENGTH, 1);
    } else throw new InvalidOptionError('Runner.recordIo', 'a boolean or { maxLength }', recordIo);
    if (options.tracer !== undefined && typeof options.tracer.startSpan !== 'function') {
      throw new InvalidOptionError('Runner.tracer', 'an OpenTelemetry Tracer', options.tracer);
    }
    const onWarning =
      options.onWarning === undefined
        ? (message: string) => console.warn(`[overlap] ${message}`)
        : validateOption.func<(message: string) => void>('Runner.onWarning', options.onWarning);
    this.#core = new RunnerCore(
      options.tracer ?? trace.getTracer('@overlap/runner'),
      options.clock ?? systemClock,
      options.random === undefined ? Math.random : validateOption.func<() => number>('Runner.random', options.random),
      recordIoMaxLength,
      onWarning,
    );
  }

  /**
   * Runs an agent: an `invoke_agent {name}` span around its body, under the run's deadline and signal.
   * Rejects with the body's error, or with `DeadlineExceededError` at the deadline even if the body
   * ignores it.
   */
  run<I, O>(agent: Agent<I, O>, input: I, options: RunOptions = {}): Promise<O> {
    return this.#core.runAgent(agent, input, options, undefined);
  }

  /**
   * Calls one tool outside any agent; its span nests under whatever span is active.
   *
   * @example
   * ```ts
   * const weather = await runner.call(getWeather, { city: 'Oslo' }, { signal });
   * ```
   */
  call<I, O>(tool: Tool<I, O>, input: I, options?: CallOptions): Promise<O> {
    const otelContext = context.active();
    const site: CallSite = otelContext === ROOT_CONTEXT ? this.#rootSite : { scope: this.#root, otelContext, deadlineAt: Infinity };
    return this.#core.call(site, tool as Tool<unknown, O>, input, options);
  }

  /** @internal For tests: the root scope's open children. */
  get openCalls(): number {
    return this.#root.childCount;
  }
}

