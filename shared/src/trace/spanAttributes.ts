/**
 * Typed readers for span and event attributes. Each returns `undefined` when the attribute is missing or
 * has another type, so callers never have to guess what a foreign span put there.
 *
 * @packageDocumentation
 */
import type { Attributes } from '../model.js';

/**
 * The attribute as a string, or `undefined` when it is missing or not a string.
 *
 * @example
 * ```ts
 * stringAttribute(span.attributes, 'gen_ai.tool.name'); // 'search'
 * ```
 */
export function stringAttribute(attributes: Attributes, key: string): string | undefined {
  const value = Object.hasOwn(attributes, key) ? attributes[key] : undefined;
  return typeof value === 'string' ? value : undefined;
}

/**
 * The attribute as a finite number, or `undefined` when it is missing, not a number, or not finite.
 *
 * @example
 * ```ts
 * numberAttribute(span.attributes, 'overlap.attempt'); // 2
 * ```
 */
export function numberAttribute(attributes: Attributes, key: string): number | undefined {
  const value = Object.hasOwn(attributes, key) ? attributes[key] : undefined;
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/**
 * The attribute as a boolean, or `undefined` when it is missing or not a boolean.
 *
 * @example
 * ```ts
 * booleanAttribute(span.attributes, 'overlap.body.settled'); // true
 * ```
 */
export function booleanAttribute(attributes: Attributes, key: string): boolean | undefined {
  const value = Object.hasOwn(attributes, key) ? attributes[key] : undefined;
  return typeof value === 'boolean' ? value : undefined;
}

/**
 * The attribute as a list of strings: a string array keeps its string entries, a single string becomes
 * a list of one, anything else an empty list.
 *
 * @example
 * ```ts
 * stringListAttribute(call.attributes, 'overlap.gate'); // ['db', 'search.concurrency']
 * ```
 */
export function stringListAttribute(attributes: Attributes, key: string): string[] {
  const value = Object.hasOwn(attributes, key) ? attributes[key] : undefined;
  if (typeof value === 'string') return [value];
  if (!Array.isArray(value)) return [];
  return value.filter((entry): entry is string => typeof entry === 'string');
}
