import { createServer } from 'node:http';
import type { Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { Express } from 'express';
import { Server as SocketServer } from 'socket.io';
import type { PageToServerEvents, ServerToPageEvents, TraceStoreStats } from '@overlap/shared';
import { resolveDashboardOptions } from './DashboardServerOptions.js';
import type { DashboardServerOptions, ResolvedDashboardServerOptions } from './DashboardServerOptions.js';
import { TraceSummaries } from './api/TraceSummaries.js';
import { exportRoutes } from './api/exportRoutes.js';
import { traceRoutes } from './api/traceRoutes.js';
import { requireHttpToken, requireSocketToken } from './auth/tokenAuth.js';
import { jsonErrorHandler, jsonNotFound, sendJsonError } from './http/jsonErrors.js';
import { pageRoutes } from './http/pageRoutes.js';
import { otlpHttpRouter } from './ingest/otlpHttp.js';
import type { OtlpIngestCounters } from './ingest/otlpHttp.js';
import { RpcCode, otlpEncodingOf, sendRpcStatus } from './ingest/rpcStatus.js';
import { attachLiveChannel } from './live/liveChannel.js';
import { runnersNamespace } from './live/DashboardIo.js';
import { QueuedCallRegistry } from './live/QueuedCallRegistry.js';
import type { DashboardIo } from './live/DashboardIo.js';
import { agentRoutes } from './api/agentRoutes.js';
import { forwardRoutes } from './api/forwardRoutes.js';
import { OtlpForwarder, type ForwardTargetStats } from './forward/OtlpForwarder.js';
import { RunnerRegistry } from './runners/RunnerRegistry.js';
import { TraceStore } from './store/TraceStore.js';

/** Where a started server listens. */
export interface DashboardAddress {
  host: string;
  port: number;
  /** `http://host:port/` (IPv6 hosts in brackets). */
  url: string;
}

/** Body of `GET /healthz`. */
export interface HealthResponse {
  status: 'ok';
  uptimeMs: number;
  store: TraceStoreStats;
  ingest: OtlpIngestCounters;
  /** One entry per `forward` target. */
  forward: ForwardTargetStats[];
  /** Runner processes connected to the live channel. */
  runners: number;
}

/** What {@link createDashboardServer} returns: the parts, not yet listening. */
export interface DashboardServer {
  /** The Express application (all HTTP routes). */
  readonly app: Express;
  /** The HTTP server that carries the app and socket.io. */
  readonly httpServer: HttpServer;
  /** The socket.io server: page clients on `/`, runners on `/runners`. */
  readonly io: DashboardIo;
  /** The trace store. */
  readonly store: TraceStore;
  /** Runner processes connected to `/runners` and the agents they offer. */
  readonly runners: RunnerRegistry;
  /** The calls runner processes have announced as waiting at a gate (shown live, never stored as spans). */
  readonly queuedCalls: QueuedCallRegistry;
  /** Forwarding to the `forward` targets. */
  readonly forwarder: OtlpForwarder;
  /** The options with defaults applied. */
  readonly options: ResolvedDashboardServerOptions;
  /** Starts listening on `options.host` and `options.port`. */
  listen(): Promise<DashboardAddress>;
  /** Stops listening, disconnects sockets, ends open connections and clears timers. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Builds the dashboard's server without starting it: OTLP/HTTP ingest at `POST /v1/traces`, the REST
 * API under `/api`, `GET /healthz`, the browser page at `/`, and the live socket.io channel, all on one
 * HTTP server and one {@link TraceStore}.
 *
 * @throws {@link InvalidOptionError} naming the first bad option.
 *
 * @example
 * ```ts
 * const server = createDashboardServer({ port: 0 });
 * const { url } = await server.listen();
 * console.log(`dashboard at ${url}`);
 * await server.close();
 * ```
 */
export function createDashboardServer(options: DashboardServerOptions = {}): DashboardServer {
  const resolved = resolveDashboardOptions(options);
  const maxBodyBytes = Math.floor(resolved.maxBodyMb * 1024 * 1024);
  const store = new TraceStore({ maxSpans: resolved.maxSpans, maxTraces: resolved.maxTraces });
  const summaries = new TraceSummaries(store);
  const counters: OtlpIngestCounters = { requests: 0, acceptedSpans: 0, rejectedSpans: 0, failedRequests: 0 };
  const startedAt = Date.now();
  const forwarder = new OtlpForwarder({ targets: resolved.forward, maxBufferedBytes: Math.floor(resolved.forwardBufferMb * 1024 * 1024) });

  const app = express();
  app.disable('x-powered-by');
  if (resolved.token !== undefined) {
    const requireToken = requireHttpToken(resolved.token, (req, res) => {
      const message = 'a valid token is required: Authorization: Bearer <token> or ?token=<token>';
      if (req.path === '/v1/traces') sendRpcStatus(res, otlpEncodingOf(req.headers['content-type']) ?? 'json', 401, RpcCode.UNAUTHENTICATED, message);
      else sendJsonError(res, 401, 'unauthorized', message);
    });
    // The page itself holds no data (it asks the API, with the token, for everything), so a browser can
    // load it and its scripts; every route that answers with data still needs the token.
    app.use((req, res, next) => (isPageFile(req.method, req.path) ? next() : requireToken(req, res, next)));
  }
  app.use(
    otlpHttpRouter(store, { maxBodyBytes, ...(forwarder.enabled ? { onIngest: (body, encoding) => forwarder.forward(body, encoding) } : {}) }, counters),
  );
  app.get('/healthz', (_req, res) => {
    const body: HealthResponse = {
      status: 'ok',
      uptimeMs: Date.now() - startedAt,
      store: store.stats(),
      ingest: { ...counters },
      forward: forwarder.stats(),
      runners: runners.list().length,
    };
    res.json(body);
  });
  app.use('/api', traceRoutes(store, summaries));
  app.use('/api', exportRoutes(store, { maxBodyBytes }));
  app.use('/api', forwardRoutes(store, forwarder));
  app.use('/api', agentRoutes({ list: () => runners.list(), requestRun: (request) => runners.requestRun(request, resolved.runRequestTimeoutMs) }));
  app.use(pageRoutes(resolved.pageDir));
  app.use(jsonNotFound);
  app.use(jsonErrorHandler);

  const httpServer = createServer(app);
  const io: DashboardIo = new SocketServer<PageToServerEvents, ServerToPageEvents>(httpServer, { serveClient: false, maxHttpBufferSize: maxBodyBytes });
  if (resolved.token !== undefined) {
    io.use(requireSocketToken(resolved.token));
    runnersNamespace(io).use(requireSocketToken(resolved.token));
  }
  const runners = new RunnerRegistry(runnersNamespace(io));
  const stopAgentEvents = runners.onChange(() => io.of('/').emit('agents', { runners: runners.list() }));
  const queuedCalls = new QueuedCallRegistry();
  const detachLive = attachLiveChannel(io, store, {
    queuedCalls,
    summarize: (traceId) => summaries.forLive(traceId),
    tracesIntervalMs: resolved.tracesIntervalMs,
    spansIntervalMs: resolved.spansIntervalMs,
  });

  let closing: Promise<void> | undefined;
  return {
    app,
    httpServer,
    io,
    store,
    runners,
    queuedCalls,
    forwarder,
    options: resolved,
    listen: () =>
      new Promise<DashboardAddress>((resolve, reject) => {
        const onError = (error: Error): void => reject(error);
        httpServer.once('error', onError);
        httpServer.listen(resolved.port, resolved.host, () => {
          httpServer.off('error', onError);
          const address = httpServer.address() as AddressInfo;
          const host = address.address.includes(':') ? `[${address.address}]` : address.address;
          resolve({ host: address.address, port: address.port, url: `http://${host}:${address.port}/` });
        });
      }),
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        detachLive();
        stopAgentEvents();
        forwarder.close();
        summaries.dispose();
        // io.close() disconnects every socket and closes the HTTP server; idle keep-alive connections are ended too.
        void io.close(() => resolve());
        httpServer.closeAllConnections();
        if (!httpServer.listening) resolve();
      });
      return closing;
    },
  };
}

/** `GET /` and the page's static assets. */
function isPageFile(method: string, path: string): boolean {
  return (method === 'GET' || method === 'HEAD') && (path === '/' || path.startsWith('/assets/'));
}
