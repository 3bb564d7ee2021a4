// Shared by the shape scripts: a tool behind `gate` whose body awaits once and returns its input, with a
// schema that passes the input through. `readsSignal` makes the body look at its signal first.
import { defineTool, type Semaphore, type Tool } from '../../src/index.js';

const passThrough = { '~standard': { version: 1 as const, vendor: 'test', validate: (value: unknown) => ({ value: value as number }) } };

export function queuedTool(name: string, gate: Semaphore, readsSignal = false): Tool<unknown, number> {
  return defineTool({
    name,
    input: passThrough,
    timeoutMs: 1_000,
    gates: [gate],
    run: readsSignal
      ? async (i: number, ctx) => {
          if (ctx.signal.aborted) throw ctx.signal.reason;
          await Promise.resolve();
          return i;
        }
      : async (i: number) => {
          await Promise.resolve();
          return i;
        },
  });
}
