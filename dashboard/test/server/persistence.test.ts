// `overlap-dashboard --db FILE` as a user runs it: a real process keeping its traces in an SQLite file.
// Restarted, it serves the same traces; killed with SIGKILL in the middle of ingest, every span whose
// OTLP request was answered 2xx is there when it starts again; --retention bounds the file; a file it
// cannot use stops it with a message, untouched.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GenAiAttributes, spansToOtlp } from '@overlap/shared';
import type { HealthResponse } from '../../src/server/index.js';
import type { SpanRecord, TraceListResponse, TraceResponse } from '@overlap/shared';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, runCli, startCli } from './cliProcess.js';
import { getJson, msNanos, newTraceId, postSpans, spanRecord } from './helpers.js';
import { parseRetention } from '../../src/server/retentionFlag.js';

const directory = mkdtempSync(join(tmpdir(), 'overlap-persistence-'));
const children: ChildProcess[] = [];
let files = 0;

beforeAll(() => {
  const build = buildCli();
  expect(build.ok, build.output).toBe(true);
}, 180_000);

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

afterAll(() => rmSync(directory, { recursive: true, force: true }));

function freshPath(): string {
  return join(directory, `traces-${++files}.db`);
}

/** One trace of `size` spans: a root and its children. */
function trace(size: number, label: string): SpanRecord[] {
  const traceId = newTraceId();
  const root = spanRecord({ traceId, name: `root ${label}`, attributes: { [GenAiAttributes.AGENT_NAME]: 'persisted' }, startTimeUnixNano: msNanos(Date.now()) });
  return [root, ...Array.from({ length: size - 1 }, (_, i) => spanRecord({ traceId, parentSpanId: root.spanId, name: `child ${i}` }))];
}

describe('overlap-dashboard --db', () => {
  it('--db - keeps the traces across a restart; the environment variable names the file too', async () => {
    const path = freshPath();
    const first = await startCli(['--port', '0', '--db', path], {}, children);
    const spans = [...trace(5, 'a'), ...trace(3, 'b')];
    expect((await postSpans(first.url, spans)).status).toBe(200);
    const before = await getJson<TraceListResponse>(`${first.url}api/traces`);
    const health = await getJson<HealthResponse>(`${first.url}healthz`);
    expect(health.body.store).toMatchObject({ storage: 'sqlite', traces: 2, spans: 8, maxTraces: null, maxSpans: null });
    first.child.kill('SIGTERM');
    expect(await first.exit).toEqual({ code: 0, signal: null });

    const second = await startCli(['--port', '0'], { OVERLAP_DASHBOARD_DB: path }, children);
    await expect.poll(() => second.output(), { timeout: 10_000 }).toContain(`Traces kept in ${path} (2 stored)`);
    expect(second.output()).not.toMatch(/ExperimentalWarning/);
    const after = await getJson<TraceListResponse>(`${second.url}api/traces`);
    expect(after.body).toEqual(before.body);
    const opened = await getJson<TraceResponse>(`${second.url}api/traces/${spans[0]!.traceId}`);
    expect(opened.body.spans).toEqual(spans.slice(0, 5));
    second.child.kill('SIGINT');
    expect(await second.exit).toEqual({ code: 0, signal: null });
  }, 60_000);

  it('--db - after kill -9 in the middle of ingest, every span whose request was answered 2xx is there', async () => {
    const path = freshPath();
    const server = await startCli(['--port', '0', '--db', path], {}, children);
    const answered: SpanRecord[][] = [];
    let sent = 0;
    let unanswered = 0;
    let killed = false;
    const sender = async (): Promise<void> => {
      while (!killed) {
        const batch = trace(40, `batch ${sent}`);
        sent += 1;
        unanswered += 1;
        let status: number | undefined;
        try {
          status = (await fetch(`${server.url}v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(spansToOtlp(batch)) })).status;
        } catch {
          status = undefined; // the server died with the request in flight
        }
        if (status !== undefined && status >= 200 && status < 300) {
          answered.push(batch);
          unanswered -= 1;
        }
      }
    };
    const senders = [sender(), sender(), sender(), sender()];
    // Kill it once a good number of requests were answered, with the four senders still sending.
    while (answered.length < 60) await new Promise((resolve) => setTimeout(resolve, 5));
    const inFlightAtKill = unanswered;
    server.child.kill('SIGKILL');
    killed = true;
    expect(await server.exit).toEqual({ code: null, signal: 'SIGKILL' });
    await Promise.all(senders);
    // The kill did land in the middle of ingest: requests were in flight.
    expect(inFlightAtKill).toBeGreaterThan(0);

    const restarted = await startCli(['--port', '0', '--db', path], {}, children);
    const missing: string[] = [];
    for (const batch of answered) {
      const { status, body } = await getJson<TraceResponse>(`${restarted.url}api/traces/${batch[0]!.traceId}`);
      const stored = new Set(status === 200 ? body.spans.map((span) => span.spanId) : []);
      for (const span of batch) if (!stored.has(span.spanId)) missing.push(`${span.traceId}/${span.spanId}`);
    }
    expect(missing).toEqual([]);
    const health = await getJson<HealthResponse>(`${restarted.url}healthz`);
    expect(health.body.store.spans).toBeGreaterThanOrEqual(answered.length * 40);
    restarted.child.kill('SIGTERM');
    await restarted.exit;
  }, 90_000);

  it('--retention - keeps at most the given number of traces, evicting the least recently active, and counts them', async () => {
    const path = freshPath();
    const server = await startCli(['--port', '0', '--db', path, '--retention', '2'], {}, children);
    const traces = [trace(2, 'one'), trace(3, 'two'), trace(1, 'three')];
    for (const spans of traces) expect((await postSpans(server.url, spans)).status).toBe(200);
    const health = await getJson<HealthResponse>(`${server.url}healthz`);
    expect(health.body.store).toMatchObject({ traces: 2, spans: 4, maxTraces: 2, evictedTraces: 1, evictedSpans: 2 });
    expect((await getJson(`${server.url}api/traces/${traces[0]![0]!.traceId}`)).status).toBe(404);
    server.child.kill('SIGTERM');
    await server.exit;
  }, 60_000);

  it('--retention - ages traces out on its own, without new spans', async () => {
    const server = await startCli(['--port', '0', '--db', freshPath(), '--retention', '1s'], {}, children);
    const spans = trace(2, 'short-lived');
    expect((await postSpans(server.url, spans)).status).toBe(200);
    // The expiry timer runs every second; a generous bound for a busy machine.
    const deadline = Date.now() + 15_000;
    let stats: HealthResponse['store'] | undefined;
    while (Date.now() < deadline) {
      stats = (await getJson<HealthResponse>(`${server.url}healthz`)).body.store;
      if (stats.evictedTraces === 1) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(stats).toMatchObject({ traces: 0, evictedTraces: 1, evictedSpans: 2, maxAgeMs: 1000 });
    server.child.kill('SIGTERM');
    await server.exit;
  }, 30_000);

  it('bad --retention values and conflicts - exit 2 naming the flag', () => {
    const bad = runCli(['--retention', 'forever']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--retention <bound>' argument 'forever' is invalid\. expected a number of traces \(10000\) and\/or an age/);
    const both = runCli(['--retention', '10', '--max-traces', '10']);
    expect(both.status).toBe(2);
    expect(both.stderr).toMatch(/give a trace count in --retention or --max-traces, not both/);
  });

  it('a file it cannot use - stops with exit 1 and a message, and leaves the file as it was', () => {
    const path = freshPath();
    const garbage = Buffer.from('this is not a database, it is a shopping list: eggs, milk\n'.repeat(100));
    writeFileSync(path, garbage);
    const result = runCli(['--port', '0', '--db', path]);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      `overlap-dashboard: ${path} is corrupt or not an SQLite database (file is not a database); it was left untouched: move it aside, or start with another --db file\n`,
    );
    expect(readFileSync(path).equals(garbage)).toBe(true);
  });
});

describe('parseRetention()', () => {
  it('parseRetention() - reads a trace count, an age, or both', () => {
    expect(parseRetention('10000')).toEqual({ maxTraces: 10_000 });
    expect(parseRetention('250 traces')).toEqual({ maxTraces: 250 });
    expect(parseRetention('7d')).toEqual({ maxAgeMs: 7 * 86_400_000 });
    expect(parseRetention('1.5h')).toEqual({ maxAgeMs: 5_400_000 });
    expect(parseRetention('30m, 500')).toEqual({ maxTraces: 500, maxAgeMs: 1_800_000 });
    expect(parseRetention('2w')).toEqual({ maxAgeMs: 14 * 86_400_000 });
  });

  it('parseRetention() - refuses anything else, and two of a kind', () => {
    for (const text of ['', '0', '7 days', '-5', '1e3', '10,20', '1d,2h', 'd']) expect(() => parseRetention(text), text).toThrow(RangeError);
  });
});
