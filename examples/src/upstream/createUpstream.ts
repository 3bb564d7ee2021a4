import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ENDPOINT_NAMES, type EndpointName } from './EndpointName.js';
import { EndpointBehaviour } from './EndpointBehaviour.js';
import { createOpenAiApi } from './openai/createOpenAiApi.js';
import { formatRetryAfter } from './formatRetryAfter.js';
import { readJsonBody } from './readJsonBody.js';
import { ROUTES, type Route, type RouteAnswer } from './routes.js';
import { sendJson } from './sendJson.js';
import { resolveUpstreamOptions, type ResolvedUpstreamOptions, type UpstreamOptions } from './UpstreamOptions.js';
import { UpstreamStats } from './UpstreamStats.js';

/** Largest request body the upstream reads. */
const MAX_BODY_BYTES = 256 * 1024;

/** A running local upstream. */
export interface Upstream {
  /** Base URL, such as `http://127.0.0.1:43817` (no trailing slash). */
  readonly url: string;
  /** Live counters per endpoint: requests, 429s, failures, hangs, requests closed by the client... */
  readonly stats: UpstreamStats;
  /** The options in force, defaults filled in. */
  readonly options: ResolvedUpstreamOptions;
  /** Stops listening and drops every open request (hung ones included). Resolves when the server is closed. */
  close(): Promise<void>;
}

/**
 * Starts the local HTTP upstream the example tools call: weather, user status, orders, knowledge-base
 * search, FAQ, vector store, database, course materials, user profile, templates and three models,
 * which it also serves as an OpenAI-compatible API under `/v1` (chat completions, plain and streamed,
 * with tool calls; see `createOpenAiApi`), so the official `openai` client, the AI SDK and OpenAI Agents
 * JS can use it with `baseURL: `${upstream.url}/v1``.
 *
 * It behaves like the real thing: each endpoint answers after a latency drawn from a seeded
 * distribution, turns requests past its rate limit away with `429` and a `Retry-After` header, fails
 * with 5xx or hangs on a schedule, and notices when a client goes away (an aborted `fetch` closes its
 * socket), which `stats` counts. Every answer carries `Server-Timing: upstream;dur=<ms>` with its drawn
 * latency.
 *
 * @example
 * ```ts
 * const upstream = await createUpstream({ seed: 42 });
 * const res = await fetch(`${upstream.url}/weather?city=Oslo`);
 * console.log(await res.json(), upstream.stats.endpoint('weather'));
 * await upstream.close();
 * ```
 */
export async function createUpstream(options: UpstreamOptions = {}): Promise<Upstream> {
  const resolved = resolveUpstreamOptions(options);
  const stats = new UpstreamStats();
  const behaviours = new Map<EndpointName, EndpointBehaviour>(
    ENDPOINT_NAMES.map((name) => [name, new EndpointBehaviour(name, resolved.endpoints[name], resolved.seed, resolved.latencyScale)]),
  );
  const timers = new Set<NodeJS.Timeout>();
  let closing = false;
  const openAi = createOpenAiApi({ behaviours, stats, options: resolved, timers, closing: () => closing });

  const handle = (request: IncomingMessage, response: ServerResponse): void => {
    const arrivedAt = performance.now();
    const url = new URL(request.url ?? '/', 'http://upstream.local');
    if (url.pathname.startsWith('/v1/')) {
      openAi(request, response, url);
      return;
    }
    let route: Route | undefined;
    let params: string[] = [];
    for (const candidate of ROUTES) {
      const match = candidate.path.exec(url.pathname);
      if (match !== null) {
        route = candidate;
        params = match.slice(1).map(safeDecode);
        break;
      }
    }
    if (route === undefined) {
      stats.countNotFound();
      sendJson(response, 404, { error: 'not_found', message: `no endpoint at ${url.pathname}` });
      return;
    }
    if (request.method !== route.method) {
      sendJson(response, 405, { error: 'method_not_allowed', message: `use ${route.method}` }, { allow: route.method });
      return;
    }
    const name = route.endpoint;
    stats.count(name, 'requests');
    const plan = behaviours.get(name)!.plan(arrivedAt);
    if (plan.kind === 'rate_limited') {
      stats.count(name, 'rateLimited');
      sendJson(
        response,
        429,
        { error: 'rate_limited', message: `${name} allows ${resolved.endpoints[name].rateLimit?.limit} requests per window` },
        { 'retry-after': formatRetryAfter(plan.retryAfterMs, resolved.fractionalRetryAfter) },
      );
      return;
    }

    stats.started(name);
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    // A request stops being in progress when the server answers it (not when the answer is flushed, which
    // the client may see first) or when its connection closes unanswered.
    const settle = (closedByClient: boolean): void => {
      if (settled) return;
      settled = true;
      if (timer !== undefined) {
        clearTimeout(timer);
        timers.delete(timer);
        timer = undefined;
      }
      stats.finished(name);
      if (closedByClient) stats.count(name, 'closedByClient');
    };
    response.on('close', () => settle(!closing));
    if (plan.kind === 'hang') {
      stats.count(name, 'hung');
      request.resume();
      return;
    }
    const selected = route;
    readJsonBody(request, MAX_BODY_BYTES).then(
      (body) => {
        if (response.destroyed) return;
        const remainingMs = Math.max(0, arrivedAt + plan.latencyMs - performance.now());
        timer = setTimeout(() => {
          settle(false);
          const timing = { 'server-timing': `upstream;dur=${plan.latencyMs.toFixed(1)}` };
          if (plan.status !== 200) {
            stats.count(name, 'failed');
            sendJson(response, plan.status, { error: 'upstream_failure', message: `${name} is failing (scheduled)` }, timing);
            return;
          }
          let answer: RouteAnswer;
          try {
            answer = body.ok ? selected.respond({ params, query: url.searchParams, body: body.value }) : { status: 400, message: body.message };
          } catch (error) {
            answer = { status: 400, message: `could not answer: ${(error as Error).message}` };
          }
          if (answer.status === 200) {
            stats.count(name, 'answered');
            sendJson(response, 200, answer.body, timing);
          } else {
            stats.count(name, 'rejected');
            sendJson(response, 400, { error: 'bad_request', message: answer.message }, timing);
          }
        }, remainingMs);
        timers.add(timer);
      },
      () => response.destroy(),
    );
  };

  const server = createServer(handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(resolved.port, resolved.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closed: Promise<void> | undefined;
  return {
    url: `http://${host}:${address.port}`,
    stats,
    options: resolved,
    close: () => {
      closed ??= new Promise<void>((resolve) => {
        closing = true;
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}

/** `decodeURIComponent` that keeps malformed text as it is rather than throwing. */
function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
