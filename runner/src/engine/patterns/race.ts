import type { Task } from '../../AgentContext.js';
import type { TaskHost } from './TaskHost.js';
import { startTask, stopTasks } from './startTask.js';

/** `ctx.race`: settles like the first task to settle; the others are cancelled. */
export async function race<T>(ctx: TaskHost, tasks: readonly Task<T>[]): Promise<T> {
  const started = tasks.map((task) => startTask(ctx, task));
  try {
    return await Promise.race(started.map((s) => s.promise));
  } finally {
    stopTasks(started, 'cancelled: another task won the race');
  }
}

/** `ctx.any`: the first task to succeed; the others are cancelled. All failing rejects with `AggregateError`. */
export async function any<T>(ctx: TaskHost, tasks: readonly Task<T>[]): Promise<T> {
  const started = tasks.map((task) => startTask(ctx, task));
  try {
    return await Promise.any(started.map((s) => s.promise));
  } finally {
    stopTasks(started, 'cancelled: another task succeeded first');
  }
}
