/**
 * Converting OTLP's span kind and status code enums to the model's names and back. Readers accept the
 * integers the OTLP JSON encoding requires and, because real senders use them, the enum names too
 * (`"SPAN_KIND_SERVER"`, `"STATUS_CODE_ERROR"`, or just `"server"`).
 *
 * @packageDocumentation
 */
import type { SpanKindName, StatusCodeName } from '../model.js';
import { OtlpSpanKind, OtlpStatusCode } from './types.js';

const KIND_NAMES: readonly SpanKindName[] = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];
const STATUS_NAMES: readonly StatusCodeName[] = ['unset', 'ok', 'error'];

/**
 * Reads a span kind; anything unknown is `'unspecified'`.
 *
 * @example
 * ```ts
 * spanKindFromOtlp(3);                   // 'client'
 * spanKindFromOtlp('SPAN_KIND_SERVER');  // 'server'
 * ```
 */
export function spanKindFromOtlp(value: unknown): SpanKindName {
  return fromEnum(value, KIND_NAMES, 'span_kind_') ?? 'unspecified';
}

/** Writes a span kind as its OTLP integer. */
export function spanKindToOtlp(kind: SpanKindName): OtlpSpanKind {
  const index = KIND_NAMES.indexOf(kind);
  return (index < 0 ? OtlpSpanKind.UNSPECIFIED : index) as OtlpSpanKind;
}

/**
 * Reads a status code; anything unknown is `'unset'`.
 *
 * @example
 * ```ts
 * statusCodeFromOtlp(2);                     // 'error'
 * statusCodeFromOtlp('STATUS_CODE_OK');      // 'ok'
 * ```
 */
export function statusCodeFromOtlp(value: unknown): StatusCodeName {
  return fromEnum(value, STATUS_NAMES, 'status_code_') ?? 'unset';
}

/** Writes a status code as its OTLP integer. */
export function statusCodeToOtlp(code: StatusCodeName): OtlpStatusCode {
  const index = STATUS_NAMES.indexOf(code);
  return (index < 0 ? OtlpStatusCode.UNSET : index) as OtlpStatusCode;
}

function fromEnum<T extends string>(value: unknown, names: readonly T[], prefix: string): T | undefined {
  if (typeof value === 'number') return names[value];
  if (typeof value !== 'string') return undefined;
  if (/^\d+$/.test(value)) return names[Number(value)];
  let name = value.toLowerCase();
  if (name.startsWith(prefix)) name = name.slice(prefix.length);
  return names.includes(name as T) ? (name as T) : undefined;
}
