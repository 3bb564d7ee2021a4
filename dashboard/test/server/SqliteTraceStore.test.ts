// What only the file-backed store has: its file outlives the process. Reopening gives back the same
// store; a file it cannot use (newer schema, damaged, another program's, held by another process) is
// refused with a typed error and left byte for byte as it was; schema steps run forward, all or nothing.
// The contract it shares with the memory store is tested in TraceStore.test.ts.
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { GenAiAttributes, assembleTrace, summarizeTrace } from '@overlap/shared';
import type { SpanRecord } from '@overlap/shared';
import { afterAll, describe, expect, it } from 'vitest';
import {
  STORE_MIGRATIONS,
  STORE_SCHEMA_VERSION,
  SqliteTraceStore,
  StoreCorruptError,
  StoreOpenError,
  StoreVersionError,
  isStoreCorruptError,
  isStoreOpenError,
  isStoreVersionError,
} from '../../src/server/index.js';
import type { StoreMigration } from '../../src/server/index.js';
import { msNanos, newTraceId, spanRecord } from './helpers.js';

const directory = mkdtempSync(join(tmpdir(), 'overlap-sqlite-store-'));
let files = 0;

afterAll(() => rmSync(directory, { recursive: true, force: true }));

function freshPath(): string {
  return join(directory, `store-${++files}.db`);
}

function inFlight(span: SpanRecord): SpanRecord {
  const { endTimeUnixNano: _end, ...rest } = span;
  return rest;
}

/** The file's bytes, with its write-ahead log's when there is one. */
function snapshot(path: string): Buffer {
  return Buffer.concat([readFileSync(path), existsSync(`${path}-wal`) ? readFileSync(`${path}-wal`) : Buffer.alloc(0)]);
}

function thrown(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected it to throw');
}

describe('SqliteTraceStore', () => {
  it('constructor - reopening a file gives back every trace, its spans in arrival order, the counters, versions, cursors and kept summaries', () => {
    const path = freshPath();
    const first = new SqliteTraceStore({ path, maxTraces: 3 });
    const ids = [newTraceId(), newTraceId(), newTraceId(), newTraceId()];
    const ended = spanRecord({ traceId: ids[1]!, name: 'late', attributes: { [GenAiAttributes.TOOL_NAME]: 'search' } });
    for (const [i, traceId] of ids.entries()) {
      first.add([spanRecord({ traceId, name: `root ${i}`, startTimeUnixNano: msNanos(1000 + i), endTimeUnixNano: msNanos(2000 + i) })]);
    }
    first.add([inFlight(ended)]);
    const summary = summarizeTrace(assembleTrace(first.getSpans(ids[2]!)!));
    first.keepSummary(ids[2]!, { version: first.getInfo(ids[2]!)!.version, summary });
    const before = {
      stats: first.stats(),
      traceIds: first.traceIds(),
      spans: ids.map((traceId) => first.getSpans(traceId)),
      infos: ids.map((traceId) => first.getInfo(traceId)),
      page: first.findTraces({}, 2),
    };
    first.close();

    const second = new SqliteTraceStore({ path, maxTraces: 3 });
    expect(second.stats()).toEqual(before.stats);
    expect(before.stats).toMatchObject({ traces: 3, spans: 4, inFlightSpans: 1, evictedTraces: 1, evictedSpans: 1 });
    expect(second.traceIds()).toEqual(before.traceIds);
    expect(ids.map((traceId) => second.getSpans(traceId))).toEqual(before.spans);
    expect(ids.map((traceId) => second.getInfo(traceId))).toEqual(before.infos);
    expect(before.page.traceIds).toEqual([ids[3], ids[2]]);
    expect(second.findTraces({}, 2, before.page.next)).toEqual({ traceIds: [ids[1]] });
    expect(second.cachedSummary(ids[2]!)).toEqual({ version: before.infos[2]!.version, summary: JSON.parse(JSON.stringify(summary)) });
    // The in-flight span ends after the restart, and versions go on from where they were.
    expect(second.add([ended])).toMatchObject({ updated: 1 });
    expect(second.getInfo(ids[1]!)!.version).toBeGreaterThan(Math.max(...before.infos.map((info) => info?.version ?? 0)));
    expect(second.stats().inFlightSpans).toBe(0);
    second.close();
  });

  it('constructor - refuses a file from a newer dashboard with a clear message, and leaves it as it was', () => {
    const path = freshPath();
    const store = new SqliteTraceStore({ path });
    store.add([spanRecord({ traceId: newTraceId() })]);
    store.close();
    const db = new DatabaseSync(path);
    db.exec(`PRAGMA user_version = ${STORE_SCHEMA_VERSION + 2}`);
    db.close();
    const bytes = snapshot(path);
    const error = thrown(() => new SqliteTraceStore({ path }));
    expect(error).toBeInstanceOf(StoreVersionError);
    expect(isStoreVersionError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'OVERLAP_STORE_TOO_NEW', path, fileVersion: STORE_SCHEMA_VERSION + 2, supportedVersion: STORE_SCHEMA_VERSION });
    expect((error as Error).message).toBe(
      `${path} was written by a newer Overlap dashboard (store schema version ${STORE_SCHEMA_VERSION + 2}; this one knows versions up to ${STORE_SCHEMA_VERSION}): upgrade @overlap/dashboard, or start with another --db file`,
    );
    expect(snapshot(path).equals(bytes)).toBe(true);
  });

  it('constructor - reports a file that is not a database as corrupt, and never writes to it', () => {
    const path = freshPath();
    const garbage = Buffer.alloc(16_384, 0x5a);
    writeFileSync(path, garbage);
    const error = thrown(() => new SqliteTraceStore({ path }));
    expect(error).toBeInstanceOf(StoreCorruptError);
    expect(isStoreCorruptError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'OVERLAP_STORE_CORRUPT', path, detail: 'file is not a database' });
    expect((error as Error).message).toMatch(/is corrupt or not an SQLite database .*left untouched/);
    expect(readFileSync(path).equals(garbage)).toBe(true);
    expect(existsSync(`${path}-wal`)).toBe(false);
  });

  it('constructor - reports a store whose pages were damaged, found by the integrity check, and leaves it as it was', () => {
    const path = freshPath();
    const store = new SqliteTraceStore({ path });
    const traceId = newTraceId();
    store.add(Array.from({ length: 400 }, (_, i) => spanRecord({ traceId, name: `span ${i}`, attributes: { padding: 'x'.repeat(200) } })));
    store.close();
    const bytes = readFileSync(path);
    const pageSize = bytes.readUInt16BE(16);
    // Scribble over the b-tree header of a page in the middle of the file.
    const damaged = Buffer.from(bytes);
    const page = Math.floor(bytes.length / pageSize / 2);
    damaged.fill(0xff, page * pageSize, page * pageSize + 64);
    writeFileSync(path, damaged);
    const error = thrown(() => new SqliteTraceStore({ path }));
    expect(isStoreCorruptError(error)).toBe(true);
    expect(readFileSync(path).equals(damaged)).toBe(true);
  });

  it('constructor - refuses an SQLite database of another program, and leaves it as it was', () => {
    const path = freshPath();
    const db = new DatabaseSync(path);
    db.exec('CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL); INSERT INTO invoices (total) VALUES (12.5)');
    db.close();
    const bytes = snapshot(path);
    const error = thrown(() => new SqliteTraceStore({ path }));
    expect(isStoreOpenError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'OVERLAP_STORE_OPEN', reason: 'not_a_store' });
    expect(snapshot(path).equals(bytes)).toBe(true);
  });

  it('constructor - refuses a file another store holds open, and says so', () => {
    const path = freshPath();
    const holder = new SqliteTraceStore({ path });
    holder.add([spanRecord({ traceId: newTraceId() })]);
    const error = thrown(() => new SqliteTraceStore({ path }));
    expect(error).toBeInstanceOf(StoreOpenError);
    expect(error).toMatchObject({ reason: 'in_use' });
    expect((error as Error).message).toMatch(/another process has it open/);
    holder.close();
    const after = new SqliteTraceStore({ path });
    expect(after.traceCount).toBe(1);
    after.close();
  });

  it('constructor - says why a file cannot be created', () => {
    const error = thrown(() => new SqliteTraceStore({ path: join(directory, 'no-such-directory', 'x.db') }));
    expect(error).toMatchObject({ code: 'OVERLAP_STORE_OPEN', reason: 'cannot_open' });
  });

  it('constructor - runs the schema steps a file lacks, in order, each all or nothing', () => {
    const path = freshPath();
    const store = new SqliteTraceStore({ path });
    const traceId = newTraceId();
    store.add([spanRecord({ traceId })]);
    store.close();
    const v1 = join(directory, `v1-copy-${files}.db`);
    copyFileSync(path, v1);

    const addNote: StoreMigration = { version: STORE_SCHEMA_VERSION + 1, description: 'a note per trace', up: (db) => db.exec("ALTER TABLE traces ADD COLUMN note TEXT DEFAULT 'kept'") };
    const broken: StoreMigration = {
      version: STORE_SCHEMA_VERSION + 2,
      description: 'fails half way',
      up: (db) => {
        db.exec('CREATE TABLE half_done (x)');
        throw new Error('step failed');
      },
    };
    expect(() => new SqliteTraceStore({ path, migrations: [...STORE_MIGRATIONS, addNote, broken] })).toThrow('step failed');
    const after = new DatabaseSync(path);
    // The good step stayed, the failed one left nothing behind.
    expect(after.prepare('PRAGMA user_version').get()).toEqual({ user_version: STORE_SCHEMA_VERSION + 1 });
    expect(after.prepare('SELECT note FROM traces').all()).toEqual([{ note: 'kept' }]);
    expect(after.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE name = 'half_done'").get()).toEqual({ n: 0 });
    after.close();

    // A file at the previous version is brought up to date, and its traces are all there.
    const upgraded = new SqliteTraceStore({ path: v1, migrations: [...STORE_MIGRATIONS, addNote] });
    expect(upgraded.getSpans(traceId)).toHaveLength(1);
    upgraded.close();
    // And this dashboard now refuses it: it is newer than what it knows.
    expect(() => new SqliteTraceStore({ path: v1 })).toThrow(StoreVersionError);
  });

  it('.close() - folds the write-ahead log into the file, so the closed store is one file', () => {
    const path = freshPath();
    const store = new SqliteTraceStore({ path });
    store.add(Array.from({ length: 50 }, () => spanRecord({ traceId: newTraceId() })));
    expect(existsSync(`${path}-wal`) && statSync(`${path}-wal`).size > 0).toBe(true);
    store.close();
    store.close();
    expect(!existsSync(`${path}-wal`) || statSync(`${path}-wal`).size === 0).toBe(true);
    expect(() => store.add([])).toThrow(/is closed/);
  });
});
