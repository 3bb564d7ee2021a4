// support: a customer-support agent. The weather, the user's status and three of their orders are looked
// up at once, each under a timeout; the orders database lets only `limit` lookups in at a time (the rest
// wait: a `queue orders-db` bar) and the orders API is paced at 10 requests a second. Then one model call
// answers from what came back. Waterfall: five overlapping lookups, a queue bar on the third order, the model.
import { defineAgent, type Tool } from '@overlap/runner';
import { defineExample } from '../defineExample.js';
import { orderTool, type Order } from '../tools/orderTool.js';
import { upstreamModel } from '../tools/upstreamModel.js';
import { userStatusTool } from '../tools/userStatusTool.js';
import { weatherTool } from '../tools/weatherTool.js';

/** What the support agent is asked. */
export interface SupportQuestion {
  question: string;
  userId: string;
  city: string;
  orderIds: string[];
}

/** The tools the support agent uses. */
export interface SupportTools {
  getWeather: ReturnType<typeof weatherTool>;
  getUserStatus: ReturnType<typeof userStatusTool>;
  getOrder: Tool<{ orderId: string }, Order>;
  model: ReturnType<typeof upstreamModel>;
}

/**
 * The support agent: every lookup at once, then the model.
 *
 * @example
 * ```ts
 * const answer = await runner.run(supportAgent(tools), { question: 'Where are my orders?', userId: 'u-7', city: 'Oslo', orderIds: ['A-1'] });
 * ```
 */
export function supportAgent(tools: SupportTools) {
  return defineAgent({
    name: 'support_agent',
    description: 'Answers a customer from their status, their orders and the local weather',
    async run(ctx, { question, userId, city, orderIds }: SupportQuestion) {
      const { weather, user, orders } = await ctx.all({
        weather: (c) => c.call(tools.getWeather, { city }),
        user: (c) => c.call(tools.getUserStatus, { userId }),
        orders: (c) => c.all(orderIds.map((orderId) => (o: typeof c) => o.call(tools.getOrder, { orderId }))),
      });
      const answer = await ctx.call(tools.model, {
        messages: [
          { role: 'system', content: 'You are a support agent. Answer from the context only.' },
          { role: 'user', content: `${question}\nContext: ${JSON.stringify({ weather, user, orders })}` },
        ],
      });
      return { answer: answer.text, orders: orders.map((o) => `${o.orderId}: ${o.status}`) };
    },
  });
}

/** The `support` example. */
export const supportExample = defineExample({
  name: 'support',
  title: 'Support agent: concurrent lookups under gates',
  description:
    'Weather, user status and three orders looked up at once under timeouts; an orders-db semaphore (limit) ' +
    'and a 10/s rate limit gate the orders, so the third order queues; then the model answers.',
  parameters: [
    { name: 'limit', description: 'Permits of the orders-db semaphore', default: 2, min: 1, max: 10 },
    { name: 'timeoutMs', description: 'Timeout of each lookup, in milliseconds', default: 1000, min: 50, max: 10_000 },
  ],
  async run(session, { limit, timeoutMs }) {
    const upstreamUrl = session.env.upstreamUrl;
    const ordersDb = session.semaphore('orders-db', limit);
    const ordersApi = session.rateLimiter('orders-api', 10, 1000);
    const tools: SupportTools = {
      getWeather: weatherTool({ upstreamUrl, timeoutMs, retry: { attempts: 2 } }),
      getUserStatus: userStatusTool({ upstreamUrl, timeoutMs }),
      getOrder: orderTool({ upstreamUrl, timeoutMs, gates: [ordersDb, ordersApi], retry: { attempts: 3 } }),
      model: upstreamModel({ upstreamUrl, size: 'general' }),
    };
    await session.runAgent(
      supportAgent(tools),
      { question: 'Where are my orders, and will the weather delay them?', userId: 'u-7', city: 'Oslo', orderIds: ['A-1001', 'A-1002', 'A-1003'] },
      { label: 'concurrent lookups', deadlineMs: 15_000 },
    );
  },
});
