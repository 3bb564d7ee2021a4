// Run by shapes.test.ts in a Node started with --expose-gc: the heap that 20,000 calls waiting at a
// semaphore hold (after a full GC, before any has run), per call. Prints the number.
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { Runner, Semaphore, defineAgent } from '../../src/index.js';
import { queuedTool } from './queuedTool.js';

const gc = (globalThis as { gc?: () => void }).gc!;
const runner = new Runner({ tracer: new TracerProvider().getTracer('shapes') });
const gate = new Semaphore({ name: 'shapes', permits: 1 });
const tool = queuedTool('queued', gate);
const N = 20_000;
let perCall = NaN;
const agent = defineAgent({
  name: 'shapes',
  run: (ctx, n: number) => {
    gc();
    const before = process.memoryUsage().heapUsed;
    const calls: Promise<number>[] = new Array<Promise<number>>(n);
    for (let i = 0; i < n; i += 1) calls[i] = ctx.call(tool, i);
    gc();
    if (n === N) perCall = (process.memoryUsage().heapUsed - before - 8 * n) / n;
    return ctx.all(calls);
  },
});
for (let i = 0; i < 3; i += 1) await runner.run(agent, 1_000);
await runner.run(agent, N);
console.log(Math.round(perCall));
