import type {
  PageToServerEvents,
  RunnerToServerEvents,
  ServerToPageEvents,
  ServerToRunnerEvents,
} from '@overlap/shared';
import { RUNNERS_NAMESPACE } from '@overlap/shared';
import type { Namespace, Server, Socket } from 'socket.io';

/** The dashboard's socket.io server, typed by the live channel's events in `@overlap/shared`: pages on `/`. */
export type DashboardIo = Server<PageToServerEvents, ServerToPageEvents>;

/** The default namespace, where pages connect. */
export type PagesNamespace = Namespace<PageToServerEvents, ServerToPageEvents>;

/** A page's connection. */
export type PageSocket = Socket<PageToServerEvents, ServerToPageEvents>;

/** A runner process's connection. */
export type RunnerSocket = Socket<RunnerToServerEvents, ServerToRunnerEvents>;

/** The namespace runner processes connect to, typed by the runners' events in `@overlap/shared`. */
export type RunnersNamespace = Namespace<RunnerToServerEvents, ServerToRunnerEvents>;

/**
 * The runners namespace of the dashboard's server, with the runners' event types. socket.io types every
 * namespace of a server with the server's own events (the pages'), so the runners' are applied here, once.
 *
 * @example
 * ```ts
 * runnersNamespace(io).on('connection', (socket) => socket.on('register', (registration, ack) => ...));
 * ```
 */
export function runnersNamespace(io: DashboardIo): RunnersNamespace {
  return io.of(RUNNERS_NAMESPACE) as unknown as RunnersNamespace;
}
