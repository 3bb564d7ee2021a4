// flaky-retrieval: retrieval from three sources at once, two of them unreliable. The FAQ fails with 503
// on a schedule: its call retries with exponential back-off (attempt and back-off events on its span).
// The tickets database hangs: its call times out (outcome `timeout`, and the aborted request closes its
// socket at the upstream). `allSettled` lets the agent answer from whatever came back.
// Waterfall: three overlapping lookups, a long FAQ bar with retries inside, the database bar cut at its timeout.
// With `timeoutMs` 0 (no timeout) nothing cuts the database short: the run waits for it until its own
// 5-second deadline ends it, and fails. Compared side by side, that is what the timeout saved.
import { defineAgent } from '@overlap/runner';
import { defineExample } from '../defineExample.js';
import { faqTool } from '../tools/faqTool.js';
import { ticketsDbTool } from '../tools/ticketsDbTool.js';
import { upstreamModel } from '../tools/upstreamModel.js';
import { vectorStoreTool } from '../tools/vectorStoreTool.js';

/** What the retrieval agent is asked. */
export interface RetrievalQuestion {
  question: string;
  userId: string;
}

/** The tools the retrieval agent uses. */
export interface RetrievalTools {
  searchFaq: ReturnType<typeof faqTool>;
  queryVectors: ReturnType<typeof vectorStoreTool>;
  queryTickets: ReturnType<typeof ticketsDbTool>;
  model: ReturnType<typeof upstreamModel>;
}

/**
 * The retrieval agent: three sources at once, answering from those that succeeded.
 *
 * @example
 * ```ts
 * const { used, missing } = await runner.run(retrievalAgent(tools), { question: 'Where is my refund?', userId: 'u-7' });
 * ```
 */
export function retrievalAgent(tools: RetrievalTools) {
  return defineAgent({
    name: 'retrieval_agent',
    description: 'Answers from the FAQ, the vector store and the tickets database, whichever answer',
    async run(ctx, { question, userId }: RetrievalQuestion) {
      const settled = await ctx.allSettled({
        faq: (c) => c.call(tools.searchFaq, { question }),
        vectors: (c) => c.call(tools.queryVectors, { query: question, topK: 3 }),
        tickets: (c) => c.call(tools.queryTickets, { userId }),
      });
      const sources: Record<string, unknown> = {};
      const missing: Record<string, string> = {};
      for (const [name, result] of Object.entries(settled)) {
        if (result.status === 'fulfilled') sources[name] = result.value;
        else missing[name] = (result.reason as { code?: string }).code ?? String(result.reason);
      }
      const answer = await ctx.call(tools.model, {
        messages: [{ role: 'user', content: `${question}\nContext: ${JSON.stringify(sources)}` }],
      });
      return { answer: answer.text, used: Object.keys(sources), missing };
    },
  });
}

/** The run's own deadline: what ends a run whose tools have no timeout, while the database hangs. */
const RUN_DEADLINE_MS = 5_000;

/** The `flaky-retrieval` example. */
export const flakyRetrievalExample = defineExample({
  name: 'flaky-retrieval',
  title: 'Flaky retrieval: retries, a timeout, and answering without',
  description:
    'FAQ, vector store and database queried at once: the FAQ fails and is retried with back-off, ' +
    'the database hangs and times out, and the agent answers from what came back (allSettled).',
  parameters: [{ name: 'timeoutMs', description: 'Timeout of each retrieval attempt, in milliseconds; 0 for none (the run\'s 5 s deadline then ends it)', default: 800, min: 0, max: 10_000 }],
  comparisons: [{ title: 'without and with its timeout', a: { label: 'no timeout', params: { timeoutMs: 0 } }, b: { label: 'timeout 800 ms', params: { timeoutMs: 800 } } }],
  async run(session, { timeoutMs: givenTimeoutMs }) {
    const upstreamUrl = session.env.upstreamUrl;
    const timeoutMs = givenTimeoutMs === 0 ? Number.POSITIVE_INFINITY : givenTimeoutMs;
    const tools: RetrievalTools = {
      searchFaq: faqTool({ upstreamUrl, timeoutMs, retry: { attempts: 4, baseDelayMs: 100, jitter: 'equal' } }),
      queryVectors: vectorStoreTool({ upstreamUrl, timeoutMs }),
      queryTickets: ticketsDbTool({ upstreamUrl, timeoutMs }),
      model: upstreamModel({ upstreamUrl, size: 'general' }),
    };
    await session.runAgent(retrievalAgent(tools), { question: 'When will my refund arrive?', userId: 'u-7' }, {
      label: givenTimeoutMs === 0 ? 'retries, no timeout' : 'retries and a timeout',
      deadlineMs: RUN_DEADLINE_MS,
    });
  },
});
