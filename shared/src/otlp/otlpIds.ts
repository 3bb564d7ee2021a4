/**
 * Reading trace and span ids from OTLP/JSON. The OTLP JSON encoding writes them as case-insensitive hex;
 * some senders follow the plain proto3 JSON mapping instead and write base64, which is accepted too.
 *
 * @packageDocumentation
 */

const HEX = /^[0-9a-fA-F]+$/;
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;
const BASE64_DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/**
 * Reads an id of `byteLength` bytes.
 *
 * @returns the id as lowercase hex; `undefined` when the value is absent (missing or an empty string);
 * `null` when it is present but not an id of that length.
 *
 * @example
 * ```ts
 * parseOtlpId('5B8EFFF798038103', 8); // '5b8efff798038103'
 * parseOtlpId('', 8);                 // undefined
 * parseOtlpId('xyz', 8);              // null
 * ```
 */
export function parseOtlpId(value: unknown, byteLength: number): string | null | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') return null;
  if (value.length === byteLength * 2 && HEX.test(value)) return value.toLowerCase();
  if (value.length === Math.ceil(byteLength / 3) * 4 && BASE64.test(value)) return base64ToHex(value, byteLength);
  return null;
}

/** Whether a hex id is all zeros, which OTLP declares invalid. */
export function isZeroId(hex: string): boolean {
  for (let i = 0; i < hex.length; i++) if (hex.charCodeAt(i) !== 48) return false;
  return true;
}

function base64ToHex(value: string, byteLength: number): string | null {
  let bits = 0;
  let buffer = 0;
  let hex = '';
  for (const char of value) {
    if (char === '=') break;
    const digit = BASE64_DIGITS.indexOf(char === '-' ? '+' : char === '_' ? '/' : char);
    if (digit < 0) return null;
    buffer = (buffer << 6) | digit;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      hex += ((buffer >> bits) & 0xff).toString(16).padStart(2, '0');
    }
  }
  return hex.length === byteLength * 2 ? hex : null;
}
