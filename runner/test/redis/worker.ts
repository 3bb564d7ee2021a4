// A worker process for the multi-process tests: `node --import tsx worker.ts '<config JSON>'`, talking to
// its parent over IPC. It builds a Runner with one tool behind a shared gate and, depending on the task:
// - `calls`: after `go`, makes `calls` concurrent calls to the upstream, reports `done` and exits;
// - `hold`: takes `permits` permits of the shared semaphore, reports `holding`, and waits to be killed;
// - `stream`: after `go`, keeps `concurrency` calls going until `stop`, reporting `progress` as it goes.
import { z } from 'zod';
import { defineTool, Runner, type Gate } from '../../src/index.js';
import { createSharedGates, type SharedRateLimiterOptions, type SharedSemaphoreOptions } from '../../src/redis/index.js';

/** What the parent asks a worker to do. */
export interface WorkerConfig {
  url: string;
  keyPrefix: string;
  gate: { kind: 'semaphore'; name: string; options: SharedSemaphoreOptions } | { kind: 'rateLimiter'; name: string; options: SharedRateLimiterOptions };
  task: { type: 'calls'; calls: number; upstream: string } | { type: 'hold'; permits: number } | { type: 'stream'; concurrency: number; upstream: string };
}

/** Messages from a worker. */
export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'holding'; permits: number }
  | { type: 'progress'; ok: number; failures: Record<string, number> }
  | { type: 'done'; ok: number; failures: Record<string, number> };

/** Messages to a worker. */
export type ParentMessage = { type: 'go' } | { type: 'stop' };

const config = JSON.parse(process.argv[2]!) as WorkerConfig;
const send = (message: WorkerMessage): void => {
  process.send!(message);
};
const nextMessage = (type: ParentMessage['type']): Promise<void> =>
  new Promise((resolve) => {
    const onMessage = (message: ParentMessage): void => {
      if (message.type !== type) return;
      process.off('message', onMessage);
      resolve();
    };
    process.on('message', onMessage);
  });

const shared = createSharedGates({ url: config.url, keyPrefix: config.keyPrefix });
const gate: Gate =
  config.gate.kind === 'semaphore'
    ? shared.semaphore(config.gate.name, config.gate.options)
    : shared.rateLimiter(config.gate.name, config.gate.options);
await shared.ready();

const ok = { count: 0 };
const failures: Record<string, number> = {};
const failed = (error: unknown): void => {
  const code = (error as { code?: unknown } | null)?.code;
  const key = typeof code === 'string' ? code : String((error as Error | null)?.name ?? error);
  failures[key] = (failures[key] ?? 0) + 1;
};

if (config.task.type === 'hold') {
  const semaphoreGate = gate as ReturnType<typeof shared.semaphore>;
  for (let i = 0; i < config.task.permits; i += 1) await semaphoreGate.acquire();
  send({ type: 'holding', permits: config.task.permits });
  // Holds (and renews) the permits until the parent kills this process.
  setInterval(() => undefined, 1 << 30);
} else {
  const upstream = config.task.upstream;
  const callUpstream = defineTool({
    name: 'call_upstream',
    input: z.object({}),
    gates: [gate],
    timeoutMs: 10_000,
    async run(_input, { signal }) {
      const response = await fetch(upstream, { signal });
      return response.text();
    },
  });
  const runner = new Runner();
  // Warm up the runner, the HTTP client and a shared gate of the same kind under another name, so the
  // first calls of the measured run are not late while this process compiles its code paths.
  const warmUp = defineTool({
    name: 'warm_up',
    input: z.object({}),
    gates: [config.gate.kind === 'semaphore' ? shared.semaphore(`${config.gate.name}:warm-up`, config.gate.options) : shared.rateLimiter(`${config.gate.name}:warm-up`, config.gate.options)],
    run: async () => (await fetch(new URL('/warmup', upstream))).text(),
  });
  await Promise.all(Array.from({ length: 8 }, () => runner.call(warmUp, {})));
  send({ type: 'ready' });
  await nextMessage('go');
  if (config.task.type === 'calls') {
    await Promise.all(
      Array.from({ length: config.task.calls }, () =>
        runner.call(callUpstream, {}).then(
          () => (ok.count += 1),
          (error: unknown) => failed(error),
        ),
      ),
    );
  } else {
    let stopped = false;
    void nextMessage('stop').then(() => (stopped = true));
    const progress = setInterval(() => send({ type: 'progress', ok: ok.count, failures }), 50);
    await Promise.all(
      Array.from({ length: config.task.concurrency }, async () => {
        while (!stopped) {
          try {
            await runner.call(callUpstream, {});
            ok.count += 1;
          } catch (error) {
            failed(error);
            // Failing closed is immediate: pause so the loop does not spin.
            await new Promise((resolve) => setTimeout(resolve, 10));
          }
        }
      }),
    );
    clearInterval(progress);
  }
  await shared.close();
  process.send!({ type: 'done', ok: ok.count, failures } satisfies WorkerMessage, () => process.exit(0));
}
