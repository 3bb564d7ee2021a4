import type { ToolExecutionOptions } from 'ai';
import { tool } from 'ai';
import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { overlapTool, overlapTools } from '../../src/ai-sdk/index.js';
import { GenAiAttributes } from '@overlap/shared';
import { Semaphore, isInvalidOptionError, isToolTimeoutError } from '../../src/index.js';
import { deferred, tracedRunner } from '../helpers.js';

/** The options the AI SDK passes to `execute`, as it builds them for a tool call. */
function executionOptions(toolCallId: string, abortSignal?: AbortSignal): ToolExecutionOptions<Record<string, never>> {
  return { toolCallId, messages: [{ role: 'user', content: 'my card number is 4111 1111 1111 1111' }], context: {}, ...(abortSignal ? { abortSignal } : {}) };
}

describe('overlapTools', () => {
  it('overlapTools() - returns a new tool set with the same names; tools without execute are kept as they are; the given set is not changed', () => {
    const t = tracedRunner();
    const withExecute = tool({ inputSchema: z.object({ q: z.string() }), execute: async ({ q }) => q });
    const clientSide = tool({ inputSchema: z.object({ q: z.string() }) });
    const tools = { search: withExecute, ask: clientSide };
    const wrapped = overlapTools(t.runner, tools);
    expect(Object.keys(wrapped)).toEqual(['search', 'ask']);
    expect(wrapped.ask).toBe(clientSide);
    expect(wrapped.search).not.toBe(withExecute);
    expect(wrapped.search.inputSchema).toBe(withExecute.inputSchema);
    expect(tools.search).toBe(withExecute);
  });

  it('overlapTool() - execute runs under Overlap: the gate holds the third call, the span has the AI SDK call id, recordIo records the input only', async () => {
    const t = tracedRunner({ recordIo: true });
    const pool = new Semaphore({ name: 'pool', permits: 2 });
    const releases = [deferred(), deferred(), deferred()];
    let running = 0;
    const search = overlapTool(
      t.runner,
      'search',
      tool({
        description: 'Searches',
        inputSchema: z.object({ q: z.string() }),
        execute: async ({ q }: { q: string }) => {
          running += 1;
          await releases[Number(q)]!.promise;
          running -= 1;
          return `found ${q}`;
        },
      }),
      { gates: [pool] },
    );
    const calls = ['0', '1', '2'].map((q) => search.execute!({ q }, executionOptions(`call_${q}`)) as Promise<string>);
    await vi.waitFor(() => expect(pool.queued).toBe(1));
    expect(running).toBe(2);
    releases[0]!.resolve();
    await expect(calls[0]).resolves.toBe('found 0');
    await vi.waitFor(() => expect(pool.queued).toBe(0));
    expect(running).toBe(2);
    releases[1]!.resolve();
    releases[2]!.resolve();
    await Promise.all(calls);
    const spans = t.byName('execute_tool search');
    expect(spans.map((s) => s.attributes[GenAiAttributes.TOOL_CALL_ID]).sort()).toEqual(['call_0', 'call_1', 'call_2']);
    expect(spans[0]!.attributes[GenAiAttributes.TOOL_DESCRIPTION]).toBe('Searches');
    for (const span of spans) expect(span.attributes[GenAiAttributes.TOOL_CALL_ARGUMENTS]).toMatch(/^\{"q":"\d"\}$/);
    expect(t.byName('queue pool')).toHaveLength(1);
  });

  it('overlapTool() - the body gets Overlap\'s signal: aborted at the timeout, which rejects with ToolTimeoutError; the AI SDK\'s abort rejects with its reason', async () => {
    const t = tracedRunner();
    let seen: AbortSignal | undefined;
    const hang = overlapTool(
      t.runner,
      'hang',
      tool({
        inputSchema: z.object({}),
        execute: (_input, { abortSignal }) =>
          new Promise((_resolve, reject) => {
            seen = abortSignal;
            abortSignal!.addEventListener('abort', () => reject(abortSignal!.reason), { once: true });
          }),
      }),
      { timeoutMs: 20 },
    );
    const outer = new AbortController();
    const error = await (hang.execute!({}, executionOptions('c1', outer.signal)) as Promise<unknown>).catch((e: unknown) => e);
    expect(isToolTimeoutError(error)).toBe(true);
    expect(seen).not.toBe(outer.signal);
    expect(seen!.aborted).toBe(true);

    const reason = new Error('the user stopped');
    const pending = hang.execute!({}, executionOptions('c2', outer.signal)) as Promise<unknown>;
    outer.abort(reason);
    await expect(pending).rejects.toBe(reason);
  });

  it('overlapTool() - a tool that streams preliminary results resolves with its last one', async () => {
    const t = tracedRunner();
    const progress = overlapTool(
      t.runner,
      'progress',
      tool({
        inputSchema: z.object({}),
        async *execute() {
          yield 'starting';
          yield 'done';
        },
      }),
    );
    await expect(progress.execute!({}, executionOptions('c1'))).resolves.toBe('done');
  });

  it('overlapTool() - rejects a bad runner, name or policy with an InvalidOptionError naming it', () => {
    const t = tracedRunner();
    const search = tool({ inputSchema: z.object({}), execute: async () => 'x' });
    const option = (fn: () => unknown) => {
      try {
        fn();
      } catch (error) {
        expect(isInvalidOptionError(error)).toBe(true);
        return (error as { option: string }).option;
      }
      return undefined;
    };
    expect(option(() => overlapTool({} as never, 'search', search))).toBe('overlapTool runner');
    expect(option(() => overlapTool(t.runner, '', search))).toBe('overlapTool name');
    expect(option(() => overlapTool(t.runner, 'search', search, { timeoutMs: -1 }))).toBe('defineTool(search).timeoutMs');
  });
});
