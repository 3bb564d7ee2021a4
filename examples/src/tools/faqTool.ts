import { defineTool } from '@overlap/runner';
import { z } from 'zod';
import { requestJson } from './requestJson.js';
import { callPolicy, type ToolSettings } from './ToolSettings.js';

const faqResult = z.object({ query: z.string(), answers: z.array(z.object({ question: z.string(), answer: z.string() })) });

/** FAQ entries matching a question. */
export type FaqResult = z.infer<typeof faqResult>;

/**
 * `search_faq`: FAQ entries matching a question, from the upstream's `faq` endpoint, which fails with
 * 503 on a schedule by default (default timeout 1000 ms).
 *
 * @example
 * ```ts
 * const searchFaq = faqTool({ upstreamUrl, retry: { attempts: 4, baseDelayMs: 150 } });
 * const { answers } = await ctx.call(searchFaq, { question: 'How long does shipping take?' });
 * ```
 */
export function faqTool(settings: ToolSettings) {
  return defineTool({
    name: 'search_faq',
    description: 'Search the FAQ',
    type: 'datastore',
    input: z.object({ question: z.string().min(1) }),
    output: faqResult,
    ...callPolicy(settings, 1000),
    run: ({ question }, { signal }) => requestJson<FaqResult>(settings.upstreamUrl, `/faq?q=${encodeURIComponent(question)}`, { signal }),
  });
}
