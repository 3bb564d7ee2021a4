import { defineTool } from '@overlap/runner';
import { z } from 'zod';
import { requestJson } from './requestJson.js';
import { callPolicy, type ToolSettings } from './ToolSettings.js';

const kbResult = z.object({
  query: z.string(),
  hits: z.array(z.object({ id: z.string(), title: z.string(), score: z.number() })),
});

/** Knowledge-base articles matching a query. */
export type KbResult = z.infer<typeof kbResult>;

/**
 * `search_kb`: knowledge-base articles matching a query, from the upstream's `kbSearch` endpoint
 * (default timeout 2000 ms).
 *
 * @example
 * ```ts
 * const searchKb = kbSearchTool({ upstreamUrl });
 * const { hits } = await ctx.call(searchKb, { query: 'refund policy' });
 * ```
 */
export function kbSearchTool(settings: ToolSettings) {
  return defineTool({
    name: 'search_kb',
    description: 'Search the knowledge base',
    type: 'datastore',
    input: z.object({ query: z.string().min(1) }),
    output: kbResult,
    ...callPolicy(settings, 2000),
    run: ({ query }, { signal }) => requestJson<KbResult>(settings.upstreamUrl, `/kb/search?q=${encodeURIComponent(query)}`, { signal }),
  });
}
