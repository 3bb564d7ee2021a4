/**
 * A short description of a received value for a problem message: strings quoted and cut at 40
 * characters, numbers and booleans as written, `null`, `an array`, `an object`, `nothing` for `undefined`.
 *
 * @example
 * ```ts
 * `startTime: expected an integer, got ${describeValue('soon')}`; // ... got "soon"
 * ```
 */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
