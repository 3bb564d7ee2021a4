// Run by shapes.test.ts in a Node started with --trace-migration and --expose-gc: calls that queue at a semaphore, with
// bodies that ignore and that read their signal, a span each (and a queue span) to an SDK tracer. V8
// prints a `[migrating]` line for every object it has to move to a new layout (hidden class) when it
// touches it; a call path whose objects keep their layout prints none once warm.
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { Runner, Semaphore, defineAgent } from '../../src/index.js';
import { queuedTool } from './queuedTool.js';

const tracer = new TracerProvider().getTracer('shapes');
const runner = new Runner({ tracer });
const gate = new Semaphore({ name: 'shapes', permits: 4 });
const quiet = queuedTool('quiet', gate);
const listening = queuedTool('listening', gate, true);
const agent = defineAgent({
  name: 'shapes',
  run: (ctx, n: number) => {
    const calls: Promise<number>[] = [];
    for (let i = 0; i < n; i += 1) calls.push(ctx.call(i % 2 === 0 ? quiet : listening, i));
    return ctx.all(calls);
  },
});

const mode = process.argv[2];
// Warm up (the first calls of a class may settle its layout), then mark where the measured runs begin.
for (let i = 0; i < 3; i += 1) await runner.run(agent, 500);
console.log('--- measured');
const gc = (globalThis as { gc?: () => void }).gc!;
for (let i = 0; i < 3; i += 1) {
  // A full collection between runs, as a long-lived process has: it may drop a layout V8 settled on, and
  // every call issued before a field changes representation again would then be migrated one by one.
  gc();
  if (mode === 'direct') {
    const calls: Promise<number>[] = [];
    for (let j = 0; j < 2_000; j += 1) calls.push(runner.call(quiet, j));
    await Promise.all(calls);
  } else {
    await runner.run(agent, 2_000);
  }
}
console.log('--- done');
