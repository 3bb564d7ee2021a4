import { createDashboardServer, type DashboardServer } from '@overlap/dashboard';
import { Runner } from '@overlap/runner';
import { DEFAULT_DASHBOARD_HOST, DEFAULT_DASHBOARD_PORT, OverlapAttributes } from '@overlap/shared';
import { startTelemetry, type TelemetryHandle } from '@overlap/runner/telemetry';
import { examples, findExample } from '../catalog.js';
import type { Example } from '../Example.js';
import { createUpstream, type Upstream } from '../upstream/createUpstream.js';

/** Options of {@link startDemo}. */
export interface DemoOptions {
  /**
   * Interface the dashboard listens on.
   * @defaultValue '127.0.0.1'
   */
  host?: string;
  /**
   * Port of the dashboard.
   * @defaultValue 16700
   */
  port?: number;
  /** Token the dashboard requires, if any; needed to listen on a non-loopback host (or {@link insecure}). */
  token?: string;
  /** More host names the dashboard answers to (its `allowedHosts`). */
  allowedHosts?: string[];
  /** Web origins trusted like the dashboard's own page (its `allowedOrigins`). */
  allowedOrigins?: string[];
  /**
   * Listen on a non-loopback host without a token anyway (the dashboard's `insecure`; it warns).
   * @defaultValue false
   */
  insecure?: boolean;
  /** OTLP/HTTP URLs the dashboard forwards everything to (Jaeger...). */
  forward?: string[];
  /**
   * After one run of each example at start-up, run the next example every this many milliseconds;
   * 0 runs each once and then only what the page asks for.
   * @defaultValue 15000
   */
  intervalMs?: number;
  /**
   * Seed of the upstream's latencies and faults.
   * @defaultValue 1
   */
  seed?: number;
  /** Where progress lines go. */
  log?: (line: string) => void;
}

/** A running demo. */
export interface Demo {
  /** The dashboard's address, such as `http://127.0.0.1:16700/`. */
  readonly url: string;
  readonly dashboard: DashboardServer;
  readonly upstream: Upstream;
  readonly telemetry: TelemetryHandle;
  /** Stops the scheduled runs, cancels the one in progress, flushes the traces and closes everything. */
  stop(): Promise<void>;
}

/**
 * The one-command demo: the dashboard, the local upstream, and the examples running against it, their
 * traces sent to the dashboard exactly as an app would send them (OTLP/HTTP and the live channel). The
 * examples are offered on the dashboard's page, so a visitor can run one with other parameters.
 *
 * @example
 * ```ts
 * const demo = await startDemo({ port: 0 });
 * console.log(`open ${demo.url}`);
 * await demo.stop();
 * ```
 */
export async function startDemo(options: DemoOptions = {}): Promise<Demo> {
  const log = options.log ?? ((line: string) => console.log(line));
  const dashboard = createDashboardServer({
    host: options.host ?? DEFAULT_DASHBOARD_HOST,
    port: options.port ?? DEFAULT_DASHBOARD_PORT,
    ...(options.token ? { token: options.token } : {}),
    forward: options.forward ?? [],
    allowedHosts: options.allowedHosts ?? [],
    allowedOrigins: options.allowedOrigins ?? [],
    insecure: options.insecure ?? false,
    onWarning: (message) => log(`warning: ${message}`),
  });
  const { url } = await dashboard.listen();
  const upstream = await createUpstream({ seed: options.seed ?? 1 });
  const telemetry = await startTelemetry({
    serviceName: 'overlap-examples',
    dashboard: { url, ...(options.token ? { token: options.token } : {}) },
    flushOnExit: false,
    onWarning: (message) => log(`warning: ${message}`),
  });
  const runner = new Runner({ onWarning: (message) => log(`runner: ${message}`) });
  const stopping = new AbortController();

  // Runs go one at a time, in the order they were asked for, so each waterfall is easy to read.
  const queue: Array<{ example: Example; params: Record<string, number>; reason: string; requestId?: string }> = [];
  let running: Promise<void> | undefined;
  const pump = (): void => {
    if (running !== undefined || stopping.signal.aborted) return;
    const next = queue.shift();
    if (next === undefined) return;
    running = (async () => {
      const started = performance.now();
      try {
        const result = await next.example.run(
          {
            runner,
            upstreamUrl: upstream.url,
            signal: stopping.signal,
            ...(next.requestId ? { runAttributes: { [OverlapAttributes.REQUEST_ID]: next.requestId } } : {}),
          },
          next.params,
        );
        const failed = result.runs.filter((r) => r.error !== undefined).length;
        log(
          `${next.reason}: ${next.example.name} — ${result.runs.length} run(s)${failed ? `, ${failed} failed` : ''} in ${Math.round(performance.now() - started)} ms`,
        );
      } catch (error) {
        log(`${next.reason}: ${next.example.name} could not run: ${(error as Error).message}`);
      } finally {
        running = undefined;
        pump();
      }
    })();
  };
  /** Queues a run; runs asked for from the page go ahead of scheduled ones, so a visitor does not wait. */
  const enqueue = (example: Example, params: Record<string, number>, reason: string, fromPage?: { requestId: string | undefined }): void => {
    const run = { example, params, reason, ...(fromPage?.requestId ? { requestId: fromPage.requestId } : {}) };
    if (fromPage !== undefined) queue.unshift(run);
    else queue.push(run);
    pump();
  };

  telemetry.dashboard?.offerAgents(
    'overlap-examples',
    examples.map((e) => ({ name: e.name, title: e.title, description: e.description, parameters: e.parameters.map((p) => ({ ...p })), comparisons: [...e.comparisons] })),
    (name, params, request) => {
      const example = findExample(name);
      if (example !== undefined) enqueue(example, params, 'requested from the page', request);
    },
  );

  for (const example of examples) enqueue(example, {}, 'start-up');
  let nextIndex = 0;
  const intervalMs = options.intervalMs ?? 15_000;
  const timer =
    intervalMs > 0
      ? setInterval(() => {
          if (queue.length > 0 || running !== undefined) return;
          enqueue(examples[nextIndex % examples.length]!, {}, 'scheduled');
          nextIndex += 1;
        }, intervalMs)
      : undefined;
  timer?.unref();

  let stopped: Promise<void> | undefined;
  return {
    url,
    dashboard,
    upstream,
    telemetry,
    stop: () =>
      (stopped ??= (async () => {
        if (timer !== undefined) clearInterval(timer);
        queue.length = 0;
        stopping.abort(new Error('the demo is stopping'));
        await running?.catch(() => undefined);
        await telemetry.shutdown();
        await upstream.close();
        await dashboard.close();
      })()),
  };
}
