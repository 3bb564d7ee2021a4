#!/usr/bin/env node
/**
 * `overlap-dashboard`: starts the dashboard server from the command line.
 *
 * Exit codes: 0 after a clean stop (SIGINT, SIGTERM) or `--help`; 1 when the server cannot start (port in
 * use...); 2 for bad flags or option values.
 *
 * @packageDocumentation
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { DEFAULT_HOST, DEFAULT_MAX_BODY_MB, DEFAULT_PORT } from './DashboardServerOptions.js';
import { createDashboardServer } from './createDashboardServer.js';
import type { DashboardServer } from './createDashboardServer.js';
import { describeValue, isInvalidOptionError } from '@overlap/shared';
import { isUnsafeExposureError } from './errors/UnsafeExposureError.js';
import { DEFAULT_MAX_INGEST_QUEUE } from './ingest/IngestQueue.js';
import { parseRetention } from './retentionFlag.js';
import type { Retention } from './retentionFlag.js';
import { isStoreCorruptError } from './store/errors/StoreCorruptError.js';
import { isStoreOpenError } from './store/errors/StoreOpenError.js';
import { isStoreVersionError } from './store/errors/StoreVersionError.js';
import { DEFAULT_MAX_SPANS, DEFAULT_MAX_SPANS_PER_TRACE, DEFAULT_MAX_TRACES } from './store/traceStoreLimits.js';

const EXIT_USAGE = 2;
const FLAG_OF_OPTION: Record<string, string> = {
  host: '--host',
  port: '--port',
  db: '--db',
  maxSpans: '--max-spans',
  maxTraces: '--max-traces',
  maxAgeMs: '--retention',
  maxSpansPerTrace: '--max-spans-per-trace',
  maxBodyMb: '--max-body-mb',
  maxIngestQueue: '--max-ingest-queue',
  token: '--token',
  forward: '--forward',
  allowedHosts: '--allowed-hosts',
  allowedOrigins: '--allowed-origins',
  corsOrigins: '--cors-origins',
};

/** A repeatable flag whose values may also be comma-separated (as its environment variable is). */
function list(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), ...value.split(',').map((v) => v.trim()).filter(Boolean)];
}

function integer(value: string): number {
  if (!/^\d+$/.test(value.trim())) throw new InvalidArgumentError('expected a non-negative integer.');
  return Number(value);
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a number > 0.');
  return n;
}

function retention(value: string): Retention {
  try {
    return parseRetention(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

function buildProgram(): Command {
  return new Command('overlap-dashboard')
    .description('Live waterfall charts of OpenTelemetry traces: OTLP/HTTP ingest at /v1/traces, a REST API under /api, the page at /.')
    .addOption(new Option('--host <host>', 'interface to listen on').env('OVERLAP_DASHBOARD_HOST').default(DEFAULT_HOST))
    .addOption(new Option('--port <port>', 'TCP port (0 picks a free one)').env('OVERLAP_DASHBOARD_PORT').default(DEFAULT_PORT).argParser(integer))
    .addOption(new Option('--db <file>', 'keep every span in this SQLite file (WAL mode), so traces survive a restart (default: in memory only)').env('OVERLAP_DASHBOARD_DB'))
    .addOption(
      new Option('--retention <bound>', 'evict the least recently active traces past a count and/or an age: 10000, 7d, 10000,7d (default: none with --db)')
        .env('OVERLAP_DASHBOARD_RETENTION')
        .argParser(retention),
    )
    .addOption(new Option('--max-spans <count>', `most spans kept (default: ${DEFAULT_MAX_SPANS} in memory, unbounded with --db)`).argParser(integer))
    .addOption(new Option('--max-traces <count>', `most traces kept (default: ${DEFAULT_MAX_TRACES} in memory, unbounded with --db)`).argParser(integer))
    .addOption(new Option('--max-spans-per-trace <count>', "most spans kept in one trace; the trace's spans past it are dropped and counted").default(DEFAULT_MAX_SPANS_PER_TRACE).argParser(integer))
    .addOption(new Option('--max-ingest-queue <count>', 'most OTLP requests in progress at once; past it, 503 with Retry-After').default(DEFAULT_MAX_INGEST_QUEUE).argParser(integer))
    .addOption(new Option('--max-body-mb <mib>', 'largest request body, received or inflated, in MiB').default(DEFAULT_MAX_BODY_MB).argParser(positiveNumber))
    .addOption(
      new Option('--forward <url>', 'also send everything ingested to this OTLP/HTTP traces URL, such as Jaeger\'s (repeatable)')
        .env('OVERLAP_DASHBOARD_FORWARD')
        .argParser(list),
    )
    .addOption(new Option('--token <token>', 'require this token on every route and socket (Authorization: Bearer, ?token=, socket auth.token)').env('OVERLAP_DASHBOARD_TOKEN'))
    .addOption(
      new Option('--allowed-hosts <names>', 'more host names to answer to, besides localhost, 127.0.0.1, [::1] and --host (.example.com: it and its subdomains; repeatable)')
        .env('OVERLAP_DASHBOARD_ALLOWED_HOSTS')
        .argParser(list),
    )
    .addOption(
      new Option('--allowed-origins <origins>', "web origins trusted like the dashboard's own page: they may run agents, import, forward and open the live channel (repeatable)")
        .env('OVERLAP_DASHBOARD_ALLOWED_ORIGINS')
        .argParser(list),
    )
    .addOption(
      new Option('--cors-origins <origins>', 'web origins whose pages may send spans to /v1/traces (CORS pre-flights answered; repeatable)')
        .env('OVERLAP_DASHBOARD_CORS_ORIGINS')
        .argParser(list),
    )
    .addOption(new Option('--insecure', 'listen on a non-loopback --host without a token anyway (warns on every start)'))
    .helpOption('-h, --help', 'show this help')
    .showHelpAfterError('(run overlap-dashboard --help for usage)')
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(text) });
}

async function main(argv: readonly string[]): Promise<void> {
  const program = buildProgram();
  try {
    program.parse(argv as string[]);
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here with exit code 0; every parse error is a usage error.
      process.exit(error.exitCode === 0 ? 0 : EXIT_USAGE);
    }
    throw error;
  }
  const flags = program.opts<{
    host: string;
    port: number;
    db?: string;
    retention?: Retention;
    maxSpans?: number;
    maxTraces?: number;
    maxSpansPerTrace: number;
    maxBodyMb: number;
    maxIngestQueue: number;
    token?: string;
    forward?: string[];
    allowedHosts?: string[];
    allowedOrigins?: string[];
    corsOrigins?: string[];
    insecure?: boolean;
  }>();
  if (flags.retention?.maxTraces !== undefined && flags.maxTraces !== undefined) {
    process.stderr.write('overlap-dashboard: give a trace count in --retention or --max-traces, not both\n');
    process.exit(EXIT_USAGE);
  }

  let server: DashboardServer;
  try {
    server = createDashboardServer({
      host: flags.host,
      port: flags.port,
      db: flags.db,
      maxSpans: flags.maxSpans,
      maxTraces: flags.retention?.maxTraces ?? flags.maxTraces,
      maxAgeMs: flags.retention?.maxAgeMs,
      maxSpansPerTrace: flags.maxSpansPerTrace,
      maxBodyMb: flags.maxBodyMb,
      maxIngestQueue: flags.maxIngestQueue,
      token: flags.token,
      forward: flags.forward ?? [],
      allowedHosts: flags.allowedHosts ?? [],
      allowedOrigins: flags.allowedOrigins ?? [],
      corsOrigins: flags.corsOrigins ?? [],
      insecure: flags.insecure === true,
    });
  } catch (error) {
    if (isUnsafeExposureError(error)) {
      process.stderr.write(`overlap-dashboard: ${error.message}\n`);
      process.exit(EXIT_USAGE);
    }
    if (isInvalidOptionError(error)) {
      const flag = FLAG_OF_OPTION[error.option.split(/[.[]/)[0]!] ?? error.option;
      process.stderr.write(`overlap-dashboard: invalid ${flag}: expected ${error.expected}, received ${describeValue(error.received)}\n`);
      process.exit(EXIT_USAGE);
    }
    // The file named by --db cannot be used: say why; it was not written to.
    if (isStoreOpenError(error) || isStoreCorruptError(error) || isStoreVersionError(error)) {
      process.stderr.write(`overlap-dashboard: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }

  let address;
  try {
    address = await server.listen();
  } catch (error) {
    process.stderr.write(`overlap-dashboard: cannot listen on ${flags.host}:${flags.port}: ${error instanceof Error ? error.message : String(error)}\n`);
    await server.close();
    process.exit(1);
  }
  process.stdout.write(`Overlap dashboard listening on ${address.url}\n`);
  process.stdout.write(`OTLP/HTTP traces: ${address.url}v1/traces${flags.token === undefined ? '' : ' (token required)'}\n`);
  if (flags.db !== undefined) process.stdout.write(`Traces kept in ${flags.db} (${server.store.traceCount} stored)\n`);
  for (const target of flags.forward ?? []) process.stdout.write(`Forwarding traces to ${target}\n`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      process.stderr.write(`overlap-dashboard: ${signal} again, exiting now\n`);
      process.exit(1);
    }
    stopping = true;
    process.stdout.write(`overlap-dashboard: ${signal}, shutting down\n`);
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`overlap-dashboard: error while shutting down: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main(process.argv).catch((error: unknown) => {
  process.stderr.write(`overlap-dashboard: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
