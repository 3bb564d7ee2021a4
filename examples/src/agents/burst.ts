// burst: `count` order lookups fired at once through one semaphore of `limit` permits, against an
// orders API that allows 10 requests a second. With a low limit (the default, 2) the calls queue (queue
// bars) and none is turned away; with a high limit they start together, the API answers 429 with
// Retry-After, and the retries (which wait at least that long) come in waves. Try limit 2, 5 and 30: the
// trade-off between throughput and stability. The semaphore comes from the environment when it offers one (a Redis gate
// shared by several processes), else it is local.
import { defineAgent, type Tool } from '@overlap/runner';
import { defineExample } from '../defineExample.js';
import { orderTool, type Order } from '../tools/orderTool.js';

/** What the burst agent is given: the orders to look up. */
export interface BurstInput {
  orderIds: string[];
}

/** How a burst went. */
export interface BurstOutput {
  succeeded: number;
  failed: number;
  /** Failures by error code, such as `OVERLAP_RETRIES_EXHAUSTED`. */
  errors: Record<string, number>;
}

/**
 * Looks every order up at once (the tool's gates do the limiting) and counts the outcomes.
 *
 * @example
 * ```ts
 * const pool = new Semaphore({ name: 'orders-burst', permits: 5 });
 * const out = await runner.run(burstAgent(orderTool({ upstreamUrl, gates: [pool] })), { orderIds: ['A-1', 'A-2'] });
 * ```
 */
export function burstAgent(getOrder: Tool<{ orderId: string }, Order>) {
  return defineAgent({
    name: 'burst_agent',
    description: 'Looks up many orders at once through a semaphore',
    async run(ctx, { orderIds }: BurstInput): Promise<BurstOutput> {
      const settled = await ctx.allSettled(orderIds.map((orderId) => (c: typeof ctx) => c.call(getOrder, { orderId })));
      const errors: Record<string, number> = {};
      for (const result of settled) {
        if (result.status === 'rejected') {
          const code = (result.reason as { code?: string }).code ?? 'unknown';
          errors[code] = (errors[code] ?? 0) + 1;
        }
      }
      const failed = settled.filter((r) => r.status === 'rejected').length;
      return { succeeded: settled.length - failed, failed, errors };
    },
  });
}

/** The `burst` example. */
export const burstExample = defineExample({
  name: 'burst',
  title: 'Burst: a semaphore against a rate-limited API',
  description:
    'count order lookups through a semaphore of limit permits against a 10/s API: a low limit queues, ' +
    'a high one meets 429s and Retry-After-driven retries.',
  parameters: [
    { name: 'limit', description: 'Permits of the orders-burst semaphore (calls at once)', default: 2, min: 1, max: 50 },
    { name: 'count', description: 'Order lookups in the burst', default: 30, min: 1, max: 200 },
  ],
  comparisons: [{ title: 'limit 3 vs 6', a: { label: 'limit 3', params: { limit: 3 } }, b: { label: 'limit 6', params: { limit: 6 } } }],
  async run(session, { limit, count }) {
    const pool = session.semaphore('orders-burst', limit);
    const getOrder = orderTool({
      upstreamUrl: session.env.upstreamUrl,
      timeoutMs: 2000,
      gates: [pool],
      retry: { attempts: 6, baseDelayMs: 100, maxRetryAfterMs: 5000 },
    });
    const orderIds = Array.from({ length: count }, (_, i) => `B-${String(i + 1).padStart(4, '0')}`);
    await session.runAgent(burstAgent(getOrder), { orderIds }, { label: `${count} calls, limit ${limit}`, deadlineMs: 60_000 });
  },
});
