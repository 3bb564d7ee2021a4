/**
 * Loads `node:sqlite`, only when a file-backed store is asked for (the in-memory default never loads it).
 *
 * Node 22 still marks `node:sqlite` experimental and prints an `ExperimentalWarning` the first time it
 * loads (Node 24 does not). The dashboard relies on it on purpose, from Node 22.15 (where it needs no
 * flag), so that one warning is kept off the user's terminal; every other warning goes through as usual.
 *
 * @packageDocumentation
 */

type Sqlite = typeof import('node:sqlite');

let loaded: Sqlite | undefined;

/**
 * The `node:sqlite` module, loaded synchronously on first use, without its experimental warning.
 *
 * @example
 * ```ts
 * const { DatabaseSync } = loadSqlite();
 * ```
 */
export function loadSqlite(): Sqlite {
  if (loaded !== undefined) return loaded;
  const emitWarning = process.emitWarning;
  process.emitWarning = function (this: NodeJS.Process, warning: string | Error, ...rest: unknown[]): void {
    const type = typeof rest[0] === 'string' ? rest[0] : (rest[0] as { type?: unknown } | undefined)?.type;
    if (type === 'ExperimentalWarning' && String(warning).includes('SQLite')) return;
    (emitWarning as (this: NodeJS.Process, ...args: unknown[]) => void).call(this, warning, ...rest);
  } as typeof process.emitWarning;
  try {
    loaded = process.getBuiltinModule('node:sqlite') as Sqlite;
  } finally {
    process.emitWarning = emitWarning;
  }
  return loaded;
}
