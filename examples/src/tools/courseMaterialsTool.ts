import { defineTool } from '@overlap/runner';
import { z } from 'zod';
import { requestJson } from './requestJson.js';
import { callPolicy, type ToolSettings } from './ToolSettings.js';

const materials = z.object({ topic: z.string(), materials: z.array(z.object({ kind: z.string(), title: z.string() })) });

/** External course materials on a topic. */
export type CourseMaterials = z.infer<typeof materials>;

/**
 * `fetch_course_materials`: videos, articles and exercises on a topic from an external provider, the
 * upstream's `materials` endpoint, the slowest lookup (default timeout 2000 ms).
 *
 * @example
 * ```ts
 * const fetchMaterials = courseMaterialsTool({ upstreamUrl, timeoutMs: 1500 });
 * const { materials } = await ctx.call(fetchMaterials, { topic: 'fractions' });
 * ```
 */
export function courseMaterialsTool(settings: ToolSettings) {
  return defineTool({
    name: 'fetch_course_materials',
    description: 'External course materials on a topic',
    type: 'extension',
    input: z.object({ topic: z.string().min(1) }),
    output: materials,
    ...callPolicy(settings, 2000),
    run: ({ topic }, { signal }) =>
      requestJson<CourseMaterials>(settings.upstreamUrl, `/materials?topic=${encodeURIComponent(topic)}`, { signal }),
  });
}
