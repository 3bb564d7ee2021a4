import type { AttributeValue } from '@overlap/shared';

/** Longest text shown for one value before it is cut (the details panel shows values whole). */
const DEFAULT_MAX_CHARS = 2000;

/**
 * An attribute value as display text: strings as they are, numbers and booleans as written, byte
 * arrays as `base64:…`, lists and maps as JSON. The result is plain text for `textContent`.
 *
 * @example
 * ```ts
 * formatValue(['search', 'global']); // '["search","global"]'
 * ```
 */
export function formatValue(value: AttributeValue, maxChars = DEFAULT_MAX_CHARS): string {
  let text: string;
  if (typeof value === 'string') text = value;
  else if (value === null) text = 'null';
  else if (typeof value === 'number' || typeof value === 'boolean') text = String(value);
  else if (!Array.isArray(value) && typeof value.bytesBase64 === 'string' && Object.keys(value).length === 1) text = `base64:${value.bytesBase64}`;
  else text = JSON.stringify(value);
  return text.length > maxChars ? `${text.slice(0, maxChars)}… (${text.length} characters)` : text;
}

/**
 * Milliseconds since the epoch as a local wall-clock time with milliseconds, `14:03:07.250`.
 *
 * @example
 * ```ts
 * formatClock(Date.now());
 * ```
 */
export function formatClock(epochMs: number): string {
  if (!Number.isFinite(epochMs)) return '–';
  const date = new Date(epochMs);
  const pad = (n: number, width = 2): string => String(n).padStart(width, '0');
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}
