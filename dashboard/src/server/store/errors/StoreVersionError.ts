import { OverlapError, codeGuard } from '@overlap/shared';

/**
 * The store's file was written by a newer dashboard, whose schema this one does not know. It is refused,
 * not downgraded: the file is left as it was.
 *
 * @example
 * ```ts
 * if (isStoreVersionError(error)) console.error(`needs schema ${error.fileVersion}, knows ${error.supportedVersion}`);
 * ```
 */
export class StoreVersionError extends OverlapError {
  readonly code = 'OVERLAP_STORE_TOO_NEW' as const;

  constructor(
    /** The file. */
    readonly path: string,
    /** The schema version the file is at. */
    readonly fileVersion: number,
    /** The newest schema version this dashboard reads and writes. */
    readonly supportedVersion: number,
  ) {
    super(
      `${path} was written by a newer Overlap dashboard (store schema version ${fileVersion}; this one knows versions up to ${supportedVersion}): ` +
        'upgrade @overlap/dashboard, or start with another --db file',
    );
  }
}

/** Whether `error` is a {@link StoreVersionError} (checked by `code`, so two installed copies agree). */
export const isStoreVersionError = codeGuard<StoreVersionError>('OVERLAP_STORE_TOO_NEW');
