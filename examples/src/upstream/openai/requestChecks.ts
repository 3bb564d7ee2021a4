/**
 * The checks OpenAI's API makes on a request's parameters, with its error messages, shared by the chat
 * completions and responses endpoints of the local upstream.
 *
 * @packageDocumentation
 */
import { openAiError, type OpenAiErrorAnswer } from './openAiError.js';

/** A request OpenAI would refuse, with the error answer it would give. */
export class Invalid extends Error {
  constructor(readonly answer: OpenAiErrorAnswer) {
    super(answer.body.error.message);
  }
}

/** A 400 `invalid_request_error` naming `param`. */
export const invalid = (message: string, param: string | null, code: string | null = null): Invalid =>
  new Invalid(openAiError(400, message, { param, code }));

/** Whether a JSON value is an object (not null, not an array). */
export const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** How OpenAI names a JSON value's type in its messages: `a string`, `an array`, `null`... */
export function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return typeof value === 'string' ? 'a string' : typeof value === 'number' ? 'a number' : typeof value;
}

/** Throws OpenAI's `invalid_type` error unless `value` has `type`. */
export function expectType(value: unknown, param: string, type: 'string' | 'boolean' | 'array' | 'object'): void {
  const ok = type === 'array' ? Array.isArray(value) : type === 'object' ? isObject(value) : typeof value === type;
  if (!ok) {
    const article = type === 'array' || type === 'object' ? 'an' : 'a';
    throw invalid(`Invalid type for '${param}': expected ${article} ${type}, but got ${typeName(value)} instead.`, param, 'invalid_type');
  }
}

/** An optional integer parameter of at least `min`, checked as OpenAI does. */
export function optionalInteger(body: Record<string, unknown>, key: string, min: number): number | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw invalid(`Invalid type for '${key}': expected an integer, but got ${typeName(value)} instead.`, key, 'invalid_type');
  }
  if (value < min) throw invalid(`Invalid '${key}': integer below minimum value. Expected a value >= ${min}, but got ${value} instead.`, key, 'integer_below_min_value');
  return value;
}

/** An optional number parameter within `[min, max]`, checked as OpenAI does. */
export function optionalNumberInRange(body: Record<string, unknown>, key: string, min: number, max: number): void {
  const value = body[key];
  if (value === undefined || value === null) return;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw invalid(`Invalid type for '${key}': expected a decimal, but got ${typeName(value)} instead.`, key, 'invalid_type');
  }
  if (value < min) throw invalid(`Invalid '${key}': decimal below minimum value. Expected a value >= ${min}, but got ${value} instead.`, key, 'decimal_below_min_value');
  if (value > max) throw invalid(`Invalid '${key}': decimal above maximum value. Expected a value <= ${max}, but got ${value} instead.`, key, 'decimal_above_max_value');
}
