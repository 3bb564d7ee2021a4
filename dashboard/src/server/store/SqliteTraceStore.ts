import type { DatabaseSync, SQLInputValue, StatementSync } from 'node:sqlite';
import { EventChannel, InvalidOptionError, callFigures, compareNanos, compareSpanVersions, msToNanos, spanVersionKey, validateOption } from '@overlap/shared';
import type { CallFigures, Disposer, Outcome, SpanRecord, TraceStoreStats, TraceSummary } from '@overlap/shared';
import { StoreCorruptError } from './errors/StoreCorruptError.js';
import { StoreOpenError } from './errors/StoreOpenError.js';
import { StoreVersionError } from './errors/StoreVersionError.js';
import { groupByTrace } from './groupByTrace.js';
import { loadSqlite } from './loadSqlite.js';
import { FACETS, spanFacets } from './spanFacets.js';
import type { Facet } from './spanFacets.js';
import { spanSlot } from './spanSlot.js';
import { STORE_APPLICATION_ID, STORE_MIGRATIONS } from './sqliteSchema.js';
import type { StoreMigration } from './sqliteSchema.js';
import { traceDurationMs } from './traceDurationMs.js';
import type {
  CachedSummary,
  TraceChange,
  TraceFilter,
  TraceIdPage,
  TraceInfo,
  TraceKey,
  TraceStore,
  TraceStoreAddResult,
  TraceStoreChange,
  TraceStoreLimits,
} from './TraceStore.js';
import { boundOrNull, resolveTraceStoreLimits } from './traceStoreLimits.js';

/** Options of {@link SqliteTraceStore}. */
export interface SqliteTraceStoreOptions extends TraceStoreLimits {
  /** The SQLite file; created, with its directory's permission, when it does not exist. */
  path: string;
  /**
   * Check the whole file (`PRAGMA quick_check`) when opening it, so a damaged file is reported at start
   * rather than at the first query that reads the damage. Reads every page: about a second per GB.
   * @defaultValue true
   */
  checkIntegrity?: boolean;
  /**
   * The schema steps (tests pass their own to exercise upgrades).
   * @defaultValue the dashboard's, `STORE_MIGRATIONS`
   */
  migrations?: readonly StoreMigration[];
}

/** SQLite result codes the store tells apart (primary codes, the low byte of an extended one). */
const SQLITE_BUSY = 5;
const SQLITE_LOCKED = 6;
const SQLITE_CORRUPT = 11;
const SQLITE_CANTOPEN = 14;
const SQLITE_NOTADB = 26;

/** Nanosecond times as 20-digit keys: text order is then time order (OTLP times are unsigned 64-bit). */
function timeKey(nanos: string): string {
  return nanos.padStart(20, '0');
}

/**
 * Text bound to SQLite never holds a NUL: Node 22's `node:sqlite` cuts bound strings at the first one
 * (Node 24 does not). Span keys (`spanVersionKey`) join hex ids and digits with NULs: stored with `|`.
 */
function storedKey(key: string): string {
  return key.replaceAll('\u0000', '|');
}

/** A facet value as stored and matched: JSON, so any character survives (see {@link storedKey}). */
function storedValue(value: string): string {
  return JSON.stringify(value);
}

/** The nanosecond string of a {@link timeKey} (model times have no leading zeros). */
function fromTimeKey(key: string): string {
  let start = 0;
  while (start < key.length - 1 && key.charCodeAt(start) === 48) start++;
  return key.slice(start);
}

interface TraceRow {
  trace_id: string;
  start_key: string;
  min_start: string;
  max_start: string;
  max_end: string | null;
  duration_ms: number;
  span_count: number;
  in_flight: number;
  dropped: number;
  version: number;
}

interface SpanRow {
  id: number;
  version_key: string;
  end_key: string | null;
  facets: string;
  span: string;
}

/** A trace while one `add` works on it. */
interface WorkingTrace {
  traceId: string;
  isNew: boolean;
  minStart: string;
  maxStart: string;
  maxEnd: string | undefined;
  spanCount: number;
  inFlight: number;
  /** Spans refused for this trace (see {@link TraceInfo.droppedSpans}). */
  dropped: number;
  /** Facet key (`facet\0value`) to the change in its count. */
  facetDeltas: Map<string, number>;
  rescan: boolean;
}

interface Counters {
  spans: number;
  traces: number;
  in_flight: number;
  evicted_traces: number;
  evicted_spans: number;
  dropped_spans: number;
  version_seq: number;
  active_seq: number;
}

/**
 * The file-backed {@link TraceStore}: every span in one SQLite file through Node's built-in
 * `node:sqlite` (no native build), so traces survive a restart. See {@link TraceStore} for the
 * contract it shares with `MemoryTraceStore`; both pass one suite of tests.
 *
 * - **Durable once answered.** Each {@link SqliteTraceStore.add} is one transaction, committed before it
 *   returns, in WAL mode with `synchronous=NORMAL`: a committed transaction survives a crash of the
 *   process (`kill -9`); a power cut may lose the last ones (SQLite's documented trade-off of NORMAL).
 * - **One process per file.** The file is locked (`locking_mode=EXCLUSIVE`) while open: a second
 *   dashboard on the same file gets a `StoreOpenError` (`in_use`), not a half-shared store.
 * - **Versioned.** The schema is migrated forward on open; a file from a newer dashboard is refused
 *   (`StoreVersionError`), a damaged one reported (`StoreCorruptError`), and neither is written to.
 * - **Fast at a million spans.** Listing reads one index by start time (and the facet index for
 *   filters); opening a trace reads its rows by trace id; per-tool figures read the small `calls` table.
 *
 * @example
 * ```ts
 * const store = new SqliteTraceStore({ path: 'traces.db', maxAgeMs: 7 * 24 * 3600_000 });
 * store.add(otlpToSpans(request).spans);
 * store.close();
 * ```
 */
export class SqliteTraceStore implements TraceStore {
  private readonly db: DatabaseSync;
  private readonly changes: EventChannel<TraceStoreChange>;
  private readonly now: () => number;
  private readonly statements: ReturnType<typeof prepareStatements>;
  private readonly queries = new Map<string, StatementSync>();
  private counters: Counters;
  private evictedNow: string[] = [];
  private closed = false;

  readonly location: string;
  readonly maxSpans: number;
  readonly maxTraces: number;
  readonly maxAgeMs: number;
  readonly maxSpansPerTrace: number;

  constructor(options: SqliteTraceStoreOptions) {
    validateOption.object('SqliteTraceStore options', options);
    const path = validateOption.nonEmptyString('SqliteTraceStore.path', options.path);
    const limits = resolveTraceStoreLimits('SqliteTraceStore', options, { maxSpans: Number.POSITIVE_INFINITY, maxTraces: Number.POSITIVE_INFINITY });
    const checkIntegrity = options.checkIntegrity ?? true;
    if (typeof checkIntegrity !== 'boolean') throw new InvalidOptionError('SqliteTraceStore.checkIntegrity', 'a boolean', checkIntegrity);
    const migrations = options.migrations ?? STORE_MIGRATIONS;
    this.location = path;
    this.maxSpans = limits.maxSpans;
    this.maxTraces = limits.maxTraces;
    this.maxAgeMs = limits.maxAgeMs;
    this.maxSpansPerTrace = limits.maxSpansPerTrace;
    this.now = limits.now;
    this.changes = new EventChannel({ onError: limits.onError });
    this.db = openDatabase(path, checkIntegrity, migrations);
    try {
      this.statements = prepareStatements(this.db);
      this.counters = { ...(this.statements.readCounters.get() as unknown as Counters) };
    } catch (error) {
      this.db.close();
      throw fileError(path, error);
    }
  }

  get traceCount(): number {
    return this.counters.traces;
  }

  stats(): TraceStoreStats {
    const c = this.counters;
    return {
      traces: c.traces,
      spans: c.spans,
      inFlightSpans: c.in_flight,
      storage: 'sqlite',
      maxTraces: boundOrNull(this.maxTraces),
      maxSpans: boundOrNull(this.maxSpans),
      maxAgeMs: boundOrNull(this.maxAgeMs),
      maxSpansPerTrace: boundOrNull(this.maxSpansPerTrace),
      evictedTraces: c.evicted_traces,
      evictedSpans: c.evicted_spans,
      droppedSpans: c.dropped_spans,
    };
  }

  add(spans: readonly SpanRecord[]): TraceStoreAddResult {
    this.assertOpen();
    const result: TraceStoreAddResult = { added: 0, updated: 0, unchanged: 0, dropped: 0, droppedAtTraceLimit: 0, evictedTraces: 0 };
    const before = { ...this.counters };
    const nowMs = this.now();
    const changes: TraceChange[] = [];
    this.evictedNow = [];
    this.statements.begin.run();
    try {
      this.evictOlderThan(nowMs);
      for (const [traceId, group] of groupByTrace(spans)) {
        const change = this.addToTrace(traceId, group, nowMs, result);
        if (change !== undefined) changes.push(change);
      }
      this.writeCounters();
      this.statements.commit.run();
    } catch (error) {
      this.rollback();
      this.counters = before;
      this.evictedNow = [];
      throw fileError(this.location, error);
    }
    const evicted = this.evictedNow;
    this.evictedNow = [];
    result.evictedTraces = evicted.length;
    const evictedSet = new Set(evicted);
    const traces = changes.filter((change) => !evictedSet.has(change.traceId));
    if (traces.length > 0 || evicted.length > 0) this.changes.emit({ traces, evicted });
    return result;
  }

  has(traceId: string): boolean {
    this.assertOpen();
    return this.statements.hasTrace.get(traceId) !== undefined;
  }

  getSpans(traceId: string): SpanRecord[] | undefined {
    this.assertOpen();
    const rows = this.statements.traceSpans.all(traceId) as unknown as Array<{ span: string }>;
    if (rows.length === 0) return this.has(traceId) ? [] : undefined;
    return rows.map((row) => JSON.parse(row.span) as SpanRecord);
  }

  getInfo(traceId: string): TraceInfo | undefined {
    this.assertOpen();
    const row = this.statements.readTrace.get(traceId) as unknown as TraceRow | undefined;
    if (row === undefined) return undefined;
    const values: Record<Facet, string[]> = { service: [], agent: [], tool: [], outcome: [] };
    for (const { facet, value } of this.statements.traceFacets.all(traceId) as unknown as Array<{ facet: Facet; value: string }>) {
      values[facet].push(JSON.parse(value) as string);
    }
    // Sorted as the memory store sorts (UTF-16 code units), not as SQLite does (UTF-8 bytes).
    for (const list of Object.values(values)) list.sort();
    const info: TraceInfo = {
      traceId,
      startTimeUnixNano: row.min_start,
      durationMs: row.duration_ms,
      spanCount: row.span_count,
      inFlightCount: row.in_flight,
      droppedSpans: row.dropped,
      services: values.service,
      agents: values.agent,
      tools: values.tool,
      outcomes: values.outcome,
      version: row.version,
    };
    if (row.max_end !== null) info.endTimeUnixNano = row.max_end;
    return info;
  }

  findTraces(filter: TraceFilter, limit: number, after?: TraceKey): TraceIdPage {
    this.assertOpen();
    const { where, values } = filterClause(filter);
    const conditions = [...where];
    const bound = [...values];
    if (after !== undefined) {
      conditions.push('(t.start_key, t.trace_id) < (?, ?)');
      bound.push(timeKey(after.startTimeUnixNano), after.traceId);
    }
    const sql =
      `SELECT t.trace_id AS traceId, t.min_start AS start FROM traces t${conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : ''}` +
      ' ORDER BY t.start_key DESC, t.trace_id DESC LIMIT ?';
    // One row more than asked: whether there is a next page.
    const take = limit === Number.POSITIVE_INFINITY ? -1 : limit + 1;
    const rows = this.query(sql).all(...bound, take) as unknown as Array<{ traceId: string; start: string }>;
    if (limit !== Number.POSITIVE_INFINITY && rows.length > limit) {
      const last = rows[limit - 1]!;
      return { traceIds: rows.slice(0, limit).map((row) => row.traceId), next: { startTimeUnixNano: last.start, traceId: last.traceId } };
    }
    return { traceIds: rows.map((row) => row.traceId) };
  }

  findCalls(filter: TraceFilter): CallFigures[] {
    this.assertOpen();
    const { where, values } = filterClause(filter);
    // A call recorded twice, by a framework's span around the runner's span of the same call, is one
    // call: the wrapper (a call with a child call of the same operation and tool) is left out, as
    // `callFiguresOfSpans` does.
    const notWrapper =
      'NOT EXISTS (SELECT 1 FROM calls w WHERE w.trace_id = c.trace_id AND w.parent_id = c.span_id AND w.tool = c.tool AND w.operation = c.operation)';
    const columns = 'c.tool, c.operation, c.duration_ms, c.queue_wait_ms, c.outcome, c.input_tokens, c.output_tokens';
    const sql =
      where.length === 0
        ? `SELECT ${columns} FROM calls c WHERE ${notWrapper}`
        : `SELECT ${columns} FROM traces t JOIN calls c ON c.trace_id = t.trace_id WHERE ${where.join(' AND ')} AND ${notWrapper}`;
    // Rows as arrays: half the cost of objects when there are a million of them.
    const statement = this.query(`${sql} /* arrays */`, true);
    const rows = statement.all(...values) as unknown as Array<[string, 'execute_tool' | 'chat', number, number | null, Outcome, number | null, number | null]>;
    const calls: CallFigures[] = new Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const [tool, operation, durationMs, queueWaitMs, outcome, inputTokens, outputTokens] = rows[i]!;
      calls[i] = { tool, operation, durationMs, queueWaitMs: queueWaitMs ?? undefined, outcome, inputTokens: inputTokens ?? undefined, outputTokens: outputTokens ?? undefined };
    }
    return calls;
  }

  traceIds(): string[] {
    this.assertOpen();
    return (this.statements.allTraceIds.all() as unknown as Array<{ trace_id: string }>).map((row) => row.trace_id);
  }

  cachedSummary(traceId: string): CachedSummary | undefined {
    this.assertOpen();
    const row = this.statements.readSummary.get(traceId) as { summary_version: number | null; summary: string | null } | undefined;
    if (row === undefined || row.summary_version === null || row.summary === null) return undefined;
    return { version: row.summary_version, summary: JSON.parse(row.summary) as TraceSummary };
  }

  keepSummary(traceId: string, cached: CachedSummary): void {
    this.assertOpen();
    this.statements.writeSummary.run(cached.version, JSON.stringify(cached.summary), traceId);
  }

  evictExpired(): number {
    this.assertOpen();
    if (this.maxAgeMs === Number.POSITIVE_INFINITY) return 0;
    const before = { ...this.counters };
    this.evictedNow = [];
    this.statements.begin.run();
    try {
      this.evictOlderThan(this.now());
      this.writeCounters();
      this.statements.commit.run();
    } catch (error) {
      this.rollback();
      this.counters = before;
      this.evictedNow = [];
      throw fileError(this.location, error);
    }
    const evicted = this.evictedNow;
    this.evictedNow = [];
    if (evicted.length > 0) this.changes.emit({ traces: [], evicted });
    return evicted.length;
  }

  onChange(listener: (change: TraceStoreChange) => void): Disposer {
    return this.changes.on(listener);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    // Folds the write-ahead log back into the file, so a closed store is one file.
    try {
      this.db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    } finally {
      this.db.close();
    }
  }

  /** Adds one trace's spans inside the open transaction; the trace's change, or undefined when nothing changed. */
  private addToTrace(traceId: string, group: readonly SpanRecord[], nowMs: number, result: TraceStoreAddResult): TraceChange | undefined {
    const s = this.statements;
    const row = s.readTrace.get(traceId) as unknown as TraceRow | undefined;
    if (row === undefined) {
      while (this.counters.traces >= this.maxTraces && this.evictOldest(undefined));
    }
    const trace: WorkingTrace =
      row === undefined
        ? { traceId, isNew: true, minStart: '', maxStart: '', maxEnd: undefined, spanCount: 0, inFlight: 0, dropped: 0, facetDeltas: new Map(), rescan: false }
        : {
            traceId,
            isNew: false,
            minStart: row.min_start,
            maxStart: row.max_start,
            maxEnd: row.max_end ?? undefined,
            spanCount: row.span_count,
            inFlight: row.in_flight,
            dropped: row.dropped,
            facetDeltas: new Map(),
            rescan: false,
          };
    const droppedBefore = trace.dropped;
    const change: TraceChange = { traceId, added: [], updated: [] };
    for (const span of group) {
      const held = s.spanAtSlot.get(traceId, span.spanId) as unknown as SpanRow | undefined;
      const slot = storedKey(spanSlot(held?.version_key.replaceAll('|', '\u0000'), span));
      const existing = slot === span.spanId ? held : (s.spanAtSlot.get(traceId, slot) as unknown as SpanRow | undefined);
      const json = JSON.stringify(span);
      if (existing !== undefined) {
        if (!wins(span, json, existing)) {
          result.unchanged++;
          continue;
        }
        this.countFacets(trace, existing.facets, -1);
        if (existing.end_key === null) this.adjustInFlight(trace, -1);
        const facets = facetText(span);
        const endKey = span.endTimeUnixNano === undefined ? null : timeKey(span.endTimeUnixNano);
        s.updateSpan.run(endKey, facets, json, existing.id);
        this.countFacets(trace, facets, 1);
        if (span.endTimeUnixNano === undefined) this.adjustInFlight(trace, 1);
        this.writeCall(traceId, slot, span);
        // A version of a span keeps its start; its end only moves back when an ended copy replaces another.
        if (existing.end_key !== null && (endKey === null || endKey < existing.end_key)) trace.rescan = true;
        else extendTimes(trace, span);
        change.updated.push(span);
        result.updated++;
        continue;
      }
      if (trace.spanCount >= this.maxSpansPerTrace) {
        result.dropped++;
        result.droppedAtTraceLimit++;
        this.counters.dropped_spans++;
        trace.dropped++;
        continue;
      }
      while (this.counters.spans >= this.maxSpans && this.evictOldest(traceId));
      if (this.counters.spans >= this.maxSpans) {
        result.dropped++;
        this.counters.dropped_spans++;
        trace.dropped++;
        continue;
      }
      const facets = facetText(span);
      s.insertSpan.run(traceId, slot, storedKey(spanVersionKey(span)), timeKey(span.startTimeUnixNano), span.endTimeUnixNano === undefined ? null : timeKey(span.endTimeUnixNano), facets, json);
      this.countFacets(trace, facets, 1);
      if (span.endTimeUnixNano === undefined) this.adjustInFlight(trace, 1);
      this.writeCall(traceId, slot, span);
      trace.spanCount++;
      this.counters.spans++;
      extendTimes(trace, span);
      change.added.push(span);
      result.added++;
    }
    const activeSeq = ++this.counters.active_seq;
    if (trace.spanCount === 0) return undefined;
    // A drop changes what the trace reports (its droppedSpans), so it counts as a change too.
    if (change.added.length === 0 && change.updated.length === 0 && trace.dropped === droppedBefore) {
      // Touched, not changed: it is still the most recently active.
      s.touchTrace.run(activeSeq, nowMs, traceId);
      return undefined;
    }
    if (trace.rescan) {
      const times = s.traceTimes.get(traceId) as { min_start: string; max_start: string; max_end: string | null };
      trace.minStart = fromTimeKey(times.min_start);
      trace.maxStart = fromTimeKey(times.max_start);
      trace.maxEnd = times.max_end === null ? undefined : fromTimeKey(times.max_end);
    }
    for (const [key, delta] of trace.facetDeltas) {
      if (delta === 0) continue;
      const [facet, value] = splitFacetKey(key);
      if (delta > 0) s.addFacet.run(facet, storedValue(value), traceId, delta);
      else {
        s.subtractFacet.run(-delta, facet, storedValue(value), traceId);
        s.dropEmptyFacet.run(facet, storedValue(value), traceId);
      }
    }
    const version = ++this.counters.version_seq;
    const durationMs = traceDurationMs(trace.minStart, trace.maxStart, trace.maxEnd);
    const minStart = trace.minStart;
    if (trace.isNew) {
      this.counters.traces++;
      s.insertTrace.run(traceId, timeKey(minStart), minStart, trace.maxStart, trace.maxEnd ?? null, durationMs, trace.spanCount, trace.inFlight, trace.dropped, version, activeSeq, nowMs);
    } else {
      s.updateTrace.run(timeKey(minStart), minStart, trace.maxStart, trace.maxEnd ?? null, durationMs, trace.spanCount, trace.inFlight, trace.dropped, version, activeSeq, nowMs, traceId);
    }
    return change;
  }

  private adjustInFlight(trace: WorkingTrace, delta: number): void {
    trace.inFlight += delta;
    this.counters.in_flight += delta;
  }

  private countFacets(trace: WorkingTrace, facets: string, sign: 1 | -1): void {
    for (const [facet, value] of JSON.parse(facets) as Array<[Facet, string]>) {
      const key = `${facet}\u0000${value}`;
      trace.facetDeltas.set(key, (trace.facetDeltas.get(key) ?? 0) + sign);
    }
  }

  private writeCall(traceId: string, slot: string, span: SpanRecord): void {
    const call = callFigures(span);
    if (call === undefined) {
      this.statements.deleteCall.run(traceId, slot);
      return;
    }
    this.statements.writeCall.run(
      traceId,
      slot,
      span.spanId,
      span.parentSpanId ?? null,
      call.tool,
      call.operation,
      call.durationMs,
      call.queueWaitMs ?? null,
      call.outcome,
      call.inputTokens ?? null,
      call.outputTokens ?? null,
    );
  }

  /** Evicts, least recently active first, the traces that last changed before `nowMs - maxAgeMs`. */
  private evictOlderThan(nowMs: number): void {
    if (this.maxAgeMs === Number.POSITIVE_INFINITY) return;
    const expired = this.statements.expiredTraces.all(nowMs - this.maxAgeMs) as unknown as Array<{ trace_id: string; span_count: number; in_flight: number }>;
    for (const row of expired) this.evict(row);
  }

  /** Evicts the least recently active trace other than `keep`; false when there is none. */
  private evictOldest(keep: string | undefined): boolean {
    const row = this.statements.oldestTrace.get(keep ?? '') as { trace_id: string; span_count: number; in_flight: number } | undefined;
    if (row === undefined) return false;
    this.evict(row);
    return true;
  }

  private evict(row: { trace_id: string; span_count: number; in_flight: number }): void {
    const s = this.statements;
    s.deleteSpans.run(row.trace_id);
    s.deleteCalls.run(row.trace_id);
    s.deleteFacets.run(row.trace_id);
    s.deleteTrace.run(row.trace_id);
    this.counters.traces--;
    this.counters.spans -= row.span_count;
    this.counters.in_flight -= row.in_flight;
    this.counters.evicted_traces++;
    this.counters.evicted_spans += row.span_count;
    this.evictedNow.push(row.trace_id);
  }

  private writeCounters(): void {
    const c = this.counters;
    this.statements.writeCounters.run(c.spans, c.traces, c.in_flight, c.evicted_traces, c.evicted_spans, c.dropped_spans, c.version_seq, c.active_seq);
  }

  private rollback(): void {
    try {
      if (this.db.isTransaction) this.statements.rollback.run();
    } catch {
      // The transaction is gone already (SQLite rolls back by itself after some errors).
    }
  }

  private query(sql: string, arrays = false): StatementSync {
    let statement = this.queries.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare(sql);
      if (arrays) statement.setReturnArrays(true);
      this.queries.set(sql, statement);
    }
    return statement;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error(`SqliteTraceStore(${this.location}) is closed`);
  }
}

/** Whether `span` (serialised as `json`) wins over the stored version, by `compareSpanVersions`, reading the stored one only when needed. */
function wins(span: SpanRecord, json: string, existing: SpanRow): boolean {
  if (json === existing.span) return false;
  const ended = span.endTimeUnixNano !== undefined;
  const existingEnded = existing.end_key !== null;
  if (ended !== existingEnded) return ended;
  return compareSpanVersions(span, JSON.parse(existing.span) as SpanRecord) > 0;
}

/** A span's facets as stored in its row, JSON (so a NUL in a value survives, see {@link storedKey}). */
function facetText(span: SpanRecord): string {
  return JSON.stringify(spanFacets(span).map(({ facet, value }) => [facet, value]));
}

function splitFacetKey(key: string): [Facet, string] {
  const separator = key.indexOf('\u0000');
  return [key.slice(0, separator) as Facet, key.slice(separator + 1)];
}

function extendTimes(trace: WorkingTrace, span: SpanRecord): void {
  if (trace.minStart === '' || compareNanos(span.startTimeUnixNano, trace.minStart) < 0) trace.minStart = span.startTimeUnixNano;
  if (trace.maxStart === '' || compareNanos(span.startTimeUnixNano, trace.maxStart) > 0) trace.maxStart = span.startTimeUnixNano;
  const end = span.endTimeUnixNano;
  if (end !== undefined && (trace.maxEnd === undefined || compareNanos(end, trace.maxEnd) > 0)) trace.maxEnd = end;
}

/** The SQL conditions of a filter on the traces table (aliased `t`), and the values they bind. */
function filterClause(filter: TraceFilter): { where: string[]; values: SQLInputValue[] } {
  const where: string[] = [];
  const values: SQLInputValue[] = [];
  if (filter.sinceMs !== undefined) {
    where.push('t.start_key >= ?');
    values.push(timeKey(msToNanos(Math.max(0, filter.sinceMs))));
  }
  if (filter.untilMs !== undefined) {
    where.push('t.start_key <= ?');
    values.push(timeKey(msToNanos(Math.max(0, filter.untilMs))));
  }
  if (filter.minDurationMs !== undefined) {
    where.push('t.duration_ms >= ?');
    values.push(filter.minDurationMs);
  }
  if (filter.maxDurationMs !== undefined) {
    where.push('t.duration_ms <= ?');
    values.push(filter.maxDurationMs);
  }
  for (const facet of FACETS) {
    const value = filter[facet];
    if (value === undefined) continue;
    where.push('EXISTS (SELECT 1 FROM trace_facets f WHERE f.facet = ? AND f.value = ? AND f.trace_id = t.trace_id)');
    values.push(facet, storedValue(value));
  }
  return { where, values };
}

function prepareStatements(db: DatabaseSync) {
  const p = (sql: string): StatementSync => db.prepare(sql);
  return {
    begin: p('BEGIN IMMEDIATE'),
    commit: p('COMMIT'),
    rollback: p('ROLLBACK'),
    readCounters: p('SELECT spans, traces, in_flight, evicted_traces, evicted_spans, dropped_spans, version_seq, active_seq FROM counters WHERE id = 1'),
    writeCounters: p(
      'UPDATE counters SET spans = ?, traces = ?, in_flight = ?, evicted_traces = ?, evicted_spans = ?, dropped_spans = ?, version_seq = ?, active_seq = ? WHERE id = 1',
    ),
    hasTrace: p('SELECT 1 FROM traces WHERE trace_id = ?'),
    readTrace: p('SELECT trace_id, start_key, min_start, max_start, max_end, duration_ms, span_count, in_flight, dropped, version FROM traces WHERE trace_id = ?'),
    insertTrace: p(
      'INSERT INTO traces (trace_id, start_key, min_start, max_start, max_end, duration_ms, span_count, in_flight, dropped, version, active_seq, active_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    updateTrace: p(
      'UPDATE traces SET start_key = ?, min_start = ?, max_start = ?, max_end = ?, duration_ms = ?, span_count = ?, in_flight = ?, dropped = ?, version = ?, active_seq = ?, active_ms = ? WHERE trace_id = ?',
    ),
    touchTrace: p('UPDATE traces SET active_seq = ?, active_ms = ? WHERE trace_id = ?'),
    traceTimes: p('SELECT min(start_key) AS min_start, max(start_key) AS max_start, max(end_key) AS max_end FROM spans WHERE trace_id = ?'),
    deleteTrace: p('DELETE FROM traces WHERE trace_id = ?'),
    oldestTrace: p('SELECT trace_id, span_count, in_flight FROM traces WHERE trace_id <> ? ORDER BY active_seq LIMIT 1'),
    expiredTraces: p('SELECT trace_id, span_count, in_flight FROM traces WHERE active_ms < ? ORDER BY active_seq'),
    allTraceIds: p('SELECT trace_id FROM traces ORDER BY active_seq'),
    readSummary: p('SELECT summary_version, summary FROM traces WHERE trace_id = ?'),
    writeSummary: p('UPDATE traces SET summary_version = ?, summary = ? WHERE trace_id = ?'),
    spanAtSlot: p('SELECT id, version_key, end_key, facets, span FROM spans WHERE trace_id = ? AND slot = ?'),
    insertSpan: p('INSERT INTO spans (trace_id, slot, version_key, start_key, end_key, facets, span) VALUES (?, ?, ?, ?, ?, ?, ?)'),
    updateSpan: p('UPDATE spans SET end_key = ?, facets = ?, span = ? WHERE id = ?'),
    traceSpans: p('SELECT span FROM spans WHERE trace_id = ? ORDER BY id'),
    deleteSpans: p('DELETE FROM spans WHERE trace_id = ?'),
    traceFacets: p('SELECT facet, value FROM trace_facets WHERE trace_id = ?'),
    addFacet: p('INSERT INTO trace_facets (facet, value, trace_id, count) VALUES (?, ?, ?, ?) ON CONFLICT (facet, value, trace_id) DO UPDATE SET count = count + excluded.count'),
    subtractFacet: p('UPDATE trace_facets SET count = count - ? WHERE facet = ? AND value = ? AND trace_id = ?'),
    dropEmptyFacet: p('DELETE FROM trace_facets WHERE facet = ? AND value = ? AND trace_id = ? AND count <= 0'),
    deleteFacets: p('DELETE FROM trace_facets WHERE trace_id = ?'),
    writeCall: p(
      'INSERT INTO calls (trace_id, slot, span_id, parent_id, tool, operation, duration_ms, queue_wait_ms, outcome, input_tokens, output_tokens) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ' +
        'ON CONFLICT (trace_id, slot) DO UPDATE SET span_id = excluded.span_id, parent_id = excluded.parent_id, tool = excluded.tool, operation = excluded.operation, ' +
        'duration_ms = excluded.duration_ms, queue_wait_ms = excluded.queue_wait_ms, outcome = excluded.outcome, input_tokens = excluded.input_tokens, output_tokens = excluded.output_tokens',
    ),
    deleteCall: p('DELETE FROM calls WHERE trace_id = ? AND slot = ?'),
    deleteCalls: p('DELETE FROM calls WHERE trace_id = ?'),
  };
}

/**
 * Opens the file, checks it is a dashboard store this dashboard can use, switches it to WAL and brings
 * its schema up to date. Nothing is written before every check has passed.
 */
function openDatabase(path: string, checkIntegrity: boolean, migrations: readonly StoreMigration[]): DatabaseSync {
  const { DatabaseSync } = loadSqlite();
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(path);
  } catch (error) {
    throw fileError(path, error);
  }
  try {
    // Held until close: a second process gets SQLITE_BUSY instead of sharing the store.
    db.exec('PRAGMA locking_mode = EXCLUSIVE');
    const applicationId = (db.prepare('PRAGMA application_id').get() as { application_id: number }).application_id;
    const fileVersion = (db.prepare('PRAGMA user_version').get() as { user_version: number }).user_version;
    const supported = migrations[migrations.length - 1]?.version ?? 0;
    if (applicationId !== STORE_APPLICATION_ID) {
      const tables = (db.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%'").get() as { n: number }).n;
      if (applicationId !== 0 || fileVersion !== 0 || tables > 0) {
        throw new StoreOpenError(path, 'not_a_store', 'it is an SQLite database of another program (not an Overlap dashboard store); it was left untouched');
      }
    }
    if (fileVersion > supported) throw new StoreVersionError(path, fileVersion, supported);
    if (checkIntegrity && fileVersion > 0) {
      const problems = (db.prepare('PRAGMA quick_check(5)').all() as Array<{ quick_check: string }>).map((row) => row.quick_check);
      if (problems.length !== 1 || problems[0] !== 'ok') throw new StoreCorruptError(path, problems.join('; '));
    }
    const mode = (db.prepare('PRAGMA journal_mode = WAL').get() as { journal_mode: string }).journal_mode;
    if (mode !== 'wal') throw new StoreOpenError(path, 'cannot_open', `SQLite would not switch it to WAL mode (it stayed in ${mode} mode)`);
    db.exec('PRAGMA synchronous = NORMAL');
    for (const migration of migrations) {
      if (migration.version <= fileVersion) continue;
      db.exec('BEGIN IMMEDIATE');
      try {
        migration.up(db);
        db.exec(`PRAGMA application_id = ${STORE_APPLICATION_ID}`);
        db.exec(`PRAGMA user_version = ${migration.version}`);
        db.exec('COMMIT');
      } catch (error) {
        if (db.isTransaction) db.exec('ROLLBACK');
        throw error;
      }
    }
    return db;
  } catch (error) {
    db.close();
    throw fileError(path, error);
  }
}

/** An SQLite error as the store's typed error; the store's own errors pass through. */
function fileError(path: string, error: unknown): unknown {
  const sqlite = error as { code?: unknown; errcode?: unknown; errstr?: unknown; message?: unknown };
  if (sqlite?.code !== 'ERR_SQLITE_ERROR' || typeof sqlite.errcode !== 'number') return error;
  const primary = sqlite.errcode & 0xff;
  const detail = typeof sqlite.errstr === 'string' ? sqlite.errstr : String(sqlite.message);
  if (primary === SQLITE_CORRUPT || primary === SQLITE_NOTADB) return new StoreCorruptError(path, detail, { cause: error });
  if (primary === SQLITE_BUSY || primary === SQLITE_LOCKED) {
    return new StoreOpenError(path, 'in_use', 'another process has it open (another dashboard with the same --db?)', { cause: error });
  }
  if (primary === SQLITE_CANTOPEN) return new StoreOpenError(path, 'cannot_open', `${detail} (does its directory exist, and may this user write there?)`, { cause: error });
  return error;
}
