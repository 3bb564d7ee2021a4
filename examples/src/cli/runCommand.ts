import { Runner, type Gate } from '@overlap/runner';
import { startTelemetry, type TelemetryHandle } from '@overlap/runner/telemetry';
import { findExample, examples } from '../catalog.js';
import type { ExampleEnvironment, ExampleParameterName } from '../Example.js';
import { isExampleParameterError } from '../ExampleParameterError.js';
import { resolveParameters } from '../resolveParameters.js';
import { createUpstream, type Upstream } from '../upstream/createUpstream.js';
import { DashboardClient } from './DashboardClient.js';
import { ProgressLine } from './ProgressLine.js';
import { runSummary, type RecordedRun } from './runSummary.js';
import { SpanRecorder } from './SpanRecorder.js';
import { UsageError } from './UsageError.js';

/** Flags of `overlap run`. */
export interface RunFlags {
  limit?: number;
  timeout?: number;
  count?: number;
  repeat: number;
  /** Dashboard to send traces to; when not given, the default address is used if a dashboard answers there. */
  dashboard?: string;
  /** `--no-dashboard`: send no traces anywhere. */
  useDashboard: boolean;
  defaultDashboard: string;
  token?: string;
  upstream?: string;
  redis?: string;
  seed: number;
}

/** Where `overlap run` writes. */
export interface RunOutput {
  out: (line: string) => void;
  err: (line: string) => void;
  progress: NodeJS.WriteStream;
  /** Aborted on SIGINT: the run in progress stops and the summary covers what ran. */
  signal?: AbortSignal;
}

/**
 * `overlap run <example>`: runs an example `--repeat` times against a local upstream (started here
 * unless `--upstream` is given), shows progress, sends the traces to the dashboard when one is there,
 * and ends with the summary tables. Resolves to the exit code: 0 when every agent run succeeded.
 */
export async function runCommand(name: string, flags: RunFlags, io: RunOutput): Promise<number> {
  const example = findExample(name);
  if (example === undefined) {
    throw new UsageError(`unknown example "${name}"; the examples are: ${examples.map((e) => e.name).join(', ')}`);
  }
  const given: Partial<Record<ExampleParameterName, number>> = {};
  if (flags.limit !== undefined) given.limit = flags.limit;
  if (flags.timeout !== undefined) given.timeoutMs = flags.timeout;
  if (flags.count !== undefined) given.count = flags.count;
  let params: Record<string, number>;
  try {
    params = resolveParameters(example.name, example.parameters, given);
  } catch (error) {
    if (!isExampleParameterError(error)) throw error;
    const flag = { limit: '--limit', timeoutMs: '--timeout', count: '--count' }[error.parameter as ExampleParameterName] ?? error.parameter;
    const takes = example.parameters.map((p) => ({ limit: '--limit', timeoutMs: '--timeout', count: '--count' })[p.name]).join(', ') || 'no flags';
    throw new UsageError(
      example.parameters.some((p) => p.name === error.parameter)
        ? `${flag}: expected ${error.expected}, received ${JSON.stringify(error.received)}`
        : `${flag} does not apply to "${example.name}" (it takes ${takes})`,
    );
  }

  // Where traces go: the dashboard named by --dashboard (it must answer), else the default one if it is up.
  let dashboardUrl: string | undefined;
  if (flags.useDashboard) {
    const candidate = flags.dashboard ?? flags.defaultDashboard;
    const reachable = await new DashboardClient(candidate, flags.token).reachable();
    if (reachable) dashboardUrl = candidate;
    else if (flags.dashboard !== undefined) {
      io.err(`no dashboard answers at ${flags.dashboard}; start one with "npm run dashboard" in the Overlap repository (or "overlap demo"), or run with --no-dashboard`);
      return 1;
    }
  }

  const recorder = new SpanRecorder();
  let telemetry: TelemetryHandle | undefined;
  let upstream: Upstream | undefined;
  let closeGates: (() => Promise<void>) | undefined;
  try {
    telemetry = await startTelemetry({
      serviceName: 'overlap-cli',
      ...(dashboardUrl ? { dashboard: { url: dashboardUrl, ...(flags.token ? { token: flags.token } : {}) } } : {}),
      spanProcessors: [recorder],
      flushOnExit: false,
      onWarning: (message) => io.err(`warning: ${message}`),
    });
    const upstreamUrl = flags.upstream ?? (upstream = await createUpstream({ seed: flags.seed })).url;
    const env: { -readonly [K in keyof ExampleEnvironment]: ExampleEnvironment[K] } = { runner: new Runner(), upstreamUrl };
    if (io.signal) env.signal = io.signal;
    if (flags.redis !== undefined) {
      const { createSharedGates } = await import('@overlap/runner/redis');
      const gates = createSharedGates({ url: flags.redis });
      closeGates = () => gates.close();
      // One gate object per name for the whole command: examples ask for their gates on every run.
      const made = new Map<string, Gate>();
      const once = (key: string, make: () => Gate): Gate => {
        let gate = made.get(key);
        if (gate === undefined) made.set(key, (gate = make()));
        return gate;
      };
      env.semaphore = (gateName: string, permits: number): Gate =>
        once(`s:${gateName}:${permits}`, () => gates.semaphore(gateName, { permits, onRedisDown: 'fail-closed' }));
      env.rateLimiter = (gateName: string, limit: number, intervalMs: number): Gate =>
        once(`r:${gateName}:${limit}:${intervalMs}`, () => gates.rateLimiter(gateName, { limit, intervalMs, onRedisDown: 'fail-closed' }));
    }

    const shown = Object.entries(params).map(([k, v]) => `${k} ${v}`).join(' · ');
    io.out(`${example.name}: ${example.title}${shown ? ` (${shown})` : ''}, ${flags.repeat} time(s)`);
    io.out(dashboardUrl ? `traces → ${dashboardUrl}` : `traces are not sent anywhere (no dashboard at ${flags.defaultDashboard})`);
    const started = performance.now();
    let repeat = 0;
    const progress = new ProgressLine(io.progress, () => {
      const running = recorder.callsStarted - recorder.callsEnded;
      return `run ${repeat}/${flags.repeat} · calls ${recorder.callsEnded} done, ${running} running · ${((performance.now() - started) / 1000).toFixed(1)} s`;
    });
    progress.start();
    const runs: RecordedRun[] = [];
    const failures: string[] = [];
    try {
      for (repeat = 1; repeat <= flags.repeat && !io.signal?.aborted; repeat += 1) {
        const result = await example.run(env, params);
        for (const run of result.runs) {
          runs.push({ label: run.label ? `${run.agent} (${run.label})` : run.agent, traceId: run.traceId ?? '', error: run.error });
          if (run.error !== undefined) failures.push(`${run.agent} (${run.label}): ${run.error instanceof Error ? run.error.message : String(run.error)}`);
        }
      }
      repeat = Math.min(repeat, flags.repeat);
    } finally {
      progress.stop();
    }
    await telemetry.forceFlush();
    io.out('');
    io.out(runSummary(runs, recorder.spans));
    if (dashboardUrl !== undefined) {
      const last = runs.at(-1)?.traceId;
      io.out('');
      io.out(`open ${dashboardUrl.replace(/\/?$/, '/')}${last ? `#trace=${last}` : ''} to see the waterfalls`);
    }
    for (const failure of failures) io.err(`failed: ${failure}`);
    if (io.signal?.aborted) io.err('stopped by SIGINT');
    return failures.length === 0 && !io.signal?.aborted ? 0 : 1;
  } finally {
    await closeGates?.();
    await upstream?.close();
    await telemetry?.shutdown();
  }
}
