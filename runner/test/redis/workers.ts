// Spawns worker.ts in its own Node process (through tsx) and follows its IPC messages.
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ParentMessage, WorkerConfig, WorkerMessage } from './worker.js';

const here = dirname(fileURLToPath(import.meta.url));
const runnerDir = join(here, '..', '..');

/** A running worker process. */
export interface Worker {
  readonly child: ChildProcess;
  /** Every message received so far, in order. */
  readonly messages: WorkerMessage[];
  /** Resolves with the first message (past or future) that matches. */
  waitFor<T extends WorkerMessage>(match: (message: WorkerMessage) => message is T): Promise<T>;
  waitFor(match: (message: WorkerMessage) => boolean): Promise<WorkerMessage>;
  send(message: ParentMessage): void;
  /** Resolves when the process has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts a worker with `config`. */
export function spawnWorker(config: WorkerConfig): Worker {
  const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'worker.ts'), JSON.stringify(config)], {
    cwd: runnerDir,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const messages: WorkerMessage[] = [];
  let waiters: Array<{ match: (m: WorkerMessage) => boolean; resolve: (m: WorkerMessage) => void }> = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  child.on('message', (message: WorkerMessage) => {
    messages.push(message);
    const matched = waiters.filter((w) => w.match(message));
    waiters = waiters.filter((w) => !w.match(message));
    for (const w of matched) w.resolve(message);
  });
  return {
    child,
    messages,
    waitFor(match: (message: WorkerMessage) => boolean): Promise<never> {
      const found = messages.find(match);
      if (found !== undefined) return Promise.resolve(found as never);
      return new Promise<WorkerMessage>((resolve, reject) => {
        waiters.push({ match, resolve });
        void exited.then(({ code, signal }) => reject(new Error(`worker exited (code ${code}, signal ${signal}) before the expected message`)));
      }) as Promise<never>;
    },
    send(message) {
      if (child.connected) child.send(message);
    },
    exited,
  };
}

/** Kills workers that are still running (after a failed test). */
export function killAll(workers: readonly Worker[]): void {
  for (const worker of workers) {
    if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill('SIGKILL');
  }
}
