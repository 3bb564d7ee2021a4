import { OverlapAttributes, OverlapEvents } from '@overlap/shared';
import type { AgentContext, HedgeOptions } from '../../AgentContext.js';
import type { TimerHandle } from '../../Clock.js';
import { validateOption } from '../../validateOption.js';
import { startTask, stopTasks, type StartedTask } from './startTask.js';
import type { TaskHost } from './TaskHost.js';

/**
 * `ctx.hedge`: the first copy to succeed wins. A duplicate starts every `afterMs` while none has
 * answered, up to `maxHedges`. A failure before any duplicate started rejects at once; afterwards the
 * hedge rejects (with the last error) only when every copy started has failed. Bad options reject the
 * promise (it never throws).
 */
export function hedge<T>(
  ctx: TaskHost,
  task: (ctx: AgentContext) => T | PromiseLike<T>,
  options: HedgeOptions,
): Promise<T> {
  const clock = ctx.clock;
  return new Promise<T>((resolve, reject) => {
    validateOption.object('hedge options', options);
    const afterMs = validateOption.finite('hedge.afterMs', options.afterMs, 0);
    const maxHedges = validateOption.integer('hedge.maxHedges', options.maxHedges ?? 1, 0);
    const started: StartedTask<T>[] = [];
    let failures = 0;
    let settled = false;
    let timer: TimerHandle | undefined;

    const finish = (ok: boolean, value: unknown): void => {
      if (settled) return;
      settled = true;
      if (timer !== undefined) clock.clearTimeout(timer);
      stopTasks(started, 'cancelled: another copy of a hedged call answered first');
      if (ok) resolve(value as T);
      else reject(value);
    };
    const launch = (): void => {
      const copy = startTask(ctx, task);
      started.push(copy);
      copy.promise.then(
        (value) => finish(true, value),
        (error: unknown) => {
          failures += 1;
          if (failures === started.length) finish(false, error);
        },
      );
    };
    const schedule = (): void => {
      timer = clock.setTimeout(() => {
        timer = undefined;
        if (settled || ctx.scope.aborted) return;
        if (ctx.span.isRecording()) {
          ctx.span.addEvent(
            OverlapEvents.HEDGE_START,
            { [OverlapAttributes.PATTERN]: 'hedge', [OverlapAttributes.HEDGE_INDEX]: started.length },
            clock.spanTime(),
          );
        }
        launch();
        if (started.length <= maxHedges) schedule();
      }, afterMs);
    };

    launch();
    if (maxHedges > 0 && !settled) schedule();
  });
}
