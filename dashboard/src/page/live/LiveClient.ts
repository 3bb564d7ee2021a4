import type { AgentsResponse, PageToServerEvents, ServerToPageEvents, SpansEvent, TraceSpansEvent, TracesEvent, WatchAck } from '@overlap/shared';
import { io } from 'socket.io-client';
import type { Socket } from 'socket.io-client';
import type { PageConfig } from '../api/pageConfig.js';

/** What {@link LiveClient} reports. */
export interface LiveClientHandlers {
  onTraces(event: TracesEvent): void;
  onSpans(event: SpansEvent): void;
  /** The spans of a trace watched with `firstRows`, in compact form. */
  onTraceSpans?(event: TraceSpansEvent): void;
  /** A runner registered or left: every connected runner and the agents it offers. */
  onAgents?(event: AgentsResponse): void;
  /** Connected (again): the page should reload what it shows and watch its trace again. */
  onConnect(): void;
  /** Lost the connection, or could not connect (the reason, such as `unauthorized: ...`). */
  onDisconnect(reason: string): void;
}

/**
 * The page's socket.io connection to the server's default namespace, typed by the live channel's
 * events in `@overlap/shared` (`ServerToPageEvents`, `PageToServerEvents`; see the dashboard README):
 * `traces` summaries as traces change, `watch`/`unwatch` of one trace and its `spans` as they change,
 * and `agents` when a runner process registers or leaves.
 * Sends the page's token as `auth: { token }`; reconnects on its own.
 *
 * @example
 * ```ts
 * const live = new LiveClient(config, { onTraces, onSpans, onConnect, onDisconnect });
 * const ack = await live.watch(traceId);
 * ```
 */
export class LiveClient {
  private readonly socket: Socket<ServerToPageEvents, PageToServerEvents>;

  constructor(config: PageConfig, handlers: LiveClientHandlers) {
    this.socket = io(config.baseUrl.origin, {
      auth: config.token === undefined ? {} : { token: config.token },
      // WebSocket first: a 50,000-span trace is one large message. Long polling stays as a fallback.
      transports: ['websocket', 'polling'],
      tryAllTransports: true,
    });
    this.socket.on('traces', (event) => handlers.onTraces(event));
    this.socket.on('spans', (event) => handlers.onSpans(event));
    this.socket.on('trace-spans', (event) => handlers.onTraceSpans?.(event));
    this.socket.on('agents', (event) => handlers.onAgents?.(event));
    this.socket.on('connect', () => handlers.onConnect());
    this.socket.on('disconnect', (reason: string) => handlers.onDisconnect(reason));
    this.socket.on('connect_error', (error: Error) => handlers.onDisconnect(error.message));
  }

  /** Whether the socket is connected. */
  get connected(): boolean {
    return this.socket.connected;
  }

  /**
   * Starts watching a trace; resolves with its spans so far, or, with `firstRows` and a larger trace, its
   * first rows, the spans following in a `trace-spans` event with `watchId` (see `WatchRequest`).
   */
  watch(traceId: string, options: { firstRows?: number; watchId?: number } = {}): Promise<WatchAck> {
    return new Promise((resolve) => this.socket.emit('watch', { traceId, ...options }, (ack) => resolve(ack)));
  }

  /** Stops watching a trace. */
  unwatch(traceId: string): void {
    this.socket.emit('unwatch', { traceId });
  }

  /** Closes the connection. */
  close(): void {
    this.socket.close();
  }
}
