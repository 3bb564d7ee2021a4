/** Longest string shared; longer ones are rarely repeated and cost more to compare. */
const MAX_INTERNED_LENGTH = 64;
/** Slots of the table (a power of two). */
const SLOTS = 4_096;

/** The last string seen per slot: a direct-mapped cache, so values that never repeat cost no growth. */
const slots: (string | undefined)[] = new Array<string | undefined>(SLOTS).fill(undefined);

/**
 * The copy of a short string seen before (when it is still in its slot of a small table), else the
 * string itself, remembered. Decoding makes a new string for every occurrence of a value: the same tool
 * name, outcome or event name in every span. Sharing them is what lets the store hold many spans in
 * little memory; the strings are equal either way. A slot is picked from the length and three
 * characters, with no hashing of the whole string; two strings that share a slot take turns.
 *
 * @example
 * ```ts
 * internString(decodedA) === internString(decodedB); // true when decodedA === decodedB as text
 * ```
 */
export function internString(value: string): string {
  const length = value.length;
  if (length === 0 || length > MAX_INTERNED_LENGTH) return value;
  const slot = (length * 31 + value.charCodeAt(0) * 7 + value.charCodeAt(length >> 1) * 131 + value.charCodeAt(length - 1) * 1031) & (SLOTS - 1);
  const held = slots[slot];
  if (held === value) return held;
  slots[slot] = value;
  return value;
}
