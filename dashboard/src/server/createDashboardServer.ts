import { createServer } from 'node:http';
import type { Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { Express } from 'express';
import { Server as SocketServer } from 'socket.io';
import type { PageToServerEvents, ServerToPageEvents, TraceStoreStats } from '@overlap/shared';
import { isExposedWithoutToken, resolveDashboardOptions } from './DashboardServerOptions.js';
import type { DashboardServerOptions, ResolvedDashboardServerOptions } from './DashboardServerOptions.js';
import { TraceSummaries } from './api/TraceSummaries.js';
import { compareRoutes } from './api/compareRoutes.js';
import { exportRoutes } from './api/exportRoutes.js';
import { traceRoutes } from './api/traceRoutes.js';
import { requireHttpToken, requireSocketToken } from './auth/tokenAuth.js';
import { answerWrongMethods } from './http/answerWrongMethods.js';
import { jsonErrorHandler, jsonNotFound } from './http/jsonErrors.js';
import { isPageRequest, pageRoutes } from './http/pageRoutes.js';
import { sendRefusal } from './http/sendRefusal.js';
import { IngestQueue } from './ingest/IngestQueue.js';
import { otlpHttpRouter } from './ingest/otlpHttp.js';
import type { OtlpIngestCounters } from './ingest/otlpHttp.js';
import { answerCors } from './security/answerCors.js';
import { guardHost } from './security/guardHost.js';
import { guardOrigin } from './security/guardOrigin.js';
import { guardSocketHandshake } from './security/guardSocketHandshake.js';
import { attachLiveChannel } from './live/liveChannel.js';
import { runnersNamespace } from './live/DashboardIo.js';
import { QueuedCallRegistry } from './live/QueuedCallRegistry.js';
import type { DashboardIo } from './live/DashboardIo.js';
import { agentRoutes } from './api/agentRoutes.js';
import { forwardRoutes } from './api/forwardRoutes.js';
import { OtlpForwarder, type ForwardTargetStats } from './forward/OtlpForwarder.js';
import { RunnerRegistry } from './runners/RunnerRegistry.js';
import { MemoryTraceStore } from './store/MemoryTraceStore.js';
import { SqliteTraceStore } from './store/SqliteTraceStore.js';
import type { TraceStore } from './store/TraceStore.js';

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
  ingest: OtlpIngestCounters & {
    /** OTLP requests in progress now, and the bound past which more are refused with 503. */
    queued: number;
    maxQueued: number;
  };
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
  /** The trace store: a `MemoryTraceStore`, or a `SqliteTraceStore` with `db`. */
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
 * HTTP server and one {@link TraceStore} (in memory, or in the SQLite file `db`).
 *
 * Every request passes, in order: the Host allow-list (403 `host_not_allowed`), CORS for the origins
 * allowed to use it, the Origin check on state-changing requests (403 `origin_not_allowed`), the token
 * (401), then its route, whose wrong methods get 405 with `Allow`. Socket.io handshakes pass the same
 * Host and Origin checks, then the token. See the package README's "Security model".
 *
 * @throws {@link InvalidOptionError} naming the first bad option.
 * @throws {@link StoreOpenError}, {@link StoreCorruptError} or {@link StoreVersionError} when `db` cannot be used.
 * @throws {@link UnsafeExposureError} for a non-loopback `host` without `token` or `insecure`.
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
  const limits = { maxSpans: resolved.maxSpans, maxTraces: resolved.maxTraces, maxAgeMs: resolved.maxAgeMs, maxSpansPerTrace: resolved.maxSpansPerTrace };
  const store: TraceStore = resolved.db === undefined ? new MemoryTraceStore(limits) : new SqliteTraceStore({ path: resolved.db, ...limits });
  // Traces age out even when no span arrives.
  const evictExpired = (): void => {
    try {
      store.evictExpired();
    } catch (error) {
      // A failing store (a file whose disk is full) is reported by ingest too; the timer keeps the server up.
      console.error('overlap-dashboard: could not evict expired traces', error);
    }
  };
  const expiryTimer = resolved.maxAgeMs === Number.POSITIVE_INFINITY ? undefined : setInterval(evictExpired, expiryIntervalMs(resolved.maxAgeMs));
  expiryTimer?.unref();
  const summaries = new TraceSummaries(store);
  const counters: OtlpIngestCounters = { requests: 0, acceptedSpans: 0, rejectedSpans: 0, failedRequests: 0, overloadedRequests: 0 };
  const ingestQueue = new IngestQueue(resolved.maxIngestQueue);
  const startedAt = Date.now();
  const forwarder = new OtlpForwarder({ targets: resolved.forward, maxBufferedBytes: Math.floor(resolved.forwardBufferMb * 1024 * 1024) });

  const app = express();
  app.disable('x-powered-by');
  app.use(guardHost(resolved.hostAllowList));
  app.use(answerCors(resolved.originPolicy));
  app.use(guardOrigin(resolved.originPolicy));
  if (resolved.token !== undefined) {
    const requireToken = requireHttpToken(resolved.token, (req, res) => {
      sendRefusal(req, res, 401, 'unauthorized', 'a valid token is required: Authorization: Bearer <token> or ?token=<token>');
    });
    // The page itself holds no data (it asks the API, with the token, for everything), so a browser can
    // load it and its scripts; every route that answers with data still needs the token.
    app.use((req, res, next) => (isPageRequest(req.method, req.path) ? next() : requireToken(req, res, next)));
  }
  app.use(
    answerWrongMethods(
      otlpHttpRouter(store, { maxBodyBytes, queue: ingestQueue, ...(forwarder.enabled ? { onIngest: (body, encoding) => forwarder.forward(body, encoding) } : {}) }, counters),
    ),
  );
  const health = express.Router();
  health.get('/healthz', (_req, res) => {
    const body: HealthResponse = {
      status: 'ok',
      uptimeMs: Date.now() - startedAt,
      store: store.stats(),
      ingest: { ...counters, queued: ingestQueue.queued, maxQueued: ingestQueue.maxQueued },
      forward: forwarder.stats(),
      runners: runners.list().length,
    };
    res.json(body);
  });
  app.use(answerWrongMethods(health));
  app.use('/api', answerWrongMethods(traceRoutes(store, summaries)));
  app.use('/api', answerWrongMethods(compareRoutes(store)));
  app.use('/api', answerWrongMethods(exportRoutes(store, { maxBodyBytes })));
  app.use('/api', answerWrongMethods(forwardRoutes(store, forwarder)));
  app.use('/api', answerWrongMethods(agentRoutes({ list: () => runners.list(), requestRun: (request) => runners.requestRun(request, resolved.runRequestTimeoutMs) })));
  app.use(answerWrongMethods(pageRoutes(resolved.pageDir)));
  app.use(jsonNotFound);
  app.use(jsonErrorHandler);

  const httpServer = createServer(app);
  const allowedOrigins = resolved.originPolicy.allowedOrigins;
  const io: DashboardIo = new SocketServer<PageToServerEvents, ServerToPageEvents>(httpServer, {
    serveClient: false,
    maxHttpBufferSize: maxBodyBytes,
    allowRequest: guardSocketHandshake(resolved.hostAllowList, resolved.originPolicy),
    // Long polling from a trusted origin other than the page's own needs CORS answers; no other origin gets them.
    ...(allowedOrigins.length > 0 ? { cors: { origin: allowedOrigins } } : {}),
  });
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
          if (isExposedWithoutToken(resolved)) {
            resolved.onWarning(
              `listening on ${resolved.host} without a token (insecure): every machine that can reach this port can read every trace and run agents; set a token (--token) unless this network is trusted`,
            );
          }
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
        if (expiryTimer !== undefined) clearInterval(expiryTimer);
        const closeStore = (): void => {
          store.close();
          resolve();
        };
        // io.close() disconnects every socket and closes the HTTP server; idle keep-alive connections are ended too.
        void io.close(() => closeStore());
        httpServer.closeAllConnections();
        if (!httpServer.listening) closeStore();
      });
      return closing;
    },
  };
}

/** How often traces past `maxAgeMs` are looked for: a tenth of the age, between 1 s and 1 min. */
function expiryIntervalMs(maxAgeMs: number): number {
  return Math.min(60_000, Math.max(1_000, maxAgeMs / 10));
}

