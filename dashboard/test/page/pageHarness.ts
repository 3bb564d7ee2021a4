// Shared set-up of the page's browser tests and benchmark: a fresh page build, the real server on a
// free port, headless Debian Chromium driven by playwright-core, and helpers that send spans over real
// HTTP (OTLP/JSON) and the /runners socket, a fake runner process that offers agents, and a small OTLP
// listener standing in for Jaeger.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GenAiAttributes, otlpToSpans, OverlapAttributes, spansToOtlp } from '@overlap/shared';
import type { SpanRecord } from '@overlap/shared';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';
import { io } from 'socket.io-client';
import type { Socket } from 'socket.io-client';
import type { AgentDescriptor } from '@overlap/shared';
import { createDashboardServer } from '../../src/server/index.js';
import type { DashboardServer, DashboardServerOptions } from '../../src/server/index.js';

/** The dashboard package's directory. */
export const DASHBOARD_DIR = fileURLToPath(new URL('../../', import.meta.url));
const PAGE_INDEX = join(DASHBOARD_DIR, 'dist', 'page', 'index.html');
const BUILD_LOCK = join(DASHBOARD_DIR, 'dist', '.page-build.lock');

/** Where Debian installs Chromium; the tests never download a browser. */
export const CHROMIUM_PATH = '/usr/bin/chromium';
/** Flags for a quiet, offline headless Chromium in a container. */
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

function newestMtimeMs(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtimeMs(join(path, entry)));
  return newest;
}

/**
 * Brings the page's build up to date: builds `@overlap/shared` (`tsc -p tsconfig.build.json`) when its
 * `dist/` is older than its sources, since both the server and the page run that build; then runs
 * `scripts/build-page.mjs` when `dist/page` is missing or older than the page's sources, its static
 * files, the build script or the shared build. A lock directory keeps two processes from building at once.
 */
export function ensurePageBuilt(): void {
  const sharedDir = join(DASHBOARD_DIR, '..', 'shared');
  const sharedFresh = (): boolean => newestMtimeMs(join(sharedDir, 'dist')) >= newestMtimeMs(join(sharedDir, 'src'));
  const sources = [join(DASHBOARD_DIR, 'src', 'page'), join(DASHBOARD_DIR, 'static'), join(DASHBOARD_DIR, 'scripts', 'build-page.mjs'), join(sharedDir, 'dist')];
  const pageFresh = (): boolean => existsSync(PAGE_INDEX) && statSync(PAGE_INDEX).mtimeMs >= Math.max(...sources.map(newestMtimeMs));
  const isFresh = (): boolean => sharedFresh() && pageFresh();
  if (isFresh()) return;
  mkdirSync(join(DASHBOARD_DIR, 'dist'), { recursive: true });
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(BUILD_LOCK);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`ensurePageBuilt: ${BUILD_LOCK} held for two minutes; remove it if no build runs`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
    }
  }
  try {
    if (!sharedFresh()) execFileSync(process.execPath, [join(DASHBOARD_DIR, '..', 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { cwd: sharedDir, stdio: 'pipe' });
    if (!pageFresh()) execFileSync(process.execPath, [join(DASHBOARD_DIR, 'scripts', 'build-page.mjs')], { cwd: DASHBOARD_DIR, stdio: 'pipe' });
  } finally {
    rmSync(BUILD_LOCK, { recursive: true, force: true });
  }
}

/** Starts headless Chromium. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
}

/** A started dashboard server and its base URL (ending with `/`). */
export interface StartedServer {
  readonly server: DashboardServer;
  readonly url: string;
}

/** Starts the real dashboard server on 127.0.0.1 and a free port, serving the built page. */
export async function startDashboard(options: DashboardServerOptions = {}): Promise<StartedServer> {
  const server = createDashboardServer({ port: 0, ...options });
  const { url } = await server.listen();
  return { server, url };
}

/** POSTs spans to `/v1/traces` as OTLP/JSON and checks that all were accepted. */
export async function postSpans(url: string, spans: readonly SpanRecord[], token?: string): Promise<void> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  const response = await fetch(`${url}v1/traces`, { method: 'POST', headers, body: JSON.stringify(spansToOtlp(spans)) });
  const text = await response.text();
  if (response.status !== 200 || text !== '{}') throw new Error(`POST /v1/traces answered ${response.status}: ${text}`);
}

/** Announces started spans on the `/runners` namespace (`span-starts`), as a runner process does. */
export async function announceSpanStarts(url: string, spans: readonly SpanRecord[], token?: string): Promise<void> {
  const socket = io(`${url}runners`, { transports: ['websocket'], forceNew: true, reconnection: false, auth: token === undefined ? {} : { token } });
  try {
    const ack = await new Promise<unknown>((resolve, reject) => {
      socket.once('connect_error', reject);
      socket.emit('span-starts', spansToOtlp(spans.map(inFlight)), resolve);
    });
    const accepted = (ack as { accepted?: number }).accepted;
    if (accepted !== spans.length) throw new Error(`span-starts answered ${JSON.stringify(ack)}`);
  } finally {
    socket.disconnect();
  }
}

/** Stores spans through `POST /api/import` (OTLP/JSON): unlike `/v1/traces`, an import is not forwarded. */
export async function importSpans(url: string, spans: readonly SpanRecord[]): Promise<void> {
  const response = await fetch(`${url}api/import`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(spansToOtlp(spans)) });
  const body = (await response.json()) as { spans?: number; rejected?: number };
  if (response.status !== 200 || body.spans !== spans.length || body.rejected !== 0) throw new Error(`POST /api/import answered ${response.status}: ${JSON.stringify(body)}`);
}

/** A `run-agent` request as a runner receives it. */
export interface RunRequest {
  readonly agent: string;
  readonly params: Record<string, number>;
  /** The request's id, which a real runner puts on the run's root span as `overlap.request.id`. */
  readonly requestId?: string;
}

/** A runner process's side of `/runners`, offering agents, as `telemetry.dashboard.offerAgents` does. */
export interface FakeRunner {
  readonly socket: Socket;
  /** Every `run-agent` received, in order. */
  readonly requests: RunRequest[];
  close(): void;
}

/**
 * Connects to `/runners`, registers `agents` (checking the `{ ok: true }` acknowledgement), and answers
 * each `run-agent` with what `onRun` returns (`{ accepted: true }` by default).
 */
export async function connectFakeRunner(
  url: string,
  registration: { runnerId: string; serviceName: string; agents: readonly AgentDescriptor[] },
  onRun: (request: RunRequest) => unknown = () => ({ accepted: true }),
  token?: string,
): Promise<FakeRunner> {
  const socket = io(`${url}runners`, { transports: ['websocket'], forceNew: true, reconnection: false, auth: token === undefined ? {} : { token } });
  const requests: RunRequest[] = [];
  socket.on('run-agent', (request: RunRequest, ack: (answer: unknown) => void) => {
    requests.push(request);
    ack(onRun(request));
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  const ack = await socket.emitWithAck('register', registration);
  if ((ack as { ok?: boolean }).ok !== true) throw new Error(`register answered ${JSON.stringify(ack)}`);
  return { socket, requests, close: () => void socket.close() };
}

/** A small OTLP/HTTP receiver standing in for Jaeger's `/v1/traces`. */
export interface OtlpListener {
  /** Its traces URL, `http://127.0.0.1:PORT/v1/traces`. */
  readonly url: string;
  /** Spans received, one array per request (OTLP/JSON bodies, read with `otlpToSpans`). */
  readonly received: SpanRecord[][];
  close(): Promise<void>;
}

/** Starts an {@link OtlpListener} on a free port; it answers an OTLP/JSON request 200 `{}`, anything else 400. */
export async function startOtlpListener(): Promise<OtlpListener> {
  const received: SpanRecord[][] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      try {
        received.push(otlpToSpans(JSON.parse(Buffer.concat(chunks).toString('utf8'))).spans);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      } catch (error) {
        // Not OTLP/JSON (the tests only send JSON): refuse it for good, as a collector would.
        res.writeHead(400, { 'content-type': 'text/plain' }).end(String(error));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1/traces`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The span without its end: how a started span is announced. */
export function inFlight(span: SpanRecord): SpanRecord {
  const { endTimeUnixNano: _end, ...started } = span;
  return started;
}

let idCounter = 0;

/** A fresh trace id (32 hex characters). */
export function newTraceId(): string {
  idCounter += 1;
  return `${(0x7e57 + idCounter).toString(16).padStart(8, '0')}${Date.now().toString(16).padStart(24, '0')}`.slice(0, 32);
}

/** A fresh span id (16 hex characters). */
export function newSpanId(): string {
  idCounter += 1;
  return `b${idCounter.toString(16).padStart(15, '0')}`;
}

/** Nanoseconds since the epoch, as a decimal string, for a time in ms since the epoch (microsecond exact). */
export function nanos(ms: number): string {
  return `${BigInt(Math.round(ms * 1000)) * 1000n}`;
}

/** What {@link span} builds. */
export interface SpanSpec {
  traceId: string;
  spanId?: string;
  parentSpanId?: string | undefined;
  name: string;
  startMs: number;
  /** `undefined`: in flight. */
  endMs: number | undefined;
  attributes?: SpanRecord['attributes'];
  events?: Array<{ name: string; tMs: number; attributes?: SpanRecord['attributes'] }>;
  status?: SpanRecord['status'];
  serviceName?: string;
}

/** A span record from a compact spec (times in ms since the epoch). */
export function span(spec: SpanSpec): SpanRecord {
  const serviceName = spec.serviceName ?? 'page-test-agent';
  const record: SpanRecord = {
    traceId: spec.traceId,
    spanId: spec.spanId ?? newSpanId(),
    name: spec.name,
    kind: 'internal',
    startTimeUnixNano: nanos(spec.startMs),
    attributes: spec.attributes ?? {},
    events: (spec.events ?? []).map((event) => ({ name: event.name, timeUnixNano: nanos(event.tMs), attributes: event.attributes ?? {} })),
    links: [],
    status: spec.status ?? { code: 'unset' },
    resource: { serviceName, attributes: { 'service.name': serviceName } },
    scope: { name: '@overlap/runner', version: '0.1.0' },
  };
  if (spec.parentSpanId !== undefined) record.parentSpanId = spec.parentSpanId;
  if (spec.endMs !== undefined) record.endTimeUnixNano = nanos(spec.endMs);
  return record;
}

/** The spans of one Overlap tool call: its `execute_tool` span and, when it waited, its `queue {gate}` span. */
export function toolCall(options: {
  traceId: string;
  parentSpanId: string;
  tool: string;
  gate: string;
  startMs: number;
  queueMs: number;
  endMs: number | undefined;
  outcome?: string;
  name?: string;
  attributes?: SpanRecord['attributes'];
  events?: SpanSpec['events'];
}): SpanRecord[] {
  const call = span({
    traceId: options.traceId,
    parentSpanId: options.parentSpanId,
    name: options.name ?? `execute_tool ${options.tool}`,
    startMs: options.startMs,
    endMs: options.endMs,
    attributes: {
      [GenAiAttributes.OPERATION_NAME]: 'execute_tool',
      [GenAiAttributes.TOOL_NAME]: options.tool,
      [OverlapAttributes.GATE]: [options.gate],
      [OverlapAttributes.QUEUE_WAIT_MS]: options.queueMs,
      ...(options.endMs === undefined ? {} : { [OverlapAttributes.OUTCOME]: options.outcome ?? 'ok' }),
      ...options.attributes,
    },
    events: options.events ?? [],
    status: options.outcome === 'error' || options.outcome === 'timeout' ? { code: 'error', message: options.outcome } : { code: 'unset' },
  });
  if (options.queueMs <= 0) return [call];
  const queue = span({
    traceId: options.traceId,
    parentSpanId: call.spanId,
    name: `queue ${options.gate}`,
    startMs: options.startMs,
    endMs: options.startMs + options.queueMs,
    attributes: { [OverlapAttributes.PHASE]: 'queue', [OverlapAttributes.GATE]: options.gate, [OverlapAttributes.GATE_KIND]: 'semaphore', [OverlapAttributes.QUEUE_WAIT_MS]: options.queueMs },
  });
  return [call, queue];
}

/** An `invoke_agent` root span. */
export function agentRoot(traceId: string, agent: string, startMs: number, endMs: number | undefined, attributes: Record<string, string> = {}): SpanRecord {
  return span({
    traceId,
    name: `invoke_agent ${agent}`,
    startMs,
    endMs,
    attributes: { [GenAiAttributes.OPERATION_NAME]: 'invoke_agent', [GenAiAttributes.AGENT_NAME]: agent, ...(endMs === undefined ? {} : { [OverlapAttributes.OUTCOME]: 'ok' }), ...attributes },
  });
}
