import { OverlapError, codeGuard } from '@overlap/shared';

/**
 * The store's file could not be used: it cannot be opened or created (a missing directory, no
 * permission), another process holds it (another dashboard on the same `--db`), or it is an SQLite
 * database of some other program. Nothing is written to it.
 *
 * @example
 * ```ts
 * if (isStoreOpenError(error) && error.reason === 'in_use') console.error('another dashboard uses this file');
 * ```
 */
export class StoreOpenError extends OverlapError {
  readonly code = 'OVERLAP_STORE_OPEN' as const;

  constructor(
    /** The file. */
    readonly path: string,
    /** `cannot_open`, `in_use` or `not_a_store`. */
    readonly reason: 'cannot_open' | 'in_use' | 'not_a_store',
    /** What went wrong, in words. */
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(`cannot use ${path} as the dashboard's store: ${detail}`, options);
  }
}

/** Whether `error` is a {@link StoreOpenError} (checked by `code`, so two installed copies agree). */
export const isStoreOpenError = codeGuard<StoreOpenError>('OVERLAP_STORE_OPEN');
