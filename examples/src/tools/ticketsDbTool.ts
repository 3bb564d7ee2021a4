import { defineTool } from '@overlap/runner';
import { z } from 'zod';
import { requestJson } from './requestJson.js';
import { callPolicy, type ToolSettings } from './ToolSettings.js';

const ticketRows = z.object({ rows: z.array(z.object({ ticket: z.string(), userId: z.string(), state: z.string() })) });

/** A user's support tickets. */
export type TicketRows = z.infer<typeof ticketRows>;

/**
 * `query_tickets_db`: a user's support tickets, from the upstream's `database` endpoint, which hangs by
 * default: only the tool's timeout gets the agent past it (default timeout 1000 ms).
 *
 * @example
 * ```ts
 * const queryTickets = ticketsDbTool({ upstreamUrl, timeoutMs: 600 });
 * const tickets = await ctx.allSettled([(c) => c.call(queryTickets, { userId: 'u-7' })]);
 * ```
 */
export function ticketsDbTool(settings: ToolSettings) {
  return defineTool({
    name: 'query_tickets_db',
    description: "A user's support tickets, from the database",
    type: 'datastore',
    input: z.object({ userId: z.string().min(1) }),
    output: ticketRows,
    ...callPolicy(settings, 1000),
    run: ({ userId }, { signal }) =>
      requestJson<TicketRows>(settings.upstreamUrl, `/db/tickets?userId=${encodeURIComponent(userId)}`, { signal }),
  });
}
