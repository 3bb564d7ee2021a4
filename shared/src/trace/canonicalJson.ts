/**
 * Serialises a JSON-safe value with every object's keys in sorted order, so two values that are equal
 * as data (whatever the order their keys were written in) give the same string. Used to tell exact
 * duplicate spans apart from different spans that share an id, and to group equal resources.
 *
 * Invariants: same data, same string; `undefined` properties are left out, as `JSON.stringify` does; the
 * input is not changed.
 *
 * @example
 * ```ts
 * canonicalJson({ b: 1, a: [true, { d: null, c: 'x' }] }); // '{"a":[true,{"c":"x","d":null}],"b":1}'
 * ```
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, sortKeys) ?? 'undefined';
}

function sortKeys(_key: string, value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const source = value as Record<string, unknown>;
  const keys = Object.keys(source).sort();
  // Object.fromEntries defines own properties, so a key named "__proto__" stays a plain key.
  return Object.fromEntries(keys.map((key) => [key, source[key]]));
}
