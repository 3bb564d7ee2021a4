import type { EndpointName } from './EndpointName.js';
import { streamSeed } from './seededRandom.js';

/** What a route gets from a request. */
export interface RouteRequest {
  /** Captures of the route's path pattern. */
  readonly params: readonly string[];
  readonly query: URLSearchParams;
  /** Parsed JSON body of a POST, else undefined. */
  readonly body: unknown;
}

/** What a route answers when the endpoint's schedule lets it succeed: 200 with `body`, or 400. */
export type RouteAnswer = { readonly status: 200; readonly body: unknown } | { readonly status: 400; readonly message: string };

/** One API of the upstream: which endpoint (behaviour) serves it, and the data it answers with. */
export interface Route {
  readonly endpoint: EndpointName;
  readonly method: 'GET' | 'POST';
  readonly path: RegExp;
  readonly respond: (request: RouteRequest) => RouteAnswer;
}

const ok = (body: unknown): RouteAnswer => ({ status: 200, body });
const badRequest = (message: string): RouteAnswer => ({ status: 400, message });

/** Picks one of `choices` from a string, the same one every time. */
function pick<T>(key: string, choices: readonly T[]): T {
  return choices[streamSeed(0, key) % choices.length]!;
}

function required(query: URLSearchParams, name: string): string | undefined {
  const value = query.get(name);
  return value === null || value.trim() === '' ? undefined : value;
}

interface ChatBody {
  messages?: Array<{ role?: unknown; content?: unknown }>;
  maxTokens?: unknown;
}

/** A completion for a chat request: deterministic text and token counts (about four characters a token). */
function completion(model: string, body: unknown): RouteAnswer {
  const request = body as ChatBody | undefined;
  const messages = request?.messages;
  if (!Array.isArray(messages) || messages.length === 0 || messages.some((m) => typeof m?.content !== 'string')) {
    return badRequest('expected { messages: [{ role, content }] }');
  }
  const prompt = messages.map((m) => m.content as string).join('\n');
  const lastUser = [...messages].reverse().find((m) => m.role === 'user')?.content as string | undefined;
  const question = (lastUser ?? prompt).split('\n')[0]!.slice(0, 160);
  const text = `(${model}) ${pick(prompt, ['Here is what I found', 'In short', 'Based on your account'])}: ${question}`;
  const maxTokens = typeof request?.maxTokens === 'number' ? request.maxTokens : 512;
  const outputTokens = Math.min(maxTokens, Math.ceil(text.length / 4) + (streamSeed(1, prompt) % 200));
  return ok({
    model,
    text,
    usage: { inputTokens: Math.ceil(prompt.length / 4), outputTokens },
    finishReason: outputTokens >= maxTokens ? 'length' : 'stop',
  });
}

/**
 * The upstream's APIs. Answers are made up but stable: the same request gets the same data.
 *
 * | endpoint | request |
 * | --- | --- |
 * | `weather` | `GET /weather?city=Oslo` |
 * | `userStatus` | `GET /users/{id}/status` |
 * | `orders` | `GET /orders/{orderId}` |
 * | `kbSearch` | `GET /kb/search?q=...` |
 * | `faq` | `GET /faq?q=...` |
 * | `vectorStore` | `POST /vectors/query` with `{ query, topK? }` |
 * | `database` | `GET /db/tickets?userId=...` |
 * | `materials` | `GET /materials?topic=...` |
 * | `userProfile` | `GET /users/{id}/profile` |
 * | `template` | `GET /templates/{name}` |
 * | `model`, `largeModel`, `smallModel` | `POST /model`, `/model/large`, `/model/small` with `{ messages, maxTokens? }` |
 */
export const ROUTES: readonly Route[] = Object.freeze([
  {
    endpoint: 'weather',
    method: 'GET',
    path: /^\/weather$/,
    respond: ({ query }) => {
      const city = required(query, 'city');
      if (city === undefined) return badRequest('expected ?city=');
      return ok({ city, sky: pick(city, ['clear', 'cloudy', 'rain', 'snow']), temperatureC: (streamSeed(2, city) % 35) - 5 });
    },
  },
  {
    endpoint: 'userStatus',
    method: 'GET',
    path: /^\/users\/([^/]+)\/status$/,
    respond: ({ params: [userId = ''] }) =>
      ok({ userId, plan: pick(userId, ['free', 'pro', 'team']), status: 'active', openTickets: streamSeed(3, userId) % 3 }),
  },
  {
    endpoint: 'orders',
    method: 'GET',
    path: /^\/orders\/([^/]+)$/,
    respond: ({ params: [orderId = ''] }) =>
      ok({
        orderId,
        item: pick(orderId, ['book', 'headphones', 'desk lamp', 'backpack', 'keyboard']),
        status: pick(`${orderId}.status`, ['processing', 'shipped', 'delivered']),
      }),
  },
  {
    endpoint: 'kbSearch',
    method: 'GET',
    path: /^\/kb\/search$/,
    respond: ({ query }) => {
      const q = required(query, 'q');
      if (q === undefined) return badRequest('expected ?q=');
      return ok({
        query: q,
        hits: [1, 2, 3].map((n) => ({
          id: `kb-${streamSeed(n, q) % 1000}`,
          title: pick(`${q}.${n}`, ['Shipping times', 'Returns and refunds', 'Changing your plan', 'Resetting a password']),
          score: Number((0.9 - n * 0.1).toFixed(2)),
        })),
      });
    },
  },
  {
    endpoint: 'faq',
    method: 'GET',
    path: /^\/faq$/,
    respond: ({ query }) => {
      const q = required(query, 'q');
      if (q === undefined) return badRequest('expected ?q=');
      return ok({ query: q, answers: [{ question: q, answer: pick(q, ['Within 3 working days.', 'Yes, from your account page.']) }] });
    },
  },
  {
    endpoint: 'vectorStore',
    method: 'POST',
    path: /^\/vectors\/query$/,
    respond: ({ body }) => {
      const { query, topK = 3 } = (body ?? {}) as { query?: unknown; topK?: unknown };
      if (typeof query !== 'string' || typeof topK !== 'number') return badRequest('expected { query: string, topK?: number }');
      const count = Math.max(0, Math.min(10, Math.floor(topK)));
      return ok({
        matches: Array.from({ length: count }, (_, i) => ({ id: `doc-${streamSeed(i, query) % 10_000}`, score: Number((0.95 - i * 0.07).toFixed(2)) })),
      });
    },
  },
  {
    endpoint: 'database',
    method: 'GET',
    path: /^\/db\/tickets$/,
    respond: ({ query }) => {
      const userId = required(query, 'userId');
      if (userId === undefined) return badRequest('expected ?userId=');
      return ok({ rows: [{ ticket: `T-${streamSeed(4, userId) % 9000}`, userId, state: 'open' }] });
    },
  },
  {
    endpoint: 'materials',
    method: 'GET',
    path: /^\/materials$/,
    respond: ({ query }) => {
      const topic = required(query, 'topic');
      if (topic === undefined) return badRequest('expected ?topic=');
      return ok({
        topic,
        materials: ['video', 'article', 'exercise'].map((kind) => ({ kind, title: `${topic}: ${pick(`${topic}.${kind}`, ['an introduction', 'worked examples', 'common mistakes'])}` })),
      });
    },
  },
  {
    endpoint: 'userProfile',
    method: 'GET',
    path: /^\/users\/([^/]+)\/profile$/,
    respond: ({ params: [userId = ''] }) =>
      ok({ userId, level: pick(userId, ['beginner', 'intermediate', 'advanced']), language: pick(`${userId}.lang`, ['en', 'fr', 'de']) }),
  },
  {
    endpoint: 'template',
    method: 'GET',
    path: /^\/templates\/([^/]+)$/,
    respond: ({ params: [name = ''] }) => ok({ name, sections: ['objectives', 'explanation', 'exercises', 'summary'] }),
  },
  { endpoint: 'model', method: 'POST', path: /^\/model$/, respond: ({ body }) => completion('upstream-general', body) },
  { endpoint: 'largeModel', method: 'POST', path: /^\/model\/large$/, respond: ({ body }) => completion('upstream-large', body) },
  { endpoint: 'smallModel', method: 'POST', path: /^\/model\/small$/, respond: ({ body }) => completion('upstream-small', body) },
] satisfies Route[]);
