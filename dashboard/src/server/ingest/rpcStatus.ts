import type { Response } from 'express';
import type { OtlpExportTraceServiceResponse } from '@overlap/shared';
import { encodeOtlpProtobufResponse } from './otlpProtobuf.js';
import { OtlpProtoTypes } from './otlpProtoSchema.js';

/** The two OTLP/HTTP payload encodings. */
export type OtlpEncoding = 'protobuf' | 'json';

/** gRPC status codes used in `google.rpc.Status.code` (informational in OTLP/HTTP). */
export const RpcCode = {
  INVALID_ARGUMENT: 3,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

/** One bad field, for the `google.rpc.BadRequest` detail of a 400. */
export interface FieldViolation {
  field: string;
  description: string;
}

const BAD_REQUEST_TYPE_URL = 'type.googleapis.com/google.rpc.BadRequest';

/**
 * Reads the OTLP encoding from a `Content-Type` header (parameters such as `charset` ignored).
 *
 * @returns `undefined` for any other media type (the caller answers 415).
 */
export function otlpEncodingOf(contentType: string | undefined): OtlpEncoding | undefined {
  const mediaType = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  if (mediaType === 'application/x-protobuf') return 'protobuf';
  if (mediaType === 'application/json') return 'json';
  return undefined;
}

/** Sends a 200 `ExportTraceServiceResponse` in the request's encoding, as OTLP/HTTP requires. */
export function sendExportResponse(res: Response, encoding: OtlpEncoding, response: OtlpExportTraceServiceResponse): void {
  res.status(200);
  if (encoding === 'protobuf') {
    res.type('application/x-protobuf').send(Buffer.from(encodeOtlpProtobufResponse(response)));
  } else {
    res.type('application/json').send(JSON.stringify(response));
  }
}

/**
 * Sends an OTLP/HTTP failure: the HTTP status with a `google.rpc.Status` body in the request's encoding
 * (JSON when the request's media type was not an OTLP one). Field violations go in a
 * `google.rpc.BadRequest` detail, as the specification recommends for 400.
 *
 * @example
 * ```ts
 * sendRpcStatus(res, 'json', 400, RpcCode.INVALID_ARGUMENT, 'body is not valid JSON');
 * ```
 */
export function sendRpcStatus(
  res: Response,
  encoding: OtlpEncoding,
  httpStatus: number,
  code: number,
  message: string,
  violations: readonly FieldViolation[] = [],
): void {
  res.status(httpStatus);
  if (encoding === 'protobuf') {
    const details = violations.length === 0 ? [] : [{ typeUrl: BAD_REQUEST_TYPE_URL, value: OtlpProtoTypes.BadRequest.encode({ fieldViolations: violations }).finish() }];
    const status = OtlpProtoTypes.RpcStatus.encode(OtlpProtoTypes.RpcStatus.fromObject({ code, message, details })).finish();
    res.type('application/x-protobuf').send(Buffer.from(status));
  } else {
    const body: Record<string, unknown> = { code, message };
    if (violations.length > 0) body.details = [{ '@type': BAD_REQUEST_TYPE_URL, fieldViolations: violations }];
    res.type('application/json').send(JSON.stringify(body));
  }
}
