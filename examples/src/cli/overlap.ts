#!/usr/bin/env node
/**
 * The `overlap` command line: run the example agents, start the demo, move traces in and out of the
 * dashboard, and compare two runs. Exit codes: 0 done, 1 the work failed, 2 bad flags or arguments.
 *
 * @packageDocumentation
 */
import { isUnsafeExposureError } from '@overlap/dashboard';
import { DEFAULT_DASHBOARD_HOST, DEFAULT_DASHBOARD_PORT, isInvalidOptionError } from '@overlap/shared';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { examples } from '../catalog.js';
import { startDemo } from '../demo/startDemo.js';
import { createUpstream } from '../upstream/createUpstream.js';
import { OPENAI_MODELS } from '../upstream/openai/openAiModels.js';
import { UPSTREAM_PROFILES, upstreamProfile, type UpstreamProfile } from '../upstream/upstreamProfiles.js';
import { compareCommand } from './compareCommand.js';
import { defaultDashboardUrl } from './DashboardClient.js';
import { exportCommand } from './exportCommand.js';
import { formatTable } from './formatTable.js';
import { importCommand } from './importCommand.js';
import { runCommand } from './runCommand.js';
import { ExitCode, UsageError } from './UsageError.js';

function integer(min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^-?\d+$/.test(value.trim()) || n < min || n > max) {
      throw new InvalidArgumentError(`expected an integer from ${min}${max === Number.MAX_SAFE_INTEGER ? ' up' : ` to ${max}`}.`);
    }
    return n;
  };
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** A repeatable flag whose values may also be comma-separated (as its environment variable is). */
function collectList(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), ...value.split(',').map((v) => v.trim()).filter(Boolean)];
}

const out = (line: string): void => void process.stdout.write(`${line}\n`);
const err = (line: string): void => void process.stderr.write(`${line}\n`);

function dashboardOptions(command: Command): Command {
  return command
    .addOption(new Option('--dashboard <url>', 'the dashboard to talk to').env('OVERLAP_DASHBOARD_URL').default(defaultDashboardUrl({})))
    .addOption(new Option('--token <token>', "the dashboard's access token").env('OVERLAP_DASHBOARD_TOKEN'));
}

/** Builds the program; `exit` receives the exit code of an action. */
export function buildProgram(exit: (code: number) => void): Command {
  const program = new Command('overlap')
    .description('Run Overlap\'s example agents, start the demo, and move traces in and out of the dashboard.')
    .showHelpAfterError('(add --help for usage)')
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(text) });

  program
    .command('list')
    .description('list the examples and their parameters')
    .action(() => {
      const rows = examples.map((e) => [
        e.name,
        e.title,
        e.parameters.map((p) => `--${p.name === 'timeoutMs' ? 'timeout' : p.name} ${p.default} (${p.min}-${p.max})`).join('  ') || '-',
      ]);
      out(formatTable([{ heading: 'example' }, { heading: 'what it shows' }, { heading: 'parameters (default, range)' }], rows));
      exit(ExitCode.OK);
    });

  dashboardOptions(
    program
      .command('run')
      .description('run an example and print a summary: wall time, call time, what concurrency saved, per-tool latency')
      .argument('<example>', `one of: ${examples.map((e) => e.name).join(', ')}`)
      .addOption(new Option('--limit <n>', 'concurrency limit (examples with a semaphore)').argParser(integer(1)))
      .addOption(new Option('--timeout <ms>', 'tool timeout in milliseconds (examples with timeouts)').argParser(integer(1)))
      .addOption(new Option('--count <n>', 'how many tasks (burst)').argParser(integer(1)))
      .addOption(new Option('--repeat <k>', 'run the example k times').argParser(integer(1, 1000)).default(1))
      .addOption(new Option('--upstream <url>', 'use this upstream instead of starting one'))
      .addOption(new Option('--redis <url>', 'share the example\'s gates across processes through this Redis (redis://...)'))
      .addOption(new Option('--seed <n>', "seed of the local upstream's latencies and faults").argParser(integer(0)).default(1))
      .option('--no-dashboard', 'do not send traces to a dashboard'),
  ).action(async (name: string, flags: Record<string, unknown>, command: Command) => {
    const controller = new AbortController();
    const onSigint = (): void => controller.abort(new Error('interrupted'));
    process.once('SIGINT', onSigint);
    const dashboardGiven = command.getOptionValueSource('dashboard') !== 'default';
    try {
      const code = await runCommand(
        name,
        {
          ...(flags.limit !== undefined ? { limit: flags.limit as number } : {}),
          ...(flags.timeout !== undefined ? { timeout: flags.timeout as number } : {}),
          ...(flags.count !== undefined ? { count: flags.count as number } : {}),
          repeat: flags.repeat as number,
          ...(dashboardGiven ? { dashboard: flags.dashboard as string } : {}),
          defaultDashboard: typeof flags.dashboard === 'string' ? flags.dashboard : defaultDashboardUrl(),
          useDashboard: flags.dashboard !== false,
          ...(flags.token ? { token: flags.token as string } : {}),
          ...(flags.upstream ? { upstream: flags.upstream as string } : {}),
          ...(flags.redis ? { redis: flags.redis as string } : {}),
          seed: flags.seed as number,
        },
        { out, err, progress: process.stderr, signal: controller.signal },
      );
      exit(code);
    } finally {
      process.removeListener('SIGINT', onSigint);
    }
  });

  program
    .command('demo')
    .description('start the dashboard and the local upstream, and keep the examples running against them')
    .addOption(new Option('--host <host>', 'interface the dashboard listens on').env('OVERLAP_DASHBOARD_HOST').default(DEFAULT_DASHBOARD_HOST))
    .addOption(new Option('--port <port>', 'port of the dashboard').env('OVERLAP_DASHBOARD_PORT').argParser(integer(0, 65535)).default(DEFAULT_DASHBOARD_PORT))
    .addOption(new Option('--token <token>', 'require this token on the dashboard').env('OVERLAP_DASHBOARD_TOKEN'))
    .addOption(new Option('--allowed-hosts <names>', 'more host names the dashboard answers to (comma-separated or repeatable)').env('OVERLAP_DASHBOARD_ALLOWED_HOSTS').argParser(collectList))
    .addOption(new Option('--allowed-origins <origins>', "web origins trusted like the dashboard's own page (comma-separated or repeatable)").env('OVERLAP_DASHBOARD_ALLOWED_ORIGINS').argParser(collectList))
    .addOption(new Option('--insecure', 'let the dashboard listen on a non-loopback --host without a token (it warns)'))
    .addOption(new Option('--forward <url>', 'forward every trace to this OTLP/HTTP URL too, such as Jaeger\'s (repeatable)').argParser(collect))
    .addOption(new Option('--interval <seconds>', 'run the next example every this many seconds (0: only at start-up and on request)').argParser(integer(0)).default(15))
    .addOption(new Option('--seed <n>', "seed of the upstream's latencies and faults").argParser(integer(0)).default(1))
    .action(async (flags: { host: string; port: number; token?: string; forward?: string[]; allowedHosts?: string[]; allowedOrigins?: string[]; insecure?: boolean; interval: number; seed: number }) => {
      let demo: Awaited<ReturnType<typeof startDemo>>;
      try {
        demo = await startDemo({
          host: flags.host,
          port: flags.port,
          intervalMs: flags.interval * 1000,
          seed: flags.seed,
          forward: flags.forward ?? [],
          allowedHosts: flags.allowedHosts ?? [],
          allowedOrigins: flags.allowedOrigins ?? [],
          insecure: flags.insecure === true,
          ...(flags.token ? { token: flags.token } : {}),
        });
      } catch (error) {
        if (isUnsafeExposureError(error) || isInvalidOptionError(error)) throw new UsageError(error.message);
        throw error;
      }
      // The token itself is never printed: terminal scroll-back and logs outlive it.
      out(`Overlap demo: open ${demo.url}${flags.token ? '?token=<your token>' : ''}`);
      out(`  OTLP/HTTP traces: ${demo.url}v1/traces · upstream: ${demo.upstream.url}`);
      out('  the examples run now; press Ctrl+C to stop');
      let stopping = false;
      const stop = (signal: NodeJS.Signals): void => {
        if (stopping) process.exit(ExitCode.FAILURE);
        stopping = true;
        out(`${signal}: stopping`);
        demo.stop().then(
          () => exit(ExitCode.OK),
          (error: unknown) => {
            err(`error while stopping: ${(error as Error).message}`);
            exit(ExitCode.FAILURE);
          },
        );
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });

  program
    .command('upstream')
    .description('start the local upstream alone: the example APIs and an OpenAI-compatible API at /v1, to load-test your own agent offline')
    .addOption(new Option('--host <host>', 'interface to listen on').default('127.0.0.1'))
    .addOption(new Option('--port <port>', 'port to listen on (0: any free port)').argParser(integer(0, 65535)).default(16701))
    .addOption(new Option('--profile <profile>', 'fast (no waits, no faults), realistic (the demo\'s) or overloaded (slow, tight limits, failures)').choices(UPSTREAM_PROFILES).default('realistic'))
    .addOption(new Option('--seed <n>', 'seed of the latencies and faults').argParser(integer(0)).default(1))
    .action(async (flags: { host: string; port: number; profile: UpstreamProfile; seed: number }) => {
      const upstream = await createUpstream({ host: flags.host, port: flags.port, seed: flags.seed, endpoints: upstreamProfile(flags.profile) });
      out(`Overlap upstream (${flags.profile} profile) at ${upstream.url}`);
      out(`  OpenAI-compatible API: ${upstream.url}/v1 (models ${Object.keys(OPENAI_MODELS).join(', ')}; any API key)`);
      out('  press Ctrl+C to stop');
      const stop = (signal: NodeJS.Signals): void => {
        out(`${signal}: stopping`);
        for (const [name, stats] of Object.entries(upstream.stats.snapshot())) {
          if (stats.requests > 0) {
            out(`  ${name}: ${stats.requests} requests, ${stats.answered} answered, ${stats.rateLimited} rate limited, ${stats.failed} failed, ${stats.hung} hung`);
          }
        }
        upstream.close().then(() => exit(ExitCode.OK));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });

  dashboardOptions(
    program
      .command('export')
      .description('download traces from the dashboard as a file')
      .addOption(new Option('--trace <id>', 'a trace id (repeatable)').argParser(collect))
      .addOption(new Option('--since <when>', 'every trace since a time: 10m, 2h, 1d, or a date'))
      .addOption(new Option('--format <format>', 'jaeger (Jaeger UI "JSON File"), otlp (OTLP/JSON) or jsonl').choices(['jaeger', 'otlp', 'jsonl']).makeOptionMandatory())
      .requiredOption('-o, --output <file>', 'file to write, or - for standard output'),
  ).action(async (flags: { trace?: string[]; since?: string; format: 'jaeger' | 'otlp' | 'jsonl'; output: string; dashboard: string; token?: string }) => {
    await exportCommand(
      {
        trace: flags.trace ?? [],
        format: flags.format,
        output: flags.output,
        dashboard: flags.dashboard,
        ...(flags.since !== undefined ? { since: flags.since } : {}),
        ...(flags.token ? { token: flags.token } : {}),
      },
      out,
    );
    exit(ExitCode.OK);
  });

  dashboardOptions(
    program
      .command('import')
      .description('send a trace file (Jaeger JSON, OTLP/JSON or JSON Lines) to the dashboard')
      .argument('<file>', 'the file to import'),
  ).action(async (file: string, flags: { dashboard: string; token?: string }) => {
    await importCommand(file, { dashboard: flags.dashboard, ...(flags.token ? { token: flags.token } : {}) }, out);
    exit(ExitCode.OK);
  });

  dashboardOptions(
    program
      .command('compare')
      .description("two runs side by side: wall time, sum of calls, concurrency saved, queue time, retries, timeouts, critical path and per-tool p50/p95, with B's difference from A")
      .argument('<a>', 'trace id of run A, the baseline')
      .argument('<b>', 'trace id of run B')
      .option('--json', "print the dashboard's GET /api/compare body instead of the table"),
  ).action(async (a: string, b: string, flags: { dashboard: string; token?: string; json?: boolean }) => {
    await compareCommand(a, b, { dashboard: flags.dashboard, ...(flags.token ? { token: flags.token } : {}), ...(flags.json ? { json: true } : {}) }, out);
    exit(ExitCode.OK);
  });

  return program;
}

async function main(): Promise<void> {
  const program = buildProgram((code) => {
    process.exitCode = code;
  });
  try {
    await program.parseAsync(process.argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      process.exit(error.exitCode === 0 ? ExitCode.OK : ExitCode.USAGE);
    }
    if (error instanceof UsageError) {
      err(`overlap: ${error.message}`);
      process.exit(ExitCode.USAGE);
    }
    err(`overlap: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(ExitCode.FAILURE);
  }
}

await main();
