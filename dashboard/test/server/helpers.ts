import { spansToOtlp } from '@overlap/shared';
import type { SpanRecord } from '@overlap/shared';
import { createDashboardServer } from '../../src/server/index.js';
import type { DashboardServer, DashboardServerOptions } from '../../src/server/index.js';

/** A started server on a free port, and its base URL (ending with `/`). */
export interface RunningServer {
  server: DashboardServer;
  url: string;
  close: () => Promise<void>;
}

/** Starts a dashboard server on 127.0.0.1 and a free port. */
export async function startServer(options: DashboardServerOptions = {}): Promise<RunningServer> {
  const server = createDashboardServer({ port: 0, pageDir: '/nonexistent-overlap-page', ...options });
  const { url } = await server.listen();
  return { server, url, close: () => server.close() };
}

let counter = 0;

/** A fresh, valid trace id (32 hex). */
export function newTraceId(): string {
  counter += 1;
  return `${(Date.now() % 1e12).toString(16).padStart(12, '0')}${counter.toString(16).padStart(20, '0')}`.slice(0, 32);
}

/** A fresh, valid span id (16 hex). */
export function newSpanId(): string {
  counter += 1;
  return `a${counter.toString(16).padStart(15, '0')}`;
}

/** A valid ended span record, with overrides. */
export function spanRecord(overrides: Partial<SpanRecord> & { traceId: string }): SpanRecord {
  return {
    spanId: newSpanId(),
    name: 'span',
    kind: 'internal',
    startTimeUnixNano: '1764072000000000000',
    endTimeUnixNano: '1764072000100000000',
    attributes: {},
    events: [],
    links: [],
    status: { code: 'unset' },
    resource: { serviceName: 'svc', attributes: { 'service.name': 'svc' } },
    scope: { name: 'test' },
    ...overrides,
  };
}

/** POSTs spans as OTLP/JSON to `/v1/traces`. */
export async function postSpans(url: string, spans: readonly SpanRecord[], headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${url}v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(spansToOtlp(spans)),
  });
}

/** GETs a JSON route and returns status and parsed body. */
export async function getJson<T = unknown>(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: T }> {
  const response = await fetch(url, { headers });
  const text = await response.text();
  return { status: response.status, body: (text === '' ? undefined : JSON.parse(text)) as T };
}

/** A promise with its resolver, to wait for an event without sleeping. */
export function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Ms → decimal nanos string, exact for integer ms. */
export function msNanos(ms: number): string {
  return `${BigInt(ms) * 1_000_000n}`;
}
