import { defineTool } from '@overlap/runner';
import { z } from 'zod';
import { requestJson } from './requestJson.js';
import { callPolicy, type ToolSettings } from './ToolSettings.js';

const template = z.object({ name: z.string(), sections: z.array(z.string()) });

/** A document template. */
export type Template = z.infer<typeof template>;

/**
 * `prefetch_template`: a document template by name, from the upstream's `template` endpoint, fetched
 * early so it is ready when generation starts (default timeout 1000 ms).
 *
 * @example
 * ```ts
 * const prefetchTemplate = templateTool({ upstreamUrl });
 * const { sections } = await ctx.call(prefetchTemplate, { name: 'lesson' });
 * ```
 */
export function templateTool(settings: ToolSettings) {
  return defineTool({
    name: 'prefetch_template',
    description: 'A document template by name',
    input: z.object({ name: z.string().min(1) }),
    output: template,
    ...callPolicy(settings, 1000),
    run: ({ name }, { signal }) => requestJson<Template>(settings.upstreamUrl, `/templates/${encodeURIComponent(name)}`, { signal }),
  });
}
