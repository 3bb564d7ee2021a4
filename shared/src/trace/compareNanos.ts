/**
 * Compares two decimal nanosecond strings (such as `SpanRecord.startTimeUnixNano`) by their numeric
 * value, exactly: a 19-digit count does not fit a double, so the strings are compared by length, then
 * digit by digit. Leading zeros are ignored.
 *
 * Invariant: the inputs are strings of decimal digits (what `validateSpanRecord` accepts); anything else
 * compares in an unspecified but consistent order and never throws.
 *
 * @returns a negative number when `a < b`, zero when equal, a positive number when `a > b`, so it can be
 * passed to `Array.prototype.sort`.
 *
 * @example
 * ```ts
 * compareNanos('999', '1000'); // < 0
 * ['20', '3'].sort(compareNanos); // ['3', '20']
 * ```
 */
export function compareNanos(a: string, b: string): number {
  const x = withoutLeadingZeros(a);
  const y = withoutLeadingZeros(b);
  if (x.length !== y.length) return x.length - y.length;
  return x < y ? -1 : x > y ? 1 : 0;
}

function withoutLeadingZeros(nanos: string): string {
  if (nanos.length <= 1 || nanos.charCodeAt(0) !== 48) return nanos;
  let i = 0;
  while (i < nanos.length - 1 && nanos.charCodeAt(i) === 48) i += 1;
  return nanos.slice(i);
}
