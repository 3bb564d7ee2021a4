import type { Task } from '../../AgentContext.js';
import type { TaskHost } from './TaskHost.js';
import { disposeTasks, startTask, stopTasks, taskShape } from './startTask.js';

/** `ctx.all`: every task's value in the same shape; the first failure cancels the others. */
export async function all(ctx: TaskHost, tasks: readonly Task<unknown>[] | Record<string, Task<unknown>>): Promise<unknown> {
  // Promises already started (`ctx.all(calls)`) have no scope to cancel: the array is awaited as it is.
  if (Array.isArray(tasks) && !tasks.some(isFunctionTask)) return Promise.all(tasks);
  const { list, rebuild } = taskShape(tasks);
  const started = list.map((task) => startTask(ctx, task));
  try {
    const values = await Promise.all(started.map((s) => s.promise));
    disposeTasks(started);
    return rebuild(values);
  } catch (error) {
    stopTasks(started, 'cancelled: another task in all() failed', error);
    throw error;
  }
}

/** `ctx.allSettled`: how every task ended, in the same shape. */
export async function allSettled(
  ctx: TaskHost,
  tasks: readonly Task<unknown>[] | Record<string, Task<unknown>>,
): Promise<unknown> {
  const { list, rebuild } = taskShape(tasks);
  const started = list.map((task) => startTask(ctx, task));
  const results = await Promise.allSettled(started.map((s) => s.promise));
  disposeTasks(started);
  return rebuild(results);
}

function isFunctionTask(task: Task<unknown>): boolean {
  return typeof task === 'function';
}
