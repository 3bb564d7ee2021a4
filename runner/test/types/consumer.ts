// A program that uses the published types of every entry point, as an application would. The test
// `publishedTypes.test.ts` compiles it against dist/ with `skipLibCheck: false`, so a declaration that
// points at something stripped, or an internal member that leaks, fails the build.
import { Runner, RateLimiter, Semaphore, defineAgent, defineModel, defineTool, type AgentContext, type Gate } from '@overlap/runner';
import { createSharedGates, type SharedGate, type SharedSemaphore } from '@overlap/runner/redis';
import { startTelemetry, type TelemetryOptions } from '@overlap/runner/telemetry';

const pool = new Semaphore({ name: 'pool', permits: 2 });
const rate = new RateLimiter({ name: 'rate', limit: 5 });
const input = { '~standard': { version: 1, vendor: 'test', validate: (value: unknown) => ({ value: value as { city: string } }) } } as const;
const tool = defineTool({ name: 'weather', input, gates: [pool, rate] as Gate[], circuitBreaker: { failureThreshold: 3 }, run: ({ city }) => city });
const model = defineModel({ provider: 'local', model: 'tiny', run: () => ({ text: 'hi' }) });
const agent = defineAgent({ name: 'a', run: (ctx: AgentContext) => ctx.all([ctx.call(tool, { city: 'Oslo' }), ctx.call(model, { messages: [{ role: 'user', content: 'hi' }] })]) });
export const run = (runner: Runner) => runner.run(agent, undefined, { deadlineMs: 1000 });

export async function shared(): Promise<number> {
  const gates = createSharedGates({ url: 'redis://127.0.0.1:6379' });
  const semaphore: SharedSemaphore = gates.semaphore('api', { permits: 5, onRedisDown: 'fail-open' });
  const gate: SharedGate = semaphore;
  await gates.close();
  return semaphore.lapsedLeases + gate.sharedQueued;
}

export const telemetry = (options: TelemetryOptions) => startTelemetry(options);

// Internals are not part of the published types.
// @ts-expect-error a permit's way back into its semaphore is private
pool.releasePermit;
// @ts-expect-error a permit's way back into its rate limiter is private
rate.releasePermit;
// @ts-expect-error the runner's open calls are for its own tests
new Runner().openCalls;
// @ts-expect-error a shared gate's protocol with Redis is not API
createSharedGates().semaphore('x', { permits: 1, onRedisDown: 'fail-closed' }).sync();
