/**
 * How a parameter's name reads on the page: words in lower case, and a trailing unit word as a unit in
 * brackets, so `timeoutMs` reads "timeout (ms)", `maxQueue` "max queue" and `limit` "limit".
 *
 * @example
 * ```ts
 * parameterLabel('timeoutMs'); // 'timeout (ms)'
 * parameterLabel('queue_wait_ms'); // 'queue wait (ms)'
 * ```
 */
export function parameterLabel(name: string): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[\s_-]+/)
    .filter((word) => word !== '')
    .map((word) => word.toLowerCase());
  const unit = words.at(-1);
  if (words.length > 1 && unit !== undefined && UNITS.has(unit)) return `${words.slice(0, -1).join(' ')} (${unit})`;
  return words.length === 0 ? name : words.join(' ');
}

/** Unit words written as a unit when they end a name. */
const UNITS = new Set(['ms', 's', 'mb', 'kb']);
