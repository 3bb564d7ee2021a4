/**
 * Reading OTLP 64-bit integers (nanosecond times) into the model's decimal strings, exactly.
 *
 * @packageDocumentation
 */

const DIGITS = /^\d+$/;
/** OTLP times are fixed64. */
const MAX_UINT64 = '18446744073709551615';

/**
 * Reads an unsigned 64-bit integer as OTLP senders write it: a decimal string (the proto3 JSON mapping),
 * a number, a bigint, or a `{ low, high }` pair of 32-bit halves (protobufjs `Long`, older OTel JS JSON).
 *
 * @returns the value as a decimal string without leading zeros; `undefined` when absent or zero (proto3
 * cannot tell zero from absent); `null` when present but not an integer from 0 to 2^64 - 1.
 *
 * @example
 * ```ts
 * parseUnixNano('1764072000123456789'); // '1764072000123456789'
 * parseUnixNano(1.5e18);                // '1500000000000000000'
 * parseUnixNano('0');                   // undefined
 * parseUnixNano('-1');                  // null
 * ```
 */
export function parseUnixNano(value: unknown): string | null | undefined {
  let digits: string;
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'string') {
    if (!DIGITS.test(value)) return null;
    digits = value;
  } else if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) return null;
    digits = BigInt(Math.trunc(value)).toString();
  } else if (typeof value === 'bigint') {
    if (value < 0n) return null;
    digits = value.toString();
  } else if (typeof value === 'object' && isLongBits(value)) {
    digits = ((BigInt(value.high >>> 0) << 32n) | BigInt(value.low >>> 0)).toString();
  } else {
    return null;
  }
  let start = 0;
  while (start < digits.length - 1 && digits.charCodeAt(start) === 48) start++;
  const normalized = start === 0 ? digits : digits.slice(start);
  if (normalized.length > MAX_UINT64.length || (normalized.length === MAX_UINT64.length && normalized > MAX_UINT64)) return null;
  return normalized === '0' ? undefined : normalized;
}

function isLongBits(value: object): value is { low: number; high: number } {
  const { low, high } = value as { low?: unknown; high?: unknown };
  return typeof low === 'number' && typeof high === 'number';
}
