import { OverlapError, codeGuard } from '@overlap/shared';

/**
 * An OTLP/HTTP body that cannot be read in its encoding: not a protobuf `ExportTraceServiceRequest`, or
 * not JSON. The sender's fault, answered with 400; `cause` holds the decoder's or the JSON parser's error.
 *
 * @example
 * ```ts
 * if (isOtlpBodyDecodeError(error)) console.log(error.encoding, error.message);
 * ```
 */
export class OtlpBodyDecodeError extends OverlapError {
  readonly code = 'OVERLAP_OTLP_BODY_DECODE' as const;

  constructor(
    /** The encoding the body was read in. */
    readonly encoding: 'protobuf' | 'json',
    cause: unknown,
  ) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(encoding === 'protobuf' ? `the body is not a valid protobuf ExportTraceServiceRequest: ${reason}` : `the body is not valid JSON: ${reason}`, { cause });
  }
}

/** Whether `error` is an {@link OtlpBodyDecodeError} (checked by `code`). */
export const isOtlpBodyDecodeError = codeGuard<OtlpBodyDecodeError>('OVERLAP_OTLP_BODY_DECODE');
