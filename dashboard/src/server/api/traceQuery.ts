import { Outcome, TRACE_ID_PATTERN, readTraceId } from '@overlap/shared';
import type { ExportFormat } from '@overlap/shared';
import { z } from 'zod';
import { HttpError } from '../errors/HttpError.js';
import type { TraceFilter, TraceKey } from '../store/TraceStore.js';

/** Default of the `limit` query parameter of `GET /api/traces`. */
export const DEFAULT_TRACE_LIMIT = 50;
/** Largest `limit` accepted by `GET /api/traces`. */
export const MAX_TRACE_LIMIT = 500;

/** Query parameters every route accepts besides its own (the token is read by the auth layer). */
const ALWAYS_ALLOWED = new Set(['token']);

const text = z.string().min(1, 'must not be empty');
const nonNegativeNumber = z
  .string()
  .regex(/^\d+(\.\d+)?$/, 'must be a non-negative number')
  .transform(Number);
const time = z.string().transform((value, context) => {
  const ms = /^\d+(\.\d+)?$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(ms)) {
    context.addIssue({ code: 'custom', message: 'must be milliseconds since the epoch or an ISO 8601 date' });
    return z.NEVER;
  }
  return ms;
});

/** Filters shared by `/api/traces`, `/api/stats` and `/api/export`. */
const filterShape = {
  service: text.optional(),
  agent: text.optional(),
  tool: text.optional(),
  outcome: z.enum(Object.values(Outcome) as [string, ...string[]], { error: `must be one of ${Object.values(Outcome).join(', ')}` }).optional(),
  minDurationMs: nonNegativeNumber.optional(),
  maxDurationMs: nonNegativeNumber.optional(),
  since: time.optional(),
  until: time.optional(),
};

const listShape = {
  ...filterShape,
  limit: z
    .string()
    .regex(/^\d+$/, `must be an integer from 1 to ${MAX_TRACE_LIMIT}`)
    .transform(Number)
    .refine((n) => n >= 1 && n <= MAX_TRACE_LIMIT, `must be an integer from 1 to ${MAX_TRACE_LIMIT}`)
    .optional(),
  cursor: z.string().min(1, 'must not be empty').optional(),
};

const exportShape = {
  ...filterShape,
  format: z.enum(['otlp', 'jsonl', 'jaeger'], { error: 'must be one of otlp, jsonl, jaeger' }).optional(),
};

/** A parsed `GET /api/traces` query. */
export interface TraceListQuery {
  filter: TraceFilter;
  limit: number;
  after: TraceKey | undefined;
}

/**
 * Parses the query of `GET /api/traces`.
 *
 * @throws {@link HttpError} 400 `invalid_parameter` naming the parameter, for a bad, repeated or unknown one.
 */
export function parseTraceListQuery(query: unknown): TraceListQuery {
  const parsed = parseQuery(query, listShape, []);
  return { filter: toFilter(parsed), limit: parsed.limit ?? DEFAULT_TRACE_LIMIT, after: parsed.cursor === undefined ? undefined : decodeCursor(parsed.cursor) };
}

/** Parses the query of `GET /api/stats` (the filters only). */
export function parseTraceFilterQuery(query: unknown): TraceFilter {
  return toFilter(parseQuery(query, filterShape, []));
}

/** Parses the query of `GET /api/export`: the format, the filters and any number of `traceId`s. */
export function parseExportQuery(query: unknown): { format: ExportFormat; filter: TraceFilter; traceIds: string[] } {
  const parsed = parseQuery(query, exportShape, ['traceId']);
  return { format: parsed.format ?? 'otlp', filter: toFilter(parsed), traceIds: parseTraceIds(query) };
}

/** Parses the query of `GET /api/traces/:traceId/export` (the format only). */
export function parseExportFormatQuery(query: unknown): ExportFormat {
  return parseQuery(query, { format: exportShape.format }, []).format ?? 'otlp';
}

/**
 * Parses the query of `GET /api/compare`: the trace ids `a` and `b`, both required.
 *
 * @throws {@link HttpError} 400 `invalid_parameter` naming the parameter that is missing, repeated, unknown or not a trace id.
 */
export function parseCompareQuery(query: unknown): { a: string; b: string } {
  const parsed = parseQuery(query, { a: z.string().optional(), b: z.string().optional() }, []);
  for (const name of ['a', 'b'] as const) if (parsed[name] === undefined) throw invalidParameter(name, 'is required: the id of a stored trace (32 hex characters)');
  return { a: parseTraceId(parsed.a, 'a'), b: parseTraceId(parsed.b, 'b') };
}

/**
 * Checks a trace id from a path or query and returns it lowercase.
 *
 * @throws {@link HttpError} 400 `invalid_parameter` naming `parameter`.
 */
export function parseTraceId(value: unknown, parameter = 'traceId'): string {
  const traceId = readTraceId(value);
  if (traceId === undefined) throw invalidParameter(parameter, 'must be 32 hex characters');
  return traceId;
}

/** Encodes a {@link TraceKey} as the opaque `cursor` of the next page. */
export function encodeCursor(key: TraceKey): string {
  return Buffer.from(JSON.stringify([key.startTimeUnixNano, key.traceId])).toString('base64url');
}

function decodeCursor(cursor: string): TraceKey {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && /^\d+$/.test(value[0]) && typeof value[1] === 'string' && TRACE_ID_PATTERN.test(value[1])) {
      return { startTimeUnixNano: value[0], traceId: value[1] };
    }
  } catch {
    // Falls through to the error below.
  }
  throw invalidParameter('cursor', 'is not a cursor this server returned');
}

function parseTraceIds(query: unknown): string[] {
  const raw = (query as Record<string, unknown>).traceId;
  if (raw === undefined) return [];
  const list = Array.isArray(raw) ? raw : [raw];
  return [...new Set(list.map((value) => parseTraceId(value, 'traceId')))];
}

function toFilter(parsed: {
  service?: string | undefined;
  agent?: string | undefined;
  tool?: string | undefined;
  outcome?: string | undefined;
  minDurationMs?: number | undefined;
  maxDurationMs?: number | undefined;
  since?: number | undefined;
  until?: number | undefined;
}): TraceFilter {
  const filter: TraceFilter = {};
  if (parsed.service !== undefined) filter.service = parsed.service;
  if (parsed.agent !== undefined) filter.agent = parsed.agent;
  if (parsed.tool !== undefined) filter.tool = parsed.tool;
  if (parsed.outcome !== undefined) filter.outcome = parsed.outcome;
  if (parsed.minDurationMs !== undefined) filter.minDurationMs = parsed.minDurationMs;
  if (parsed.maxDurationMs !== undefined) filter.maxDurationMs = parsed.maxDurationMs;
  if (parsed.since !== undefined) filter.sinceMs = parsed.since;
  if (parsed.until !== undefined) filter.untilMs = parsed.until;
  return filter;
}

/** Validates a query object (Express's: strings, or arrays of them when repeated) against `shape`. */
function parseQuery<Shape extends z.ZodRawShape>(query: unknown, shape: Shape, repeatable: readonly string[]): z.output<z.ZodObject<Shape>> {
  const given = (typeof query === 'object' && query !== null ? query : {}) as Record<string, unknown>;
  const single: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(given)) {
    if (ALWAYS_ALLOWED.has(name) || repeatable.includes(name)) continue;
    if (!(name in shape)) throw invalidParameter(name, `is not a parameter of this route (known: ${Object.keys(shape).join(', ')})`);
    if (typeof value !== 'string') throw invalidParameter(name, 'must be given once');
    single[name] = value;
  }
  const parsed = z.object(shape).safeParse(single);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw invalidParameter(String(issue?.path[0] ?? 'query'), issue?.message ?? 'is invalid');
  }
  return parsed.data;
}

/** A 400 `invalid_parameter` error naming the parameter. */
export function invalidParameter(name: string, problem: string): HttpError {
  return new HttpError(400, 'invalid_parameter', `query parameter ${JSON.stringify(name)} ${problem}`);
}
