// agent-loop: a model that asks for tools, as real agents run. Each turn the model (streamed, through the
// official openai client) answers with text or with several tool calls at once; the calls run
// concurrently, every one through a shared `tools` semaphore of `limit` permits and a `tools-api` rate
// limit, and their results (or errors) go back to the model, until it answers in text or MAX_TURNS pass.
// Waterfall: chat, three overlapping tool calls (the third queued at the semaphore with the default
// limit of 2), chat again with the results.
import { defineAgent, type AgentContext, type ChatMessage, type ChatToolDefinition, type Tool } from '@overlap/runner';
import { z } from 'zod';
import { defineExample } from '../defineExample.js';
import { kbSearchTool } from '../tools/kbSearchTool.js';
import { orderTool } from '../tools/orderTool.js';
import { upstreamModel } from '../tools/upstreamModel.js';
import { weatherTool } from '../tools/weatherTool.js';

/** Most model turns before the agent gives up. */
export const MAX_TURNS = 5;

/** What the agent-loop agent is asked. */
export interface LoopQuestion {
  question: string;
}

/** What the agent-loop agent answers. */
export interface LoopAnswer {
  /** The model's final text; undefined when it was still asking for tools after {@link MAX_TURNS} turns. */
  answer: string | undefined;
  /** Model calls made. */
  turns: number;
  /** Tool calls made, in the order the model asked for them, with how each went. */
  toolCalls: Array<{ name: string; ok: boolean }>;
}

/** The model and the tools the agent-loop agent offers it. */
export interface LoopTools {
  model: ReturnType<typeof upstreamModel>;
  tools: ReadonlyArray<Tool<unknown, unknown>>;
}

/**
 * The tool as the model sees it: name, description and the JSON Schema of its input (tools with a zod
 * input schema; others are offered without parameters).
 */
function definitionOf(tool: Tool<unknown, unknown>): ChatToolDefinition {
  const schema = tool.inputSchema as unknown;
  const parameters = schema instanceof z.ZodType ? (z.toJSONSchema(schema) as Record<string, unknown>) : undefined;
  return { name: tool.name, ...(tool.description === undefined ? {} : { description: tool.description }), ...(parameters ? { parameters } : {}) };
}

/**
 * The agent loop: ask the model; run the tool calls it asks for, all at once; give it the results; again,
 * until it answers in text (or {@link MAX_TURNS} model calls). A tool call that fails (bad arguments, a
 * timeout, an upstream error after retries) goes back to the model as an error result, as agents do.
 *
 * @example
 * ```ts
 * const { answer, turns } = await runner.run(agentLoopAgent({ model, tools: [getWeather, getOrder] }), { question: 'Where is order A-7?' });
 * ```
 */
export function agentLoopAgent({ model, tools }: LoopTools) {
  const byName = new Map(tools.map((tool) => [tool.name, tool]));
  const definitions = tools.map(definitionOf);
  return defineAgent({
    name: 'tool_loop_agent',
    description: 'Lets the model call tools, several at once, until it answers',
    async run(ctx, { question }: LoopQuestion): Promise<LoopAnswer> {
      const messages: ChatMessage[] = [
        { role: 'system', content: 'You are a support agent. Use the tools, then answer briefly.' },
        { role: 'user', content: question },
      ];
      const toolCalls: LoopAnswer['toolCalls'] = [];
      for (let turn = 1; turn <= MAX_TURNS; turn += 1) {
        const reply = await ctx.call(model, { messages, tools: definitions });
        if (!reply.toolCalls?.length) return { answer: reply.text, turns: turn, toolCalls };
        messages.push({ role: 'assistant', content: reply.text, toolCalls: reply.toolCalls });
        const results = await ctx.allSettled(
          reply.toolCalls.map((call) => (c: AgentContext) => {
            const tool = byName.get(call.name);
            if (tool === undefined) return Promise.reject(new Error(`no tool named "${call.name}"`));
            return c.callWithArguments(tool, call.arguments, { callId: call.id });
          }),
        );
        reply.toolCalls.forEach((call, i) => {
          const result = results[i]!;
          toolCalls.push({ name: call.name, ok: result.status === 'fulfilled' });
          const content =
            result.status === 'fulfilled' ? JSON.stringify(result.value) : JSON.stringify({ error: (result.reason as Error)?.message ?? String(result.reason) });
          messages.push({ role: 'tool', toolCallId: call.id, content });
        });
      }
      return { answer: undefined, turns: MAX_TURNS, toolCalls };
    },
  });
}

/** The `agent-loop` example. */
export const agentLoopExample = defineExample({
  name: 'agent-loop',
  title: 'Agent loop: the model calls several tools at once',
  description:
    'The model (through the official openai client, streamed) asks for three tools in one answer; they run at once ' +
    'under a shared tools semaphore (limit) and a rate limit, their results go back, and it answers.',
  parameters: [
    { name: 'limit', description: 'Permits of the shared tools semaphore (tool calls at once)', default: 2, min: 1, max: 10 },
    { name: 'timeoutMs', description: 'Timeout of each tool call, in milliseconds', default: 1000, min: 50, max: 10_000 },
  ],
  async run(session, { limit, timeoutMs }) {
    const upstreamUrl = session.env.upstreamUrl;
    const gates = [session.semaphore('tools', limit), session.rateLimiter('tools-api', 5, 1000)];
    const tools = [
      weatherTool({ upstreamUrl, timeoutMs, gates, retry: { attempts: 2 } }),
      orderTool({ upstreamUrl, timeoutMs, gates, retry: { attempts: 3 } }),
      kbSearchTool({ upstreamUrl, timeoutMs, gates }),
    ];
    const model = upstreamModel({ upstreamUrl, size: 'general', stream: true, retry: { attempts: 4, baseDelayMs: 200, maxRetryAfterMs: 10_000 } });
    await session.runAgent(
      agentLoopAgent({ model, tools }),
      { question: 'Where is my order, will the weather delay it, and how do returns work?' },
      { label: 'tool loop', deadlineMs: 20_000 },
    );
  },
});
