import { GenAiAttributes, OverlapAttributes, OverlapEvents } from '@overlap/shared';
import type { Task } from '../../AgentContext.js';
import { errorTypeOf, messageOf } from '../outcome.js';
import { startTask, stopTasks } from './startTask.js';
import type { TaskHost } from './TaskHost.js';

/** `ctx.fallback`: each task in turn until one succeeds; rejects with the last error when all fail. */
export async function fallback<T>(ctx: TaskHost, tasks: readonly Task<T>[]): Promise<T> {
  let lastError: unknown;
  for (let i = 0; i < tasks.length; i += 1) {
    if (ctx.scope.aborted) throw ctx.scope.reason;
    const started = startTask(ctx, tasks[i]!);
    try {
      return await started.promise;
    } catch (error) {
      // A cancellation of the context itself is not a failure to fall back from.
      if (ctx.scope.aborted) throw error;
      lastError = error;
      if (i + 1 < tasks.length && ctx.span.isRecording()) {
        ctx.span.addEvent(OverlapEvents.FALLBACK, {
          [OverlapAttributes.PATTERN]: 'fallback',
          [OverlapAttributes.FALLBACK_INDEX]: i + 1,
          [GenAiAttributes.ERROR_TYPE]: errorTypeOf(error),
          [OverlapAttributes.ERROR_MESSAGE]: messageOf(error),
        }, ctx.clock.spanTime());
      }
    } finally {
      stopTasks([started], 'cancelled: fallback() moved on');
    }
  }
  throw lastError;
}
