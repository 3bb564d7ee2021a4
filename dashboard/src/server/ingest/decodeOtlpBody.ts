import { otlpToSpans } from '@overlap/shared';
import type { OtlpToSpansResult } from '@overlap/shared';
import { OtlpBodyDecodeError } from '../errors/OtlpBodyDecodeError.js';
import { isProtobufDecodeError } from '../errors/ProtobufDecodeError.js';
import { decodeOtlpProtobufMessage, otlpRequestOfMessage } from './otlpProtobuf.js';
import { protobufToSpans } from './protobufToSpans.js';
import { wireToSpans } from './wireToSpans.js';
import type { OtlpEncoding } from './rpcStatus.js';

/**
 * What `POST /v1/traces` does with a body once it is read and inflated: decodes it in its encoding and
 * converts it to span records (invalid spans become `rejected`, the others `spans`). The fuzzing suite
 * drives exactly this function.
 *
 * @throws {@link OtlpBodyDecodeError} for bytes that are not protobuf or JSON, and
 * `InvalidOtlpRequestError` (from `@overlap/shared`) for a request of the wrong structure: both are the
 * sender's fault (400). Anything else thrown is a bug.
 *
 * @example
 * ```ts
 * const { spans, rejected } = decodeOtlpBody(req.body, 'protobuf');
 * ```
 */
export function decodeOtlpBody(body: Uint8Array, encoding: OtlpEncoding): OtlpToSpansResult {
  let request: unknown;
  if (encoding === 'protobuf') {
    // The common case straight from the bytes; anything else through protobufjs.
    const direct = wireToSpans(body);
    if (direct !== undefined) return { spans: direct, rejected: [] };
    let message: Record<string, unknown>;
    try {
      message = decodeOtlpProtobufMessage(body);
    } catch (error) {
      if (!isProtobufDecodeError(error)) throw error;
      throw new OtlpBodyDecodeError('protobuf', error);
    }
    // The common case straight to span records; anything else (a span to reject, say) the general way.
    const spans = protobufToSpans(message);
    if (spans !== undefined) return { spans, rejected: [] };
    request = otlpRequestOfMessage(message);
  } else {
    try {
      request = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8')) as unknown;
    } catch (error) {
      throw new OtlpBodyDecodeError('json', error);
    }
  }
  return otlpToSpans(request);
}
