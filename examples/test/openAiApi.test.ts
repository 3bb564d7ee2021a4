import OpenAI, { APIConnectionTimeoutError, BadRequestError, InternalServerError, NotFoundError, RateLimitError } from 'openai';
import type { ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import { describe, expect, it, vi } from 'vitest';
import type { UpstreamOptions } from '../src/index.js';
import { startUpstream } from './helpers.js';

const tools: ChatCompletionTool[] = [
  {
    type: 'function',
    function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
  },
  {
    type: 'function',
    function: { name: 'get_order', parameters: { type: 'object', properties: { orderId: { type: 'string' } }, required: ['orderId'] } },
  },
];
const question: ChatCompletionMessageParam = { role: 'user', content: 'Where is order A-7, and will rain delay it?' };

async function clientFor(options: UpstreamOptions = {}) {
  const upstream = await startUpstream({ latencyScale: 0.02, ...options });
  const client = new OpenAI({ baseURL: `${upstream.url}/v1`, apiKey: 'local', maxRetries: 0 });
  return { upstream, client };
}

/** The error a promise rejects with. */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

describe('the OpenAI-compatible API', () => {
  it('POST /v1/chat/completions - asks for three tools in one answer, then answers from their results, the same way for the same seed', async () => {
    const conversation = async () => {
      const { client } = await clientFor({ seed: 9 });
      const first = await client.chat.completions.create({ model: 'upstream-general', messages: [question], tools });
      const message = first.choices[0]!.message;
      const results: ChatCompletionMessageParam[] = (message.tool_calls ?? []).map((call) => ({
        role: 'tool',
        tool_call_id: call.id,
        content: JSON.stringify({ answeredBy: call.type === 'function' ? call.function.name : '?' }),
      }));
      const second = await client.chat.completions.create({ model: 'upstream-general', messages: [question, message, ...results], tools });
      return { first, second };
    };
    const { first, second } = await conversation();
    expect(first.object).toBe('chat.completion');
    expect(first.choices[0]!.finish_reason).toBe('tool_calls');
    const calls = first.choices[0]!.message.tool_calls!.map((call) => (call.type === 'function' ? call.function : undefined));
    expect(calls.map((call) => call?.name)).toEqual(['get_weather', 'get_order', 'get_weather']);
    for (const call of calls) expect(Object.keys(JSON.parse(call!.arguments) as object)).toHaveLength(1);
    expect(new Set(first.choices[0]!.message.tool_calls!.map((call) => call.id)).size).toBe(3);
    expect(first.usage).toMatchObject({ prompt_tokens: expect.any(Number), completion_tokens: expect.any(Number) });
    expect(first.usage!.total_tokens).toBe(first.usage!.prompt_tokens + first.usage!.completion_tokens);

    expect(second.choices[0]!.finish_reason).toBe('stop');
    expect(second.choices[0]!.message.content).toContain('From 3 tool results');
    expect(second.choices[0]!.message.content).toContain('get_order said {"answeredBy":"get_order"}');

    const again = await conversation();
    expect(again.first.choices[0]!.message.tool_calls).toEqual(first.choices[0]!.message.tool_calls);
    expect(again.second.choices[0]!.message.content).toBe(second.choices[0]!.message.content);
  });

  it('POST /v1/chat/completions - one call when parallel_tool_calls is false, and only the function tool_choice names', async () => {
    const { client } = await clientFor();
    const one = await client.chat.completions.create({ model: 'upstream-small', messages: [question], tools, parallel_tool_calls: false });
    expect(one.choices[0]!.message.tool_calls).toHaveLength(1);
    const named = await client.chat.completions.create({
      model: 'upstream-small',
      messages: [question],
      tools,
      tool_choice: { type: 'function', function: { name: 'get_order' } },
    });
    expect(named.choices[0]!.message.tool_calls!.map((call) => (call.type === 'function' ? call.function.name : ''))).toEqual(['get_order', 'get_order', 'get_order']);
    const none = await client.chat.completions.create({ model: 'upstream-small', messages: [question], tools, tool_choice: 'none' });
    expect(none.choices[0]!.message.tool_calls).toBeUndefined();
    expect(none.choices[0]!.message.content).toMatch(/^\(upstream-small\) /);
  });

  it('POST /v1/chat/completions (stream) - streams the same answer token by token, with the usage in a last chunk without choices', async () => {
    const { client, upstream } = await clientFor({ latencyScale: 1, endpoints: { smallModel: { latencyMs: [40, 40], tokenLatencyMs: [3, 3] } } });
    const plain = await client.chat.completions.create({ model: 'upstream-small', messages: [question], tools, tool_choice: 'none' });
    const started = performance.now();
    const stream = await client.chat.completions.create({
      model: 'upstream-small',
      messages: [question],
      tools,
      tool_choice: 'none',
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let firstTokenMs: number | undefined;
    const contentChunks: number[] = [];
    let last: OpenAI.ChatCompletionChunk | undefined;
    let finishReason: string | null = null;
    for await (const chunk of stream) {
      last = chunk;
      const choice = chunk.choices[0];
      if (choice?.finish_reason) finishReason = choice.finish_reason;
      if (choice?.delta.content) {
        firstTokenMs ??= performance.now() - started;
        contentChunks.push(performance.now());
        text += choice.delta.content;
      }
    }
    expect(text).toBe(plain.choices[0]!.message.content);
    expect(finishReason).toBe('stop');
    expect(contentChunks.length).toBe(plain.usage!.completion_tokens);
    expect(last!.choices).toEqual([]);
    expect(last!.usage).toMatchObject({ completion_tokens: plain.usage!.completion_tokens, prompt_tokens: plain.usage!.prompt_tokens });
    // The first token after the drawn 40 ms, the last one token time (3 ms) apart from the one before;
    // lower bounds only, from the request's start: timers never fire early, but chunks may arrive bunched.
    expect(firstTokenMs).toBeGreaterThanOrEqual(38);
    expect(contentChunks.at(-1)! - started).toBeGreaterThanOrEqual(40 + (contentChunks.length - 1) * 3 - 2);
    expect(upstream.stats.endpoint('smallModel')).toMatchObject({ requests: 2, answered: 2, inFlight: 0 });
  });

  it('POST /v1/chat/completions (stream) - streams tool calls as the client assembles them', async () => {
    const { client } = await clientFor();
    const plain = await client.chat.completions.create({ model: 'upstream-large', messages: [question], tools });
    const stream = await client.chat.completions.create({ model: 'upstream-large', messages: [question], tools, stream: true });
    const assembled: Array<{ id: string; name: string; arguments: string }> = [];
    for await (const chunk of stream) {
      for (const delta of chunk.choices[0]?.delta.tool_calls ?? []) {
        if (delta.id !== undefined) assembled[delta.index] = { id: delta.id, name: delta.function?.name ?? '', arguments: '' };
        assembled[delta.index]!.arguments += delta.function?.arguments ?? '';
      }
    }
    expect(assembled).toEqual(plain.choices[0]!.message.tool_calls!.map((call) => (call.type === 'function' ? { id: call.id, ...call.function } : undefined)));
  });

  it('POST /v1/chat/completions - past the tokens-per-minute budget, 429 with retry-after, retry-after-ms and x-ratelimit-* headers', async () => {
    const { client, upstream } = await clientFor({ endpoints: { model: { tokenRateLimit: { tokens: 150, intervalMs: 60_000 } } } });
    const ok = await client.chat.completions.create({ model: 'upstream-general', messages: [question], tools }).withResponse();
    expect(ok.response.headers.get('x-ratelimit-limit-tokens')).toBe('150');
    expect(Number(ok.response.headers.get('x-ratelimit-remaining-tokens'))).toBe(150 - ok.data.usage!.total_tokens);
    expect(ok.response.headers.get('x-ratelimit-reset-tokens')).toMatch(/^\d+(\.\d+)?s$|^\d+m[\d.]+s$/);
    const error = await rejection(client.chat.completions.create({ model: 'upstream-general', messages: [question], tools }));
    expect(error).toBeInstanceOf(RateLimitError);
    const limited = error as RateLimitError;
    expect(limited.status).toBe(429);
    expect(limited.code).toBe('rate_limit_exceeded');
    expect(limited.type).toBe('tokens');
    expect(limited.message).toMatch(/Rate limit reached for upstream-general on tokens per min \(TPM\): Limit 150, Used \d+, Requested \d+/);
    const retryAfterMs = Number(limited.headers.get('retry-after-ms'));
    expect(retryAfterMs).toBeGreaterThan(59_000);
    expect(retryAfterMs).toBeLessThanOrEqual(60_000);
    expect(limited.headers.get('retry-after')).toBe('60');
    expect(limited.headers.get('x-ratelimit-remaining-tokens')).toBe(String(150 - ok.data.usage!.total_tokens));
    expect(upstream.stats.endpoint('model')).toMatchObject({ requests: 2, answered: 1, rateLimited: 1 });
  });

  it('POST /v1/chat/completions - past the request rate, 429 on requests per min; the next window admits again', async () => {
    const { client } = await clientFor({ fractionalRetryAfter: true, endpoints: { smallModel: { rateLimit: { limit: 1, intervalMs: 200 } } } });
    const ask = () => client.chat.completions.create({ model: 'upstream-small', messages: [question] });
    await ask();
    const error = (await rejection(ask())) as RateLimitError;
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error.type).toBe('requests');
    expect(error.headers.get('x-ratelimit-limit-requests')).toBe('1');
    expect(error.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    const waitMs = Number(error.headers.get('retry-after-ms'));
    expect(Number(error.headers.get('retry-after'))).toBeCloseTo(waitMs / 1000, 2);
    await new Promise((resolve) => setTimeout(resolve, waitMs + 5));
    await expect(ask()).resolves.toMatchObject({ object: 'chat.completion' });
  });

  it('POST /v1/chat/completions - scheduled failures answer 5xx with OpenAI\'s error body; hangs never answer', async () => {
    const { client, upstream } = await clientFor({ endpoints: { model: { failures: { pattern: 'x.', status: 503 } }, largeModel: { hangs: { pattern: 'x' } } } });
    const failed = (await rejection(client.chat.completions.create({ model: 'upstream-general', messages: [question] }))) as InternalServerError;
    expect(failed).toBeInstanceOf(InternalServerError);
    expect(failed.status).toBe(503);
    expect(failed.type).toBe('server_error');
    await expect(client.chat.completions.create({ model: 'upstream-general', messages: [question] })).resolves.toMatchObject({ object: 'chat.completion' });

    const hung = await rejection(client.chat.completions.create({ model: 'upstream-large', messages: [question] }, { timeout: 100 }));
    expect(hung).toBeInstanceOf(APIConnectionTimeoutError);
    await vi.waitFor(() => expect(upstream.stats.endpoint('largeModel')).toMatchObject({ hung: 1, closedByClient: 1, inFlight: 0 }));
    expect(upstream.stats.endpoint('model')).toMatchObject({ failed: 1, answered: 1 });
  });

  it('POST /v1/chat/completions - checks requests as OpenAI does: 404 for an unknown model, 400 naming the bad parameter', async () => {
    const { client, upstream } = await clientFor();
    const unknown = (await rejection(client.chat.completions.create({ model: 'gpt-9', messages: [question] }))) as NotFoundError;
    expect(unknown).toBeInstanceOf(NotFoundError);
    expect(unknown).toMatchObject({ status: 404, code: 'model_not_found', type: 'invalid_request_error' });
    expect(unknown.message).toContain('The model `gpt-9` does not exist or you do not have access to it.');

    const bad = async (body: Record<string, unknown>) => (await rejection(client.post('/chat/completions', { body }))) as BadRequestError;
    const cases: Array<[Record<string, unknown>, string | null, string | null]> = [
      [{ messages: [question] }, null, null],
      [{ model: 'upstream-small' }, 'messages', 'missing_required_parameter'],
      [{ model: 'upstream-small', messages: [] }, 'messages', 'empty_array'],
      [{ model: 'upstream-small', messages: [{ role: 'robot', content: 'hi' }] }, 'messages[0].role', 'invalid_value'],
      [{ model: 'upstream-small', messages: [{ role: 'user', content: 7 }] }, 'messages[0].content', 'invalid_type'],
      [{ model: 'upstream-small', messages: [question, { role: 'tool', tool_call_id: 'call_1', content: '{}' }] }, 'messages.[1].role', null],
      [
        {
          model: 'upstream-small',
          messages: [question, { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_order', arguments: '{}' } }] }, question],
        },
        'messages.[1].role',
        null,
      ],
      [{ model: 'upstream-small', messages: [question], stream_options: { include_usage: true } }, 'stream_options', null],
      [{ model: 'upstream-small', messages: [question], tools: [{ type: 'function', function: { name: 'bad name' } }] }, 'tools[0].function.name', 'invalid_value'],
      [{ model: 'upstream-small', messages: [question], temperature: 3 }, 'temperature', 'decimal_above_max_value'],
    ];
    for (const [body, param, code] of cases) {
      const error = await bad(body);
      expect(error, JSON.stringify(body)).toBeInstanceOf(BadRequestError);
      expect(error.type).toBe('invalid_request_error');
      expect({ param: error.param, code: error.code }, JSON.stringify(body)).toEqual({ param, code });
    }
    expect(upstream.stats.endpoint('smallModel')).toMatchObject({ rejected: cases.length - 1, answered: 0, inFlight: 0 });
  });

  it('POST /v1/responses - the Responses API: function calls as output items, then text from their outputs; streamed as response.* events', async () => {
    const { client } = await clientFor({ seed: 9 });
    const responseTools = [
      { type: 'function' as const, name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false }, strict: true },
    ];
    const first = await client.responses.create({ model: 'upstream-general', instructions: 'Use the tools.', input: 'Will it rain at my three offices?', tools: responseTools });
    expect(first.status).toBe('completed');
    const calls = first.output.filter((item) => item.type === 'function_call');
    expect(calls).toHaveLength(3);
    expect(first.usage!.total_tokens).toBe(first.usage!.input_tokens + first.usage!.output_tokens);

    const followUp = {
      model: 'upstream-general',
      input: [
        { role: 'user' as const, content: 'Will it rain at my three offices?' },
        ...calls,
        ...calls.map((call) => ({ type: 'function_call_output' as const, call_id: call.call_id, output: '{"sky":"clear"}' })),
      ],
      tools: responseTools,
    };
    const second = await client.responses.create(followUp);
    expect(second.output_text).toContain('From 3 tool results');

    const stream = await client.responses.create({ ...followUp, stream: true });
    const types: string[] = [];
    let text = '';
    let completed: OpenAI.Responses.Response | undefined;
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'response.output_text.delta') text += event.delta;
      if (event.type === 'response.completed') completed = event.response;
    }
    expect(text).toBe(second.output_text);
    expect(types.slice(0, 4)).toEqual(['response.created', 'response.in_progress', 'response.output_item.added', 'response.content_part.added']);
    expect(types.at(-1)).toBe('response.completed');
    expect(completed!.usage).toMatchObject({ output_tokens: second.usage!.output_tokens });
  });

  it('POST /v1/responses - checks requests as OpenAI does, and refuses previous_response_id (it keeps no responses)', async () => {
    const { client } = await clientFor();
    await expect(client.responses.create({ model: 'gpt-9', input: 'hi' })).rejects.toMatchObject({ status: 404, code: 'model_not_found' });
    const cases: Array<[Record<string, unknown>, string | null, string | null]> = [
      [{ model: 'upstream-small' }, 'input', 'missing_required_parameter'],
      [{ model: 'upstream-small', input: [{ role: 'robot', content: 'hi' }] }, 'input[0].role', 'invalid_value'],
      [{ model: 'upstream-small', input: [{ type: 'function_call_output', call_id: 'call_1', output: '{}' }] }, 'input', null],
      [{ model: 'upstream-small', input: 'hi', previous_response_id: 'resp_1' }, 'previous_response_id', 'previous_response_not_found'],
    ];
    for (const [body, param, code] of cases) {
      const error = (await rejection(client.post('/responses', { body }))) as BadRequestError;
      expect(error, JSON.stringify(body)).toBeInstanceOf(BadRequestError);
      expect({ param: error.param, code: error.code }, JSON.stringify(body)).toEqual({ param, code });
    }
  });

  it('GET /v1/models - lists the models it serves', async () => {
    const { client } = await clientFor();
    const models = await client.models.list();
    expect(models.data.map((model) => model.id)).toEqual(['upstream-general', 'upstream-large', 'upstream-small']);
    await expect(client.models.retrieve('upstream-large')).resolves.toMatchObject({ id: 'upstream-large', object: 'model' });
    await expect(client.models.retrieve('gpt-9')).rejects.toBeInstanceOf(NotFoundError);
  });
});
