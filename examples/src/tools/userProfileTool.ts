import { defineTool } from '@overlap/runner';
import { z } from 'zod';
import { requestJson } from './requestJson.js';
import { callPolicy, type ToolSettings } from './ToolSettings.js';

const profile = z.object({ userId: z.string(), level: z.string(), language: z.string() });

/** A learner's profile. */
export type UserProfile = z.infer<typeof profile>;

/**
 * `get_user_profile`: a user's level and language, from the upstream's `userProfile` endpoint
 * (default timeout 1000 ms).
 *
 * @example
 * ```ts
 * const getProfile = userProfileTool({ upstreamUrl });
 * const { level } = await ctx.call(getProfile, { userId: 'u-7' });
 * ```
 */
export function userProfileTool(settings: ToolSettings) {
  return defineTool({
    name: 'get_user_profile',
    description: "A user's level and language",
    input: z.object({ userId: z.string().min(1) }),
    output: profile,
    ...callPolicy(settings, 1000),
    run: ({ userId }, { signal }) =>
      requestJson<UserProfile>(settings.upstreamUrl, `/users/${encodeURIComponent(userId)}/profile`, { signal }),
  });
}
