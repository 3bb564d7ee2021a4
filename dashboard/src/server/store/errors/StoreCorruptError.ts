import { OverlapError, codeGuard } from '@overlap/shared';

/**
 * The store's file is not a readable SQLite database, or SQLite found it damaged. The file is left
 * exactly as it was: nothing is written to it, so it can be inspected or recovered.
 *
 * @example
 * ```ts
 * try { new SqliteTraceStore({ path }); } catch (error) { if (isStoreCorruptError(error)) console.error(error.message); }
 * ```
 */
export class StoreCorruptError extends OverlapError {
  readonly code = 'OVERLAP_STORE_CORRUPT' as const;

  constructor(
    /** The file. */
    readonly path: string,
    /** What SQLite said, such as `file is not a database`. */
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${path} is corrupt or not an SQLite database (${detail}); it was left untouched: move it aside, or start with another --db file`, options);
  }
}

/** Whether `error` is a {@link StoreCorruptError} (checked by `code`, so two installed copies agree). */
export const isStoreCorruptError = codeGuard<StoreCorruptError>('OVERLAP_STORE_CORRUPT');
