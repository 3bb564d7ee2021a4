import express, { Router } from 'express';
import type { Response } from 'express';
import {
  isInvalidOtlpRequestError,
  isTraceFileError,
  jaegerToSpans,
  jsonlToSpans,
  otlpToSpans,
  spansToJaeger,
  spansToJsonl,
  spansToOtlp,
} from '@overlap/shared';
import type { ExportFormat, ImportResponse, SpanRecord } from '@overlap/shared';
import { HttpError } from '../errors/HttpError.js';
import { requireMediaType } from '../http/requireMediaType.js';
import type { TraceStore } from '../store/TraceStore.js';
import { invalidParameter, parseExportFormatQuery, parseExportQuery, parseTraceId } from './traceQuery.js';

/** Options of {@link exportRoutes}. */
export interface ExportRoutesOptions {
  /** Largest import body, as received and after gzip inflation, in bytes. */
  maxBodyBytes: number;
}

const MAX_PROBLEMS = 50;

/**
 * What `POST /api/import` takes: JSON, JSON lines, or a file as bytes. None is a type a browser may send
 * across origins without a pre-flight.
 */
export const IMPORT_MEDIA_TYPES = ['application/json', 'application/x-ndjson', 'application/jsonl', 'application/octet-stream'] as const;

const FORMATS: Record<ExportFormat, { contentType: string; extension: string; write: (spans: readonly SpanRecord[]) => string }> = {
  otlp: { contentType: 'application/json', extension: 'otlp.json', write: (spans) => JSON.stringify(spansToOtlp(spans)) },
  jsonl: { contentType: 'application/x-ndjson', extension: 'jsonl', write: (spans) => spansToJsonl(spans) },
  jaeger: { contentType: 'application/json', extension: 'jaeger.json', write: (spans) => JSON.stringify(spansToJaeger(spans)) },
};

/**
 * Export and import of traces: `GET /api/traces/:traceId/export`, `GET /api/export` and
 * `POST /api/import`. Exports are attachments in OTLP/JSON (`otlp`, the default), JSON lines of span
 * records (`jsonl`) or a Jaeger UI trace file (`jaeger`); an import detects which of the three a body is.
 * Exporting then importing loses nothing. See the package README for parameters and shapes.
 *
 * @example
 * ```ts
 * app.use('/api', exportRoutes(store, { maxBodyBytes: 16 * 1024 * 1024 }));
 * ```
 */
export function exportRoutes(store: TraceStore, options: ExportRoutesOptions): Router {
  const router = Router();

  router.get('/traces/:traceId/export', (req, res) => {
    const traceId = parseTraceId(req.params.traceId);
    const format = parseExportFormatQuery(req.query);
    const spans = store.getSpans(traceId);
    if (spans === undefined) throw new HttpError(404, 'not_found', `no trace ${traceId} in the store`);
    sendExport(res, format, spans, `trace-${traceId}`);
  });

  router.get('/export', (req, res) => {
    const { format, filter, traceIds } = parseExportQuery(req.query);
    let selected: string[];
    if (traceIds.length > 0) {
      const missing = traceIds.filter((traceId) => !store.has(traceId));
      if (missing.length > 0) throw new HttpError(404, 'not_found', `no trace ${missing.join(', ')} in the store`);
      const matching = new Set(store.findTraces(filter, Number.POSITIVE_INFINITY).traceIds);
      selected = traceIds.filter((traceId) => matching.has(traceId));
    } else {
      selected = store.findTraces(filter, Number.POSITIVE_INFINITY).traceIds;
    }
    const spans = selected.flatMap((traceId) => store.getSpans(traceId) ?? []);
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
    sendExport(res, format, spans, `overlap-${selected.length}-traces-${stamp}`);
  });

  router.post('/import', requireMediaType(IMPORT_MEDIA_TYPES), express.raw({ type: () => true, limit: options.maxBodyBytes }), (req, res) => {
    const forced = req.query.format === undefined ? undefined : parseExportFormatQuery({ format: req.query.format });
    for (const name of Object.keys(req.query)) if (name !== 'format' && name !== 'token') throw invalidParameter(name, 'is not a parameter of this route (known: format)');
    const text = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
    const read = readTraceFile(text, forced);
    if (read.spans.length === 0 && read.problems.length > 0) {
      throw new HttpError(400, 'invalid_body', `no valid span in the ${read.format} body: ${read.problems.slice(0, 3).join('; ')}`);
    }
    const added = store.add(read.spans);
    const body: ImportResponse = {
      format: read.format,
      spans: read.spans.length,
      traces: new Set(read.spans.map((span) => span.traceId)).size,
      added: added.added,
      updated: added.updated,
      unchanged: added.unchanged,
      rejected: read.rejected + added.dropped,
      problems: read.problems.slice(0, MAX_PROBLEMS),
    };
    res.json(body);
  });

  return router;
}

function sendExport(res: Response, format: ExportFormat, spans: readonly SpanRecord[], basename: string): void {
  const { contentType, extension, write } = FORMATS[format];
  let text: string;
  try {
    text = write(spans);
  } catch (error) {
    throw new HttpError(500, 'export_failed', `could not write the ${format} export: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  res.setHeader('Content-Disposition', `attachment; filename="${basename}.${extension}"`);
  res.type(contentType).send(text);
}

/** Reads an import body in the given format, or in the one it looks like. */
function readTraceFile(text: string, forced: ExportFormat | undefined): { format: ExportFormat; spans: SpanRecord[]; rejected: number; problems: string[] } {
  const format = forced ?? detectFormat(text);
  try {
    if (format === 'jsonl') {
      const { spans, errors } = jsonlToSpans(text);
      return { format, spans, rejected: errors.length, problems: errors.map(({ line, message }) => `line ${line}: ${message}`) };
    }
    const json = parseJson(text, format);
    if (format === 'otlp') {
      const { spans, rejected } = otlpToSpans(json);
      return { format, spans, rejected: rejected.length, problems: rejected.map(({ reason, spanId }) => (spanId === undefined ? reason : `span ${spanId}: ${reason}`)) };
    }
    const { spans, warnings } = jaegerToSpans(json);
    return { format, spans, rejected: 0, problems: [...warnings] };
  } catch (error) {
    if (isInvalidOtlpRequestError(error) || isTraceFileError(error)) {
      throw new HttpError(400, 'invalid_body', error.message, { cause: error });
    }
    throw error;
  }
}

/**
 * OTLP/JSON has `resourceSpans`; a Jaeger file is `{ data: [...] }`, an array of traces or one trace
 * (`spans` and `processes`); anything else, including one JSON object per line, is JSON lines.
 */
function detectFormat(text: string): ExportFormat {
  const trimmed = text.trimStart();
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return 'jsonl';
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return 'jsonl';
  }
  if (Array.isArray(json)) return 'jaeger';
  if (typeof json === 'object' && json !== null) {
    const object = json as Record<string, unknown>;
    if ('resourceSpans' in object) return 'otlp';
    if (Array.isArray(object.data) || (Array.isArray(object.spans) && 'processes' in object)) return 'jaeger';
  }
  return 'jsonl';
}

function parseJson(text: string, format: ExportFormat): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new HttpError(400, 'invalid_body', `the body is not valid JSON (read as ${format}): ${error instanceof Error ? error.message : String(error)}`);
  }
}
