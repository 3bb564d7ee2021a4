import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EndpointBehaviour } from '../EndpointBehaviour.js';
import type { EndpointName } from '../EndpointName.js';
import { formatRetryAfter } from '../formatRetryAfter.js';
import { readJsonBody } from '../readJsonBody.js';
import { sendJson } from '../sendJson.js';
import type { ResolvedUpstreamOptions } from '../UpstreamOptions.js';
import type { UpstreamStats } from '../UpstreamStats.js';
import { openAiError, type OpenAiErrorAnswer } from './openAiError.js';
import { OPENAI_MODELS } from './openAiModels.js';
import { formatResetDuration, rateLimitHeaders } from './rateLimitHeaders.js';
import { chatCompletionFormat, type AnswerFormat } from './chatCompletionFormat.js';
import { responsesFormat } from './responsesFormat.js';
import { scriptChatAnswer } from './scriptChatAnswer.js';
import { validateResponsesRequest } from './validateResponsesRequest.js';
import { validateChatRequest, type ChatRequestCheck, type ParsedChatRequest } from './validateChatRequest.js';

/** Largest chat request body read (conversations with tool results grow). */
const MAX_CHAT_BODY_BYTES = 4 * 1024 * 1024;

/** What the OpenAI-compatible API shares with the rest of the upstream. */
export interface OpenAiApiContext {
  /** The behaviour (latency, faults, limits) of each endpoint; models use `model`, `largeModel`, `smallModel`. */
  readonly behaviours: ReadonlyMap<EndpointName, EndpointBehaviour>;
  readonly stats: UpstreamStats;
  readonly options: ResolvedUpstreamOptions;
  /** Timers of answers in progress, cleared when the upstream closes. */
  readonly timers: Set<NodeJS.Timeout>;
  /** Whether the upstream is closing: a connection closed then was not closed by its client. */
  readonly closing: () => boolean;
}

/** Answers one request under `/v1/`. */
export type OpenAiApiHandler = (request: IncomingMessage, response: ServerResponse, url: URL) => void;

const SERVER_ERRORS: Record<number, string> = {
  500: 'The server had an error while processing your request. Sorry about that!',
  502: 'Bad gateway.',
  503: 'The engine is currently overloaded, please try again later.',
};

function sendError(response: ServerResponse, error: OpenAiErrorAnswer, headers: Record<string, string> = {}): void {
  sendJson(response, error.status, error.body, headers);
}

/**
 * The upstream's OpenAI-compatible API, which the official clients (`openai`, the AI SDK's OpenAI
 * providers, OpenAI Agents JS with chat completions) talk to as to OpenAI:
 *
 * - `POST /v1/chat/completions`, plain and streamed (server-sent events, `usage` in a last chunk with
 *   `stream_options.include_usage`), checked by {@link validateChatRequest};
 * - `POST /v1/responses`, the Responses API, plain and streamed, checked by {@link validateResponsesRequest};
 *   both answered by {@link scriptChatAnswer} (several tool calls in one answer, then text from their results);
 * - `GET /v1/models` and `GET /v1/models/{model}`.
 *
 * Each model has the latency, faults and limits of its endpoint ({@link OPENAI_MODELS}): `latencyMs` is
 * the time to the first token, `tokenLatencyMs` the time per token after it; past the endpoint's request
 * rate or token budget it answers 429 with `retry-after`, `retry-after-ms` and `x-ratelimit-*` headers;
 * scheduled failures are 5xx with OpenAI's error body; hangs never answer. Every answer carries
 * `x-request-id`, the `x-ratelimit-*` headers and `server-timing: upstream;dur=<time to first token>`.
 */
export function createOpenAiApi(context: OpenAiApiContext): OpenAiApiHandler {
  let sequence = 0;
  const nextId = (prefix: string): string => {
    sequence += 1;
    return `${prefix}${context.options.seed.toString(36)}x${sequence.toString(36).padStart(6, '0')}`;
  };

  const listModels = (response: ServerResponse): void => {
    sendJson(response, 200, { object: 'list', data: Object.keys(OPENAI_MODELS).map(modelObject) });
  };

  /** A request to one of the model APIs: checked by `validate`, answered in `format`, ids starting `idPrefix`. */
  const modelRequest = (
    request: IncomingMessage,
    response: ServerResponse,
    validate: (body: unknown) => ChatRequestCheck,
    format: AnswerFormat,
    idPrefix: string,
  ): void => {
    const arrivedAt = performance.now();
    const requestId = nextId('req_');
    readJsonBody(request, MAX_CHAT_BODY_BYTES).then(
      (body) => {
        if (response.destroyed) return;
        if (!body.ok) {
          const message =
            body.message === 'the body is not JSON'
              ? "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)"
              : `The request body is too large: ${body.message}.`;
          sendError(response, openAiError(400, message), { 'x-request-id': requestId });
          return;
        }
        const check = validate(body.value);
        if (!check.ok) {
          const model = (body.value as { model?: unknown } | undefined)?.model;
          const endpoint = typeof model === 'string' && Object.hasOwn(OPENAI_MODELS, model) ? OPENAI_MODELS[model]! : undefined;
          if (endpoint === undefined) context.stats.countNotFound();
          else {
            context.stats.count(endpoint, 'requests');
            context.stats.count(endpoint, 'rejected');
          }
          sendError(response, check.error, { 'x-request-id': requestId });
          return;
        }
        answer(check.request, arrivedAt, requestId, response, format, idPrefix);
      },
      () => response.destroy(),
    );
  };

  const answer = (
    chatRequest: ParsedChatRequest,
    arrivedAt: number,
    requestId: string,
    response: ServerResponse,
    format: AnswerFormat,
    idPrefix: string,
  ): void => {
    const { stats, options } = context;
    const name = chatRequest.endpoint;
    const behaviour = context.behaviours.get(name)!;
    stats.count(name, 'requests');
    const scripted = scriptChatAnswer(chatRequest, options.seed);
    const now = performance.now();

    const requestWindow = behaviour.requestWindow(now);
    if (requestWindow !== undefined && requestWindow.remaining === 0) {
      const plan = behaviour.plan(now);
      if (plan.kind === 'rate_limited') {
        stats.count(name, 'rateLimited');
        const message = `Rate limit reached for ${chatRequest.model} on requests per min (RPM): Limit ${requestWindow.limit}, Used ${requestWindow.limit}, Requested 1. Please try again in ${formatResetDuration(plan.retryAfterMs)}.`;
        sendError(response, openAiError(429, message, { type: 'requests', code: 'rate_limit_exceeded' }), {
          ...retryHeaders(plan.retryAfterMs, options.fractionalRetryAfter),
          ...rateLimitHeaders(requestWindow, undefined),
          'x-request-id': requestId,
        });
        return;
      }
    }
    const requested = scripted.promptTokens + scripted.completionTokens;
    const tokens = behaviour.admitTokens(now, requested);
    if (!tokens.ok) {
      stats.count(name, 'rateLimited');
      const message = `Rate limit reached for ${chatRequest.model} on tokens per min (TPM): Limit ${tokens.limit}, Used ${tokens.used}, Requested ${requested}. Please try again in ${formatResetDuration(tokens.retryAfterMs)}.`;
      sendError(response, openAiError(429, message, { type: 'tokens', code: 'rate_limit_exceeded' }), {
        ...retryHeaders(tokens.retryAfterMs, options.fractionalRetryAfter),
        ...rateLimitHeaders(requestWindow, { limit: tokens.limit, remaining: Math.max(0, tokens.limit - tokens.used), resetMs: tokens.retryAfterMs }),
        'x-request-id': requestId,
      });
      return;
    }
    const plan = behaviour.plan(now);
    // The request window had room a moment ago, in the same synchronous step: the plan admitted it.
    if (plan.kind === 'rate_limited') throw new Error('the request window filled between the look and the plan');
    const headers = {
      'x-request-id': requestId,
      ...rateLimitHeaders(behaviour.requestWindow(now), tokens.window),
    };

    stats.started(name);
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    const settle = (closedByClient: boolean): void => {
      if (settled) return;
      settled = true;
      if (timer !== undefined) {
        clearTimeout(timer);
        context.timers.delete(timer);
        timer = undefined;
      }
      stats.finished(name);
      if (closedByClient) stats.count(name, 'closedByClient');
    };
    response.on('close', () => settle(!context.closing()));
    if (plan.kind === 'hang') {
      stats.count(name, 'hung');
      return;
    }
    const at = (dueAt: number, fn: () => void): void => {
      timer = setTimeout(() => {
        context.timers.delete(timer!);
        timer = undefined;
        fn();
      }, Math.max(0, dueAt - performance.now()));
      context.timers.add(timer);
    };
    const timing = { ...headers, 'server-timing': `upstream;dur=${plan.latencyMs.toFixed(1)}` };
    const firstTokenAt = arrivedAt + plan.latencyMs;
    if (plan.status !== 200) {
      at(firstTokenAt, () => {
        settle(false);
        stats.count(name, 'failed');
        sendError(response, openAiError(plan.status, SERVER_ERRORS[plan.status] ?? `The server answered ${plan.status} (scheduled).`, { type: 'server_error' }), timing);
      });
      return;
    }
    const id = nextId(idPrefix);
    const created = Math.floor(Date.now() / 1000);
    if (!chatRequest.stream) {
      at(firstTokenAt + Math.max(0, scripted.completionTokens - 1) * plan.tokenLatencyMs, () => {
        settle(false);
        stats.count(name, 'answered');
        sendJson(response, 200, format.body(id, created, chatRequest, scripted), timing);
      });
      return;
    }
    const frames = format.frames(id, created, chatRequest, scripted);
    let next = 0;
    const writeFrame = (): void => {
      if (response.destroyed) return;
      if (next === 0) {
        response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', ...timing });
      }
      response.write(frames[next]!);
      next += 1;
      if (next < frames.length) {
        at(firstTokenAt + next * plan.tokenLatencyMs, writeFrame);
        return;
      }
      settle(false);
      stats.count(name, 'answered');
      response.end();
    };
    at(firstTokenAt, writeFrame);
  };

  return (request, response, url) => {
    const path = url.pathname;
    if (path === '/v1/chat/completions' || path === '/v1/responses') {
      if (request.method !== 'POST') {
        sendError(response, openAiError(405, `Invalid method for URL (${request.method} ${path})`), { allow: 'POST' });
        return;
      }
      if (path === '/v1/chat/completions') modelRequest(request, response, validateChatRequest, chatCompletionFormat, 'chatcmpl-');
      else modelRequest(request, response, validateResponsesRequest, responsesFormat, 'resp_');
      return;
    }
    const model = /^\/v1\/models\/([^/]+)$/.exec(path);
    if (request.method === 'GET' && path === '/v1/models') return listModels(response);
    if (request.method === 'GET' && model !== null) {
      const id = decodeURIComponent(model[1]!);
      if (Object.hasOwn(OPENAI_MODELS, id)) sendJson(response, 200, modelObject(id));
      else sendError(response, openAiError(404, `The model '${id}' does not exist`, { param: 'model', code: 'model_not_found' }));
      return;
    }
    context.stats.countNotFound();
    sendError(response, openAiError(404, `Invalid URL (${request.method} ${path})`));
  };
}

function modelObject(id: string) {
  return { id, object: 'model', created: 1_700_000_000, owned_by: 'overlap-upstream' };
}

function retryHeaders(retryAfterMs: number, fractional: boolean): Record<string, string> {
  return { 'retry-after': formatRetryAfter(retryAfterMs, fractional), 'retry-after-ms': String(Math.max(1, Math.ceil(retryAfterMs))) };
}
