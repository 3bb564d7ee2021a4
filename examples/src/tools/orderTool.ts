import { defineTool } from '@overlap/runner';
import { z } from 'zod';
import { requestJson } from './requestJson.js';
import { callPolicy, type ToolSettings } from './ToolSettings.js';

const order = z.object({ orderId: z.string(), item: z.string(), status: z.string() });

/** One order. */
export type Order = z.infer<typeof order>;

/**
 * `get_order`: one order by id, from the upstream's `orders` endpoint, which is rate limited (10 requests
 * a second by default) and answers `429` with `Retry-After` past it (default timeout 1000 ms).
 *
 * @example
 * ```ts
 * const ordersDb = new Semaphore({ name: 'orders-db', permits: 2 });
 * const getOrder = orderTool({ upstreamUrl, gates: [ordersDb], retry: { attempts: 4 } });
 * const { status } = await ctx.call(getOrder, { orderId: 'A-1001' });
 * ```
 */
export function orderTool(settings: ToolSettings) {
  return defineTool({
    name: 'get_order',
    description: 'One order by id',
    type: 'datastore',
    input: z.object({ orderId: z.string().min(1) }),
    output: order,
    ...callPolicy(settings, 1000),
    run: ({ orderId }, { signal }) => requestJson<Order>(settings.upstreamUrl, `/orders/${encodeURIComponent(orderId)}`, { signal }),
  });
}
