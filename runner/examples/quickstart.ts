import { z } from 'zod';
import { Runner, Semaphore, defineAgent, defineModel, defineTool } from '@overlap/runner';

// Pretend upstreams: each answers after `ms`, and stops when the call is cancelled.
const after = <T>(ms: number, value: T, signal: AbortSignal) =>
  new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => resolve(value), ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), reject(signal.reason)), { once: true });
  });

// At most 2 calls at once reach the (pretend) orders database, whoever makes them.
const ordersDb = new Semaphore({ name: 'orders-db', permits: 2 });

const getWeather = defineTool({
  name: 'get_weather',
  input: z.object({ city: z.string() }),
  timeoutMs: 1000,
  run: ({ city }, { signal }) => after(300, { city, sky: 'clear' }, signal),
});
const getUserStatus = defineTool({
  name: 'get_user_status',
  input: z.object({ userId: z.number() }),
  timeoutMs: 1000,
  run: ({ userId }, { signal }) => after(200, { userId, plan: 'pro' }, signal),
});
const getOrders = defineTool({
  name: 'get_orders',
  input: z.object({ userId: z.number() }),
  timeoutMs: 1000,
  retry: { attempts: 3 },
  gates: [ordersDb],
  run: ({ userId }, { signal }) => after(250, [{ userId, item: 'book', status: 'shipped' }], signal),
});
const model = defineModel({
  provider: 'local',
  model: 'tiny-1',
  timeoutMs: 5000,
  run: (request, { signal }) => after(400, { text: `Answer to: ${request.messages.at(-1)?.content}` }, signal),
});

const supportAgent = defineAgent({
  name: 'support_agent',
  async run(ctx, { question, userId }: { question: string; userId: number }) {
    // The three lookups run at once: the wait is the slowest of them, not their sum.
    const { weather, user, orders } = await ctx.all({
      weather: (c) => c.call(getWeather, { city: 'Oslo' }),
      user: (c) => c.call(getUserStatus, { userId }),
      orders: (c) => c.call(getOrders, { userId }),
    });
    const context = JSON.stringify({ weather, user, orders });
    const answer = await ctx.call(model, { messages: [{ role: 'user', content: `${question} ${context}` }] });
    return answer.text;
  },
});

const runner = new Runner();
const started = performance.now();
const answer = await runner.run(supportAgent, { question: 'Where is my order?', userId: 7 }, { deadlineMs: 3000 });
console.log(answer);
console.log(`took ${Math.round(performance.now() - started)} ms`); // about 700 ms: 300 (lookups) + 400 (model)
