import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { SpanRecord } from '@overlap/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DashboardServerOptions, HealthResponse } from '../../src/server/index.js';
import type { ImportResponse, ApiErrorBody, CompareResponse, StatsResponse, TraceListResponse, TraceResponse } from '@overlap/shared';
import { getJson, msNanos, newSpanId, newTraceId, postSpans, spanRecord, startServer } from './helpers.js';
import type { RunningServer } from './helpers.js';
import { GenAiAttributes, OverlapAttributes, OverlapEvents, assembleTrace, compareTraces } from '@overlap/shared';

let running: RunningServer;

/** One agent run: a root and two tool calls, starting at `startMs`. */
function run(options: { startMs: number; agent?: string; service?: string; tools?: Array<{ tool: string; ms: number; outcome?: string; waitMs?: number }> }): SpanRecord[] {
  const traceId = newTraceId();
  const service = options.service ?? 'agents';
  const resource = { serviceName: service, attributes: { 'service.name': service, 'host.name': 'test' } };
  const tools = options.tools ?? [{ tool: 'search', ms: 100 }];
  const endMs = options.startMs + Math.max(...tools.map((t) => t.ms)) + 10;
  const root = spanRecord({
    traceId,
    name: `invoke_agent ${options.agent ?? 'researcher'}`,
    kind: 'server',
    startTimeUnixNano: msNanos(options.startMs),
    endTimeUnixNano: msNanos(endMs),
    attributes: { [GenAiAttributes.OPERATION_NAME]: 'invoke_agent', [GenAiAttributes.AGENT_NAME]: options.agent ?? 'researcher', [OverlapAttributes.OUTCOME]: 'ok' },
    resource,
  });
  const calls = tools.map((t, index) =>
    spanRecord({
      traceId,
      parentSpanId: root.spanId,
      name: `execute_tool ${t.tool}`,
      kind: 'client',
      startTimeUnixNano: msNanos(options.startMs + 1 + index),
      endTimeUnixNano: msNanos(options.startMs + 1 + index + t.ms),
      attributes: {
        [GenAiAttributes.OPERATION_NAME]: 'execute_tool',
        [GenAiAttributes.TOOL_NAME]: t.tool,
        [OverlapAttributes.OUTCOME]: t.outcome ?? 'ok',
        ...(t.waitMs === undefined ? {} : { [OverlapAttributes.QUEUE_WAIT_MS]: t.waitMs }),
        nested: { list: [1, 'two', { three: true }], bytes: { bytesBase64: 'AAEC' } },
      },
      events: [{ name: OverlapEvents.ATTEMPT_START, timeUnixNano: msNanos(options.startMs + 2), attributes: { [OverlapAttributes.ATTEMPT]: 1 } }],
      status: t.outcome === 'error' ? { code: 'error', message: 'boom' } : { code: 'unset' },
      resource,
    }),
  );
  return [root, ...calls];
}

async function expectError(url: string, status: number, code: string, messagePattern: RegExp): Promise<void> {
  const response = await getJson<ApiErrorBody>(url);
  expect(response.status).toBe(status);
  expect(response.body.error.code).toBe(code);
  expect(response.body.error.message).toMatch(messagePattern);
}

const runs: SpanRecord[][] = [];
const bySpanId = (a: SpanRecord, b: SpanRecord): number => (a.spanId < b.spanId ? -1 : a.spanId > b.spanId ? 1 : 0);

// The REST API answers the same with either store: every test below runs against the in-memory store
// and against an SQLite file.
const directory = mkdtempSync(join(tmpdir(), 'overlap-rest-api-'));
let files = 0;
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe.each([
  { storage: 'memory', storeOptions: (): DashboardServerOptions => ({}) },
  { storage: 'sqlite', storeOptions: (): DashboardServerOptions => ({ db: join(directory, `api-${++files}.db`) }) },
])('REST API with the $storage store', ({ storage, storeOptions }) => {
  beforeAll(async () => {
    running = await startServer(storeOptions());
    runs.length = 0;
    runs.push(
      run({ startMs: 1_000_000, agent: 'researcher', tools: [{ tool: 'search', ms: 100, waitMs: 5 }, { tool: 'fetch', ms: 300, waitMs: 15 }] }),
      run({ startMs: 2_000_000, agent: 'writer', service: 'billing', tools: [{ tool: 'search', ms: 50, outcome: 'timeout' }] }),
      run({ startMs: 3_000_000, agent: 'researcher', tools: [{ tool: 'search', ms: 2000, outcome: 'error' }] }),
    );
    expect((await postSpans(running.url, runs.flat())).status).toBe(200);
  });
  afterAll(async () => {
    await running.close();
  });

  describe('GET /api/traces', () => {
    it('GET /api/traces - lists summaries newest first', async () => {
      const { status, body } = await getJson<TraceListResponse>(`${running.url}api/traces`);
      expect(status).toBe(200);
      expect(body.traces.map((t) => t.traceId)).toEqual([runs[2]![0]!.traceId, runs[1]![0]!.traceId, runs[0]![0]!.traceId]);
      expect(body.traces[2]).toMatchObject({ rootName: 'invoke_agent researcher', agentName: 'researcher', serviceNames: ['agents'], spanCount: 3, callCount: 2, outcome: 'ok' });
      expect(body.nextCursor).toBeNull();
    });

    it('GET /api/traces - filters by service, agent, tool, outcome, duration and time', async () => {
      const ids = async (query: string): Promise<string[]> => (await getJson<TraceListResponse>(`${running.url}api/traces?${query}`)).body.traces.map((t) => t.traceId);
      const [r0, r1, r2] = runs.map((r) => r[0]!.traceId);
      expect(await ids('service=billing')).toEqual([r1]);
      expect(await ids('agent=researcher')).toEqual([r2, r0]);
      expect(await ids('tool=fetch')).toEqual([r0]);
      expect(await ids('outcome=timeout')).toEqual([r1]);
      expect(await ids('outcome=error')).toEqual([r2]);
      expect(await ids('minDurationMs=200')).toEqual([r2, r0]);
      expect(await ids('maxDurationMs=200')).toEqual([r1]);
      expect(await ids('since=1500000&until=2500000')).toEqual([r1]);
      expect(await ids(`since=${new Date(2_500_000).toISOString()}`)).toEqual([r2]);
      expect(await ids('agent=researcher&tool=fetch')).toEqual([r0]);
    });

    it('GET /api/traces - pages with limit and cursor', async () => {
      const first = await getJson<TraceListResponse>(`${running.url}api/traces?limit=2`);
      expect(first.body.traces).toHaveLength(2);
      expect(first.body.nextCursor).toEqual(expect.any(String));
      const second = await getJson<TraceListResponse>(`${running.url}api/traces?limit=2&cursor=${first.body.nextCursor}`);
      expect(second.body.traces.map((t) => t.traceId)).toEqual([runs[0]![0]!.traceId]);
      expect(second.body.nextCursor).toBeNull();
    });

    it('GET /api/traces - answers bad parameters with 400 naming the parameter', async () => {
      const base = `${running.url}api/traces`;
      await expectError(`${base}?limit=0`, 400, 'invalid_parameter', /"limit" must be an integer from 1 to 500/);
      await expectError(`${base}?limit=501`, 400, 'invalid_parameter', /"limit"/);
      await expectError(`${base}?limit=ten`, 400, 'invalid_parameter', /"limit"/);
      await expectError(`${base}?limit=1&limit=2`, 400, 'invalid_parameter', /"limit" must be given once/);
      await expectError(`${base}?outcome=great`, 400, 'invalid_parameter', /"outcome" must be one of ok, error, timeout, cancelled, rejected/);
      await expectError(`${base}?since=yesterday`, 400, 'invalid_parameter', /"since" must be milliseconds since the epoch or an ISO 8601 date/);
      await expectError(`${base}?minDurationMs=-5`, 400, 'invalid_parameter', /"minDurationMs" must be a non-negative number/);
      await expectError(`${base}?cursor=bm9wZQ`, 400, 'invalid_parameter', /"cursor"/);
      await expectError(`${base}?sevice=billing`, 400, 'invalid_parameter', /"sevice" is not a parameter/);
      await expectError(`${base}?service=`, 400, 'invalid_parameter', /"service" must not be empty/);
    });
  });

  describe('GET /api/traces/:traceId', () => {
    it('GET /api/traces/:traceId - returns the spans, the summary and the assembly warnings', async () => {
      const traceId = newTraceId();
      const orphan = spanRecord({ traceId, parentSpanId: newSpanId(), name: 'orphan' });
      await postSpans(running.url, [orphan]);
      const { status, body } = await getJson<TraceResponse>(`${running.url}api/traces/${traceId}`);
      expect(status).toBe(200);
      expect(body.spans).toEqual([orphan]);
      expect(body.summary).toMatchObject({ traceId, spanCount: 1 });
      expect(body.warnings.join('\n')).toMatch(/orphan|parent/i);
    });

    it('GET /api/traces/:traceId - answers 404 for an unknown trace and 400 for a bad id', async () => {
      await expectError(`${running.url}api/traces/${newTraceId()}`, 404, 'not_found', /no trace/);
      await expectError(`${running.url}api/traces/xyz`, 400, 'invalid_parameter', /"traceId" must be 32 hex characters/);
    });
  });

  describe('GET /api/compare', () => {
    it('GET /api/compare - answers compareTraces of the two stored traces, A the baseline', async () => {
      const [a, b] = [runs[0]!, runs[2]!];
      const { status, body } = await getJson<CompareResponse>(`${running.url}api/compare?a=${a[0]!.traceId}&b=${b[0]!.traceId.toUpperCase()}`);
      expect(status).toBe(200);
      expect(body).toEqual(JSON.parse(JSON.stringify(compareTraces(assembleTrace(a), assembleTrace(b)))));
      expect(body.figures.wallMs).toMatchObject({ a: 310, b: 2010, diff: 1700 });
      expect(body.rows.map((row) => [row.tool, row.a === null, row.b === null])).toEqual([
        ['search', false, false],
        ['fetch', false, true],
      ]);
    });

    it('GET /api/compare - answers 400 naming a missing or bad id, and 404 naming the traces it does not hold', async () => {
      const known = runs[0]![0]!.traceId;
      const base = `${running.url}api/compare`;
      await expectError(`${base}?b=${known}`, 400, 'invalid_parameter', /"a" is required/);
      await expectError(`${base}?a=${known}`, 400, 'invalid_parameter', /"b" is required/);
      await expectError(`${base}?a=${known}&b=nope`, 400, 'invalid_parameter', /"b" must be 32 hex characters/);
      await expectError(`${base}?a=${known}&b=${known}&c=1`, 400, 'invalid_parameter', /"c" is not a parameter/);
      const [gone1, gone2] = [newTraceId(), newTraceId()];
      await expectError(`${base}?a=${known}&b=${gone2}`, 404, 'not_found', new RegExp(`^no trace b \\(${gone2}\\) in the store: evicted, or never received$`));
      await expectError(`${base}?a=${gone1}&b=${gone2}`, 404, 'not_found', /no trace a \(.*\) and b \(.*\) in the store/);
    });
  });

  describe('GET /api/stats', () => {
    it('GET /api/stats - reports per-tool figures over the matching traces', async () => {
      const { status, body } = await getJson<StatsResponse>(`${running.url}api/stats?agent=researcher`);
      expect(status).toBe(200);
      expect(body.traceCount).toBe(2);
      const search = body.tools.find((t) => t.tool === 'search');
      expect(search).toMatchObject({ operation: 'execute_tool', count: 2, errorRate: 0.5, timeoutRate: 0 });
      expect(search?.durationMs.p50).toBeCloseTo((100 + 2000) / 2, 6);
      expect(body.tools.find((t) => t.tool === 'fetch')).toMatchObject({ count: 1, durationMs: { p50: 300 }, queueWaitMs: { p50: 15 } });
      // In memory the default bounds apply; a file keeps everything unless bounded.
      expect(body.store).toMatchObject(
        storage === 'memory' ? { storage, maxSpans: 200_000, maxTraces: 2000, evictedTraces: 0 } : { storage, maxSpans: null, maxTraces: null, evictedTraces: 0 },
      );
    });

    it('GET /api/stats - answers bad parameters with 400', async () => {
      await expectError(`${running.url}api/stats?limit=5`, 400, 'invalid_parameter', /"limit" is not a parameter/);
    });
  });

  describe('export and import', () => {
    it('GET /api/traces/:traceId/export - sends an attachment in each format that imports back losslessly', async () => {
      const spans = runs[0]!;
      const traceId = spans[0]!.traceId;
      for (const [format, extension, contentType] of [
        ['otlp', 'otlp.json', 'application/json'],
        ['jsonl', 'jsonl', 'application/x-ndjson'],
        ['jaeger', 'jaeger.json', 'application/json'],
      ] as const) {
        const response = await fetch(`${running.url}api/traces/${traceId}/export?format=${format}`);
        expect(response.status).toBe(200);
        expect(response.headers.get('content-disposition')).toBe(`attachment; filename="trace-${traceId}.${extension}"`);
        expect(response.headers.get('content-type')).toContain(contentType);
        const file = await response.text();

        const fresh = await startServer();
        try {
          const imported = await fetch(`${fresh.url}api/import`, { method: 'POST', headers: { 'content-type': contentType }, body: file });
          const result = (await imported.json()) as ImportResponse;
          expect(imported.status).toBe(200);
          expect(result).toMatchObject({ format, spans: spans.length, traces: 1, added: spans.length, rejected: 0 });
          const back = await getJson<TraceResponse>(`${fresh.url}api/traces/${traceId}`);
          expect([...back.body.spans].sort(bySpanId)).toEqual([...spans].sort(bySpanId));
        } finally {
          await fresh.close();
        }
      }
    });

    it('GET /api/export - exports a selection by id or by filter', async () => {
      const [r0, r1, r2] = runs.map((r) => r[0]!.traceId);
      const byId = await fetch(`${running.url}api/export?format=jsonl&traceId=${r0}&traceId=${r2}`);
      expect(byId.status).toBe(200);
      expect(byId.headers.get('content-disposition')).toMatch(/^attachment; filename="overlap-2-traces-\d{8}T\d{6}Z\.jsonl"$/);
      const lines = (await byId.text()).trim().split('\n').map((line) => JSON.parse(line) as SpanRecord);
      expect(new Set(lines.map((s) => s.traceId))).toEqual(new Set([r0, r2]));
      expect(lines).toHaveLength(runs[0]!.length + runs[2]!.length);

      const bySince = await fetch(`${running.url}api/export?since=1500000&until=2500000`);
      const otlp = (await bySince.json()) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<{ traceId: string }> }> }> };
      const exported = otlp.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans.map((s) => s.traceId)));
      expect(new Set(exported)).toEqual(new Set([r1]));

      await expectError(`${running.url}api/export?traceId=${newTraceId()}`, 404, 'not_found', /no trace/);
      await expectError(`${running.url}api/export?format=csv`, 400, 'invalid_parameter', /"format" must be one of otlp, jsonl, jaeger/);
      await expectError(`${running.url}api/export?traceId=nope`, 400, 'invalid_parameter', /"traceId"/);
    });

    it('POST /api/import - reports invalid JSON lines and keeps the valid ones', async () => {
      const traceId = newTraceId();
      const good = spanRecord({ traceId });
      const body = `${JSON.stringify(good)}\nnot json\n${JSON.stringify({ ...good, spanId: 'xyz' })}\n`;
      const response = await fetch(`${running.url}api/import`, { method: 'POST', body: gzipSync(body), headers: { 'content-type': 'application/x-ndjson', 'content-encoding': 'gzip' } });
      const result = (await response.json()) as ImportResponse;
      expect(response.status).toBe(200);
      expect(result).toMatchObject({ format: 'jsonl', spans: 1, added: 1, rejected: 2 });
      expect(result.problems).toHaveLength(2);
      expect(result.problems[0]).toMatch(/^line 2: /);
    });

    it('POST /api/import - answers an unreadable body with 400 and stores nothing', async () => {
      const before = (await getJson<HealthResponse>(`${running.url}healthz`)).body.store.spans;
      for (const body of ['garbage', '{"resourceSpans": 7}', '{"data": [{"traceID": 5}]}']) {
        const response = await fetch(`${running.url}api/import`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body });
        expect(response.status).toBe(400);
        expect(((await response.json()) as ApiErrorBody).error.code).toBe('invalid_body');
      }
      expect((await getJson<HealthResponse>(`${running.url}healthz`)).body.store.spans).toBe(before);
    });
  });

  describe('GET /healthz', () => {
    it('GET /healthz - reports status, store counters and ingest counters', async () => {
      const { status, body } = await getJson<HealthResponse>(`${running.url}healthz`);
      expect(status).toBe(200);
      expect(body.status).toBe('ok');
      expect(body.store.traces).toBeGreaterThanOrEqual(3);
      expect(body.ingest.requests).toBeGreaterThanOrEqual(1);
    });
  });

  describe('store limits over HTTP', () => {
    it('POST /v1/traces - evicts the oldest whole traces past the limits and reports it', async () => {
      const small = await startServer({ ...storeOptions(), maxTraces: 3, maxSpans: 10 });
      try {
        const sent: string[] = [];
        for (let i = 0; i < 8; i++) {
          const traceId = newTraceId();
          sent.push(traceId);
          await postSpans(small.url, [spanRecord({ traceId }), spanRecord({ traceId }), spanRecord({ traceId })]);
          const health = (await getJson<HealthResponse>(`${small.url}healthz`)).body;
          expect(health.store.traces).toBeLessThanOrEqual(3);
          expect(health.store.spans).toBeLessThanOrEqual(10);
        }
        const stats = (await getJson<StatsResponse>(`${small.url}api/stats`)).body;
        expect(stats.store).toMatchObject({ traces: 3, spans: 9, evictedTraces: 5, evictedSpans: 15 });
        const listed = (await getJson<TraceListResponse>(`${small.url}api/traces`)).body.traces.map((t) => t.traceId);
        expect(new Set(listed)).toEqual(new Set(sent.slice(5)));
        for (const traceId of sent.slice(5)) expect((await getJson<TraceResponse>(`${small.url}api/traces/${traceId}`)).body.spans).toHaveLength(3);
      } finally {
        await small.close();
      }
    });
  });
});

describe('token', () => {
  let secured: RunningServer;
  beforeAll(async () => {
    secured = await startServer({ token: 's3cret' });
  });
  afterAll(async () => {
    await secured.close();
  });

  it('every route - answers 401 without the token, except the page itself, which holds no data', async () => {
    for (const path of ['healthz', 'api/traces', 'api/stats', `api/traces/${newTraceId()}`, 'api/export', 'api/agents', 'api/info']) {
      const response = await fetch(`${secured.url}${path}`);
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(((await response.json()) as ApiErrorBody).error.code).toBe('unauthorized');
    }
    const wrong = await fetch(`${secured.url}api/traces`, { headers: { authorization: 'Bearer guess' } });
    expect(wrong.status).toBe(401);
    const otlp = await postSpans(secured.url, [spanRecord({ traceId: newTraceId() })]);
    expect(otlp.status).toBe(401);
    expect(((await otlp.json()) as { code: number }).code).toBe(16);
    expect((await getJson<HealthResponse>(`${secured.url}healthz?token=s3cret`)).body.store.spans).toBe(0);
    expect((await fetch(secured.url)).status).toBe(200);
    expect((await fetch(`${secured.url}assets/nothing-here.js`)).status).toBe(404);
    expect((await fetch(secured.url, { method: 'POST' })).status).toBe(401);
  });

  it('every route - accepts the token as a bearer header or a query parameter', async () => {
    const traceId = newTraceId();
    expect((await postSpans(secured.url, [spanRecord({ traceId })], { authorization: 'Bearer s3cret' })).status).toBe(200);
    expect((await getJson(`${secured.url}api/traces/${traceId}`, { authorization: 'Bearer s3cret' })).status).toBe(200);
    expect((await getJson(`${secured.url}api/traces?token=s3cret&limit=5`)).status).toBe(200);
    expect((await fetch(`${secured.url}?token=s3cret`)).status).toBe(200);
  });
});

describe('GET /', () => {
  it('GET / - says the page is not built when it is not', async () => {
    const bare = await startServer();
    const response = await fetch(bare.url).finally(() => bare.close());
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await response.text()).toMatch(/page is not built/);
  });

  it('GET / - serves the built page and its assets', async () => {
    const pageDir = mkdtempSync(join(tmpdir(), 'overlap-page-'));
    mkdirSync(join(pageDir, 'assets'));
    writeFileSync(join(pageDir, 'index.html'), '<!doctype html><title>built page</title>');
    writeFileSync(join(pageDir, 'assets', 'app.js'), 'console.log("app")');
    const withPage = await startServer({ pageDir });
    try {
      expect(await (await fetch(withPage.url)).text()).toContain('built page');
      const asset = await fetch(`${withPage.url}assets/app.js`);
      expect(asset.status).toBe(200);
      expect(asset.headers.get('content-type')).toMatch(/javascript/);
      expect((await fetch(`${withPage.url}assets/missing.js`)).status).toBe(404);
    } finally {
      await withPage.close();
      rmSync(pageDir, { recursive: true, force: true });
    }
  });
});
