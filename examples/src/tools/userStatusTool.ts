import { defineTool } from '@overlap/runner';
import { z } from 'zod';
import { requestJson } from './requestJson.js';
import { callPolicy, type ToolSettings } from './ToolSettings.js';

const userStatus = z.object({ userId: z.string(), plan: z.string(), status: z.string(), openTickets: z.number() });

/** A user's account status. */
export type UserStatus = z.infer<typeof userStatus>;

/**
 * `get_user_status`: a user's plan and account status, from the upstream's `userStatus` endpoint
 * (default timeout 1000 ms).
 *
 * @example
 * ```ts
 * const getUserStatus = userStatusTool({ upstreamUrl });
 * const { plan } = await ctx.call(getUserStatus, { userId: 'u-7' });
 * ```
 */
export function userStatusTool(settings: ToolSettings) {
  return defineTool({
    name: 'get_user_status',
    description: "A user's plan and account status",
    input: z.object({ userId: z.string().min(1) }),
    output: userStatus,
    ...callPolicy(settings, 1000),
    run: ({ userId }, { signal }) =>
      requestJson<UserStatus>(settings.upstreamUrl, `/users/${encodeURIComponent(userId)}/status`, { signal }),
  });
}
