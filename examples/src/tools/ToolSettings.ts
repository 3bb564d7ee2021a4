import type { Gate, RetryOptions } from '@overlap/runner';

/**
 * How an example builds one of its tools: where the upstream is, and the timeout, retries and gates of
 * this run. Tool definitions are immutable, so an example builds its tools for each run from these.
 */
export interface ToolSettings {
  /** Base URL of the upstream, such as `http://127.0.0.1:43817`. */
  readonly upstreamUrl: string;
  /**
   * Longest an attempt may run.
   * @defaultValue each tool's own (given in its file)
   */
  readonly timeoutMs?: number;
  /**
   * Retries of failed attempts.
   * @defaultValue no retry
   */
  readonly retry?: RetryOptions;
  /**
   * Gates every call passes (semaphores, rate limits).
   * @defaultValue []
   */
  readonly gates?: readonly Gate[];
}

/** The runner options of a tool built from `settings`, with the tool's default timeout. */
export function callPolicy(settings: ToolSettings, defaultTimeoutMs: number) {
  return {
    timeoutMs: settings.timeoutMs ?? defaultTimeoutMs,
    ...(settings.retry === undefined ? {} : { retry: settings.retry }),
    gates: settings.gates ?? [],
  };
}
