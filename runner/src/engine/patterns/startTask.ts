import type { Task } from '../../AgentContext.js';
import { CancelledError } from '../../errors/CancelledError.js';
import type { TaskHost } from './TaskHost.js';
import { CancelScope } from '../CancelScope.js';

/** A task that was started: its promise and, for a function task, the scope that can cancel it. */
export interface StartedTask<T> {
  readonly promise: Promise<T>;
  readonly scope: CancelScope | undefined;
}

/** Starts a task: a function gets a child context of its own; a promise is taken as it is. */
export function startTask<T>(parent: TaskHost, task: Task<T>): StartedTask<T> {
  if (typeof task !== 'function') return { promise: Promise.resolve(task), scope: undefined };
  const scope = new CancelScope(parent.scope);
  let promise: Promise<T>;
  try {
    promise = Promise.resolve(task(parent.withScope(scope)));
  } catch (error) {
    promise = Promise.reject(error);
  }
  return { promise, scope };
}

/** Cancels the scopes of tasks (those still running stop; finished ones are unaffected) and detaches them. */
export function stopTasks(tasks: readonly StartedTask<unknown>[], message: string, cause?: unknown): void {
  let reason: CancelledError | undefined;
  for (const task of tasks) {
    if (task.scope === undefined) continue;
    if (!task.scope.aborted) task.scope.cancel((reason ??= new CancelledError(message, { cause })));
    task.scope.dispose();
  }
}

/** Detaches the scopes of finished tasks from their parent. */
export function disposeTasks(tasks: readonly StartedTask<unknown>[]): void {
  for (const task of tasks) task.scope?.dispose();
}

/** The tasks of an array or an object, with a function that rebuilds the same shape from values. */
export function taskShape<T>(
  tasks: readonly T[] | Record<string, T>,
): { list: readonly T[]; rebuild: <V>(values: V[]) => V[] | Record<string, V> } {
  if (Array.isArray(tasks)) return { list: tasks, rebuild: (values) => values };
  const keys = Object.keys(tasks);
  const record = tasks as Record<string, T>;
  return {
    list: keys.map((k) => record[k]!),
    rebuild: (values) => Object.fromEntries(keys.map((k, i) => [k, values[i]!])),
  };
}
