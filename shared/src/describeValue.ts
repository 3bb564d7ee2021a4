/**
 * A short description of a received value for a problem message: strings quoted and cut at 40
 * characters, numbers and booleans as written, `null`, `undefined`, `an array`, `a function`,
 * `an object`. The one description every Overlap error message uses.
 *
 * @example
 * ```ts
 * `startTime: expected an integer, received ${describeValue('soon')}`; // ... received "soon"
 * describeValue({ permits: 2 }); // 'an object'
 * ```
 */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'function') return 'a function';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
