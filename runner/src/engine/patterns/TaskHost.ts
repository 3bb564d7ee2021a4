import type { Span } from '@opentelemetry/api';
import type { AgentContext } from '../../AgentContext.js';
import type { CancelScope } from '../CancelScope.js';
import type { RunnerClock } from '../RunnerClock.js';

/**
 * What a pattern (`all`, `race`, `hedge`, `map`, `fallback`) needs from the context it runs in, and no
 * more: the scope its tasks' scopes hang under, the span its events go on, the runner's clock for timers
 * and event times, and a way to give each task a context of its own.
 */
export interface TaskHost {
  /** Cancelling it cancels every task started from it. */
  readonly scope: CancelScope;
  /** Where the pattern's events (`overlap.fallback`, `overlap.hedge.start`) are recorded. */
  readonly span: Span;
  /** Timers (a hedge's delay) and span times. */
  readonly clock: RunnerClock;
  /** A context like this one in `scope`, handed to a task. */
  withScope(scope: CancelScope): AgentContext;
}
