import type { AgentContext, MapOptions } from '../../AgentContext.js';
import type { TaskHost } from './TaskHost.js';
import { validateOption } from '../../validateOption.js';
import { startTask, stopTasks, type StartedTask } from './startTask.js';

/**
 * `ctx.map`: results in input order, at most `concurrency` in progress; the first failure stops the rest.
 * A bad `concurrency` rejects the promise (it never throws).
 */
export function map<T, R>(
  ctx: TaskHost,
  items: Iterable<T>,
  fn: (item: T, index: number, ctx: AgentContext) => R | PromiseLike<R>,
  options: MapOptions = {},
): Promise<Awaited<R>[]> {
  return new Promise<Awaited<R>[]>((resolve, reject) => {
    const concurrency = validateOption.integerOrInfinity('map.concurrency', options.concurrency ?? Infinity, 1);
    const list = [...items];
    const results = new Array<Awaited<R>>(list.length);
    const running = new Set<StartedTask<Awaited<R>>>();
    let next = 0;
    let done = 0;
    let failed = false;

    const launchMore = (): void => {
      while (!failed && running.size < concurrency && next < list.length) {
        const index = next;
        next += 1;
        const started = startTask<Awaited<R>>(ctx, (c) => fn(list[index]!, index, c) as PromiseLike<Awaited<R>>);
        running.add(started);
        started.promise.then(
          (value) => {
            running.delete(started);
            started.scope?.dispose();
            results[index] = value;
            done += 1;
            if (done === list.length) resolve(results);
            else launchMore();
          },
          (error: unknown) => {
            running.delete(started);
            started.scope?.dispose();
            if (failed) return;
            failed = true;
            stopTasks([...running], 'cancelled: another item in map() failed', error);
            reject(error);
          },
        );
      }
    };

    if (list.length === 0) resolve(results);
    else launchMore();
  });
}
