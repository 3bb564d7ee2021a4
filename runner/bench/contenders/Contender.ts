/** A tool body: the call's index and the call's signal (which most bodies ignore). */
export type Body = (i: number, signal: AbortSignal) => number | Promise<number>;

/** A body and whether it reads its signal (a runner builds the signal only for a body that does). */
export interface BodyKind {
  readonly name: string;
  readonly readsSignal: boolean;
  readonly run: Body;
}

/** How many calls hold a permit and how many wait, at one moment. */
export interface GateState {
  inFlight: number;
  queued: number;
}

/** One way of running `n` tool calls at most 16 at a time, each with a timeout and a span. */
export interface Contender {
  readonly name: string;
  /** Spans one run of `n` calls ends: call spans, queue spans, the run's own span. */
  spansPerRun(n: number): number;
  /**
   * Issues `n` calls from one run under `caller` and resolves when all have answered. `onIssued` is
   * called once every call is issued, before any has had a chance to finish.
   */
  run(n: number, caller: AbortSignal, onIssued?: () => void): Promise<unknown>;
  /** The gate's state now. */
  state(): GateState;
  /**
   * Whether a permit passes to the next waiter at once, so that 16 calls hold permits whenever calls
   * wait (checked halfway through a run). cockatiel's bulkhead starts the next call a few ticks later.
   */
  readonly handsOffAtOnce: boolean;
}

export const LIMIT = 16;
export const TIMEOUT_MS = 1_000;
export const TOOL_NAME = 'bench_tool';
