import { describe, expect, it } from 'vitest';
import { Runner, defineModel, type ChatRequest } from '../src/index.js';

describe('defineModel', () => {
  it('call() - passes tool definitions, tool calls and tool results through to the model, and its tool calls back', async () => {
    const seen: ChatRequest[] = [];
    const model = defineModel({
      provider: 'local',
      model: 'tiny-1',
      run: (request) => {
        seen.push(request);
        return { text: '', finishReason: 'tool_calls', toolCalls: [{ id: 'call_2', name: 'get_order', arguments: '{"orderId":"A-1"}' }] };
      },
    });
    const request: ChatRequest = {
      messages: [
        { role: 'user', content: 'Where is A-1?' },
        { role: 'assistant', content: '', toolCalls: [{ id: 'call_1', name: 'get_order', arguments: '{"orderId":"A-0"}' }] },
        { role: 'tool', content: '{"status":"shipped"}', toolCallId: 'call_1' },
      ],
      tools: [{ name: 'get_order', parameters: { type: 'object', properties: { orderId: { type: 'string' } } } }],
    };
    const answer = await new Runner().call(model, request);
    expect(answer.toolCalls).toEqual([{ id: 'call_2', name: 'get_order', arguments: '{"orderId":"A-1"}' }]);
    expect(seen[0]).toEqual(request);
  });

  it('call() - rejects malformed tool calls, tool call ids and tools with a ToolInputError naming the path', async () => {
    const model = defineModel({ provider: 'local', model: 'tiny-1', run: () => ({ text: 'ok' }) });
    const runner = new Runner();
    const bad = (request: unknown) => runner.call(model, request as ChatRequest);
    await expect(bad({ messages: [{ role: 'assistant', content: '', toolCalls: [{ id: 'c', name: 'x' }] }] })).rejects.toThrow('messages.0.toolCalls');
    await expect(bad({ messages: [{ role: 'tool', content: '{}', toolCallId: 7 }] })).rejects.toThrow('messages.0.toolCallId');
    await expect(bad({ messages: [{ role: 'user', content: 'hi' }], tools: [{ description: 'no name' }] })).rejects.toThrow('tools');
  });
});
