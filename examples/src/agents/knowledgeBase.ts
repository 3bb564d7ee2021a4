// knowledge-base: the same question answered three ways, one trace each. `concurrent` searches the
// knowledge base and reads the user's status at once, then asks the model; `concurrent + profile` adds a
// third lookup to the same gather, and the run is no longer (the gather waits for its slowest member);
// `sequential` does the two lookups one after the other, as plain `await`s do. Side by side, the
// waterfalls show what concurrency saved: the sequential gather is the sum of the lookups, not the longest.
import { defineAgent } from '@overlap/runner';
import { defineExample } from '../defineExample.js';
import { kbSearchTool } from '../tools/kbSearchTool.js';
import { upstreamModel } from '../tools/upstreamModel.js';
import { userProfileTool } from '../tools/userProfileTool.js';
import { userStatusTool } from '../tools/userStatusTool.js';

/** What the knowledge-base agent is asked. */
export interface KbQuestion {
  question: string;
  userId: string;
}

/** The tools the knowledge-base agents use. */
export interface KbTools {
  searchKb: ReturnType<typeof kbSearchTool>;
  getUserStatus: ReturnType<typeof userStatusTool>;
  getUserProfile: ReturnType<typeof userProfileTool>;
  callLlm: ReturnType<typeof upstreamModel>;
}

/** How a knowledge-base agent gathers its context. */
export type KbMode = 'concurrent' | 'concurrent-plus-profile' | 'sequential';

const AGENT_NAMES: Record<KbMode, string> = {
  concurrent: 'knowledge_base_agent',
  'concurrent-plus-profile': 'knowledge_base_agent_plus_profile',
  sequential: 'knowledge_base_agent_sequential',
};

/**
 * A knowledge-base agent that gathers its context in the given `mode`, then calls the model once.
 *
 * @example
 * ```ts
 * const answer = await runner.run(kbAgent(tools, 'sequential'), { question: 'How do refunds work?', userId: 'u-7' });
 * ```
 */
export function kbAgent(tools: KbTools, mode: KbMode) {
  return defineAgent({
    name: AGENT_NAMES[mode],
    description: `Answers from the knowledge base and the user's account (${mode})`,
    async run(ctx, { question, userId }: KbQuestion) {
      let context: Record<string, unknown>;
      if (mode === 'sequential') {
        const kb = await ctx.call(tools.searchKb, { query: question });
        const user = await ctx.call(tools.getUserStatus, { userId });
        context = { kb, user };
      } else if (mode === 'concurrent') {
        context = await ctx.all({
          kb: (c) => c.call(tools.searchKb, { query: question }),
          user: (c) => c.call(tools.getUserStatus, { userId }),
        });
      } else {
        context = await ctx.all({
          kb: (c) => c.call(tools.searchKb, { query: question }),
          user: (c) => c.call(tools.getUserStatus, { userId }),
          profile: (c) => c.call(tools.getUserProfile, { userId }),
        });
      }
      const answer = await ctx.call(tools.callLlm, {
        messages: [{ role: 'user', content: `${question}\nContext: ${JSON.stringify(context)}` }],
      });
      return { answer: answer.text, sources: Object.keys(context) };
    },
  });
}

/** The `knowledge-base` example. */
export const knowledgeBaseExample = defineExample({
  name: 'knowledge-base',
  title: 'Knowledge base: concurrent, one more tool, sequential',
  description:
    'search_kb and get_user_status at once then call_llm; the same with get_user_profile added (no longer); ' +
    'and the same agent awaiting each lookup in turn, so the waterfalls show what concurrency saved.',
  parameters: [{ name: 'timeoutMs', description: 'Timeout of each lookup, in milliseconds', default: 2000, min: 50, max: 10_000 }],
  comparisons: [
    {
      title: 'sequential vs concurrent',
      a: { label: 'sequential', agentName: AGENT_NAMES.sequential },
      b: { label: 'concurrent', agentName: AGENT_NAMES.concurrent },
    },
  ],
  async run(session, { timeoutMs }) {
    const upstreamUrl = session.env.upstreamUrl;
    const tools: KbTools = {
      searchKb: kbSearchTool({ upstreamUrl, timeoutMs }),
      getUserStatus: userStatusTool({ upstreamUrl, timeoutMs }),
      getUserProfile: userProfileTool({ upstreamUrl, timeoutMs }),
      callLlm: upstreamModel({ upstreamUrl, size: 'general', name: 'call_llm' }),
    };
    const input: KbQuestion = { question: 'How do I get a refund for a late order?', userId: 'u-7' };
    await session.runAgent(kbAgent(tools, 'concurrent'), input, { label: 'concurrent' });
    await session.runAgent(kbAgent(tools, 'concurrent-plus-profile'), input, { label: 'concurrent + get_user_profile' });
    await session.runAgent(kbAgent(tools, 'sequential'), input, { label: 'sequential' });
  },
});
