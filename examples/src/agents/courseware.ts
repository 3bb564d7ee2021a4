// courseware: a lesson generator. Before writing, it gathers four things at once: knowledge-base
// articles, external course materials (the slowest), the learner's profile and the lesson template
// (prefetched so it is ready when generation starts). Then one model call writes the lesson.
// Waterfall: four overlapping lookups that end with the slowest, then the long model bar.
import { defineAgent } from '@overlap/runner';
import { defineExample } from '../defineExample.js';
import { courseMaterialsTool } from '../tools/courseMaterialsTool.js';
import { kbSearchTool } from '../tools/kbSearchTool.js';
import { templateTool } from '../tools/templateTool.js';
import { upstreamModel } from '../tools/upstreamModel.js';
import { userProfileTool } from '../tools/userProfileTool.js';

/** What the courseware agent is asked to write. */
export interface LessonRequest {
  topic: string;
  userId: string;
}

/** The tools the courseware agent uses. */
export interface CoursewareTools {
  searchKb: ReturnType<typeof kbSearchTool>;
  fetchMaterials: ReturnType<typeof courseMaterialsTool>;
  getUserProfile: ReturnType<typeof userProfileTool>;
  prefetchTemplate: ReturnType<typeof templateTool>;
  model: ReturnType<typeof upstreamModel>;
}

/**
 * The courseware agent: four lookups at once, then generation.
 *
 * @example
 * ```ts
 * const { lesson } = await runner.run(coursewareAgent(tools), { topic: 'fractions', userId: 'u-7' });
 * ```
 */
export function coursewareAgent(tools: CoursewareTools) {
  return defineAgent({
    name: 'courseware_agent',
    description: "Writes a lesson from the knowledge base, external materials and the learner's profile",
    async run(ctx, { topic, userId }: LessonRequest) {
      const context = await ctx.all({
        kb: (c) => c.call(tools.searchKb, { query: topic }),
        materials: (c) => c.call(tools.fetchMaterials, { topic }),
        profile: (c) => c.call(tools.getUserProfile, { userId }),
        template: (c) => c.call(tools.prefetchTemplate, { name: 'lesson' }),
      });
      const lesson = await ctx.call(tools.model, {
        messages: [
          { role: 'system', content: `Write a lesson with the sections ${context.template.sections.join(', ')}.` },
          { role: 'user', content: `Lesson on ${topic} for a ${context.profile.level} learner\nContext: ${JSON.stringify(context)}` },
        ],
        maxTokens: 800,
      });
      return { lesson: lesson.text, materials: context.materials.materials.length, sections: context.template.sections };
    },
  });
}

/** The `courseware` example. */
export const coursewareExample = defineExample({
  name: 'courseware',
  title: 'Courseware: gather four sources, then generate',
  description:
    'Knowledge base, external course materials, user profile and template prefetch gathered at once, ' +
    'then the model writes the lesson.',
  parameters: [{ name: 'timeoutMs', description: 'Timeout of each lookup, in milliseconds', default: 1500, min: 50, max: 10_000 }],
  async run(session, { timeoutMs }) {
    const upstreamUrl = session.env.upstreamUrl;
    const tools: CoursewareTools = {
      searchKb: kbSearchTool({ upstreamUrl, timeoutMs }),
      fetchMaterials: courseMaterialsTool({ upstreamUrl, timeoutMs, retry: { attempts: 2 } }),
      getUserProfile: userProfileTool({ upstreamUrl, timeoutMs }),
      prefetchTemplate: templateTool({ upstreamUrl, timeoutMs }),
      model: upstreamModel({ upstreamUrl, size: 'general' }),
    };
    await session.runAgent(coursewareAgent(tools), { topic: 'fractions', userId: 'u-7' }, { label: 'gather then generate' });
  },
});
