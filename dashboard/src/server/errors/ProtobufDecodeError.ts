import { OverlapError, codeGuard } from '@overlap/shared';

/**
 * Bytes that are not a protobuf `ExportTraceServiceRequest` (truncated, wrong wire types, nested past the
 * decoder's stack). The OTLP endpoint answers it with 400; anything else thrown while decoding is a bug.
 *
 * @example
 * ```ts
 * try {
 *   decodeOtlpProtobufRequest(bytes);
 * } catch (error) {
 *   if (isProtobufDecodeError(error)) console.log(error.message); // "invalid wire type 7 at offset 3"
 * }
 * ```
 */
export class ProtobufDecodeError extends OverlapError {
  readonly code = 'OVERLAP_PROTOBUF_DECODE' as const;

  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
  }
}

/** Whether `error` is a {@link ProtobufDecodeError} (checked by `code`). */
export const isProtobufDecodeError = codeGuard<ProtobufDecodeError>('OVERLAP_PROTOBUF_DECODE');
