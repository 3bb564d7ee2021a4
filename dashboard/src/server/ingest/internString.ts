/** Longest string shared; longer ones are rarely repeated and cost more to look up. */
const MAX_INTERNED_LENGTH = 64;
/** Strings remembered at most; past it the table starts again (values that never repeat must not pile up). */
const MAX_INTERNED = 8_192;

let table = new Map<string, string>();

/**
 * The one copy of a short string seen before (among the last few thousand distinct ones), else the
 * string itself, remembered. Decoding makes a new string for every occurrence of a value: the same tool
 * name, outcome or event name in every span. Sharing them is what lets the store hold many spans in
 * little memory; the strings are equal either way.
 *
 * @example
 * ```ts
 * internString(decodedA) === internString(decodedB); // true when decodedA === decodedB as text
 * ```
 */
export function internString(value: string): string {
  if (value.length > MAX_INTERNED_LENGTH) return value;
  const held = table.get(value);
  if (held !== undefined) return held;
  if (table.size >= MAX_INTERNED) table = new Map();
  table.set(value, value);
  return value;
}
