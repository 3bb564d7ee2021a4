/**
 * The SQLite store's schema and its migrations. The file's `PRAGMA user_version` is the schema version
 * it is at; `PRAGMA application_id` marks it as a dashboard store, so a database of another program is
 * never taken over. Opening a file runs, in one transaction each, the migrations from its version up to
 * {@link STORE_SCHEMA_VERSION}; a file at a newer version is refused (`StoreVersionError`).
 *
 * To change the schema: add a migration at the end of {@link STORE_MIGRATIONS} (never edit one that has
 * shipped), and a test that opens a file of the previous version.
 *
 * @packageDocumentation
 */
import type { DatabaseSync } from 'node:sqlite';

/** `PRAGMA application_id` of a dashboard store: "OVLP" in ASCII. */
export const STORE_APPLICATION_ID = 0x4f564c50;

/** One step of the schema: from `version - 1` to `version`. */
export interface StoreMigration {
  /** The schema version the file is at after this step. */
  readonly version: number;
  /** What the step does, for the log and the docs. */
  readonly description: string;
  /** Runs inside the step's transaction. */
  readonly up: (db: DatabaseSync) => void;
}

/**
 * Version 1, the first schema.
 *
 * - `traces`: one row per trace, with what listing and filtering need (start as a 20-digit zero-padded
 *   nanosecond key, so text order is time order; duration; counts; version) and the order of activity
 *   that eviction follows (`active_seq`, `active_ms`); the cached summary and the version it was computed at.
 * - `spans`: the spans as JSON, in arrival order (`id`), one row per slot of a trace (see `spanSlot`),
 *   with the few fields the merge reads without parsing (version key with `|` between its parts, start and
 *   end as time keys, facets as JSON).
 * - `trace_facets`: per trace, how many spans carry each service, agent, tool and outcome (values as
 *   JSON strings: text bound through Node 22's `node:sqlite` must not hold a NUL).
 * - `calls`: the `CallFigures` of every ended call, so per-tool percentiles read no span JSON.
 * - `counters`: one row of the store's counters (sizes, evictions, the version and activity sequences).
 */
const SCHEMA_V1 = `
CREATE TABLE traces (
  trace_id TEXT PRIMARY KEY,
  start_key TEXT NOT NULL,
  min_start TEXT NOT NULL,
  max_start TEXT NOT NULL,
  max_end TEXT,
  duration_ms REAL NOT NULL,
  span_count INTEGER NOT NULL,
  in_flight INTEGER NOT NULL,
  dropped INTEGER NOT NULL,
  version INTEGER NOT NULL,
  active_seq INTEGER NOT NULL,
  active_ms REAL NOT NULL,
  summary_version INTEGER,
  summary TEXT
);
CREATE INDEX traces_by_start ON traces (start_key, trace_id);
CREATE INDEX traces_by_activity ON traces (active_seq);

CREATE TABLE spans (
  id INTEGER PRIMARY KEY,
  trace_id TEXT NOT NULL,
  slot TEXT NOT NULL,
  version_key TEXT NOT NULL,
  start_key TEXT NOT NULL,
  end_key TEXT,
  facets TEXT NOT NULL,
  span TEXT NOT NULL
);
CREATE UNIQUE INDEX spans_by_slot ON spans (trace_id, slot);

CREATE TABLE trace_facets (
  facet TEXT NOT NULL,
  value TEXT NOT NULL,
  trace_id TEXT NOT NULL,
  count INTEGER NOT NULL,
  PRIMARY KEY (facet, value, trace_id)
) WITHOUT ROWID;
CREATE INDEX trace_facets_by_trace ON trace_facets (trace_id);

CREATE TABLE calls (
  trace_id TEXT NOT NULL,
  slot TEXT NOT NULL,
  span_id TEXT NOT NULL,
  parent_id TEXT,
  tool TEXT NOT NULL,
  operation TEXT NOT NULL,
  duration_ms REAL NOT NULL,
  queue_wait_ms REAL,
  outcome TEXT NOT NULL,
  input_tokens REAL,
  output_tokens REAL,
  PRIMARY KEY (trace_id, slot)
) WITHOUT ROWID;
CREATE INDEX calls_by_parent ON calls (trace_id, parent_id);

CREATE TABLE counters (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  spans INTEGER NOT NULL,
  traces INTEGER NOT NULL,
  in_flight INTEGER NOT NULL,
  evicted_traces INTEGER NOT NULL,
  evicted_spans INTEGER NOT NULL,
  dropped_spans INTEGER NOT NULL,
  version_seq INTEGER NOT NULL,
  active_seq INTEGER NOT NULL
);
INSERT INTO counters VALUES (1, 0, 0, 0, 0, 0, 0, 0, 0);
`;

/** Every schema step, in order. */
export const STORE_MIGRATIONS: readonly StoreMigration[] = [
  { version: 1, description: 'traces, spans, facets, calls and counters', up: (db) => db.exec(SCHEMA_V1) },
];

/** The schema version this dashboard reads and writes. */
export const STORE_SCHEMA_VERSION = STORE_MIGRATIONS[STORE_MIGRATIONS.length - 1]!.version;
