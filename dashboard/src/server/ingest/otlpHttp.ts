import express, { Router } from 'express';
import type { NextFunction, Request, Response } from 'express';
import { isInvalidOtlpRequestError } from '@overlap/shared';
import type { OtlpExportTraceServiceResponse, OtlpToSpansResult } from '@overlap/shared';
import { isOtlpBodyDecodeError } from '../errors/OtlpBodyDecodeError.js';
import { bodyParserFailure } from '../http/bodyParserErrors.js';
import type { TraceStore } from '../store/TraceStore.js';
import { INGEST_RETRY_AFTER_S } from './IngestQueue.js';
import type { IngestQueue } from './IngestQueue.js';
import { decodeOtlpBody } from './decodeOtlpBody.js';
import { RpcCode, otlpEncodingOf, sendExportResponse, sendRpcStatus } from './rpcStatus.js';
import type { OtlpEncoding } from './rpcStatus.js';

/** Options of {@link otlpHttpRouter}. */
export interface OtlpHttpOptions {
  /** Largest body accepted, as received and after inflation, in bytes. */
  maxBodyBytes: number;
  /**
   * Called with every request body that decoded, inflated, as received (forwarding uses it). Must not
   * block: it runs before the response is sent.
   */
  onIngest?: (body: Buffer, encoding: OtlpEncoding) => void;
  /** The bound on requests in progress; past it, 503 with `Retry-After`. */
  queue: IngestQueue;
}

/** Counters of the OTLP endpoint, for `/healthz`. */
export interface OtlpIngestCounters {
  /** Export requests answered 200. */
  requests: number;
  /** Spans stored (new or updated). */
  acceptedSpans: number;
  /** Spans refused (invalid, or their trace alone filled the store). */
  rejectedSpans: number;
  /** Requests refused whole (400, 413, 415). */
  failedRequests: number;
  /** Requests refused with 503 because the ingest queue was full (see `maxIngestQueue`). */
  overloadedRequests: number;
}

const MAX_REASONS_IN_MESSAGE = 5;

/**
 * The OTLP/HTTP trace receiver, `POST /v1/traces`, as the OTLP specification describes it:
 *
 * - bodies `application/x-protobuf` or `application/json` (else 415);
 * - success: 200 with an `ExportTraceServiceResponse` in the request's encoding, with `partialSuccess`
 *   (`rejectedSpans`, `errorMessage`) when some spans were refused;
 * - a body that cannot be decoded: 400 with a `google.rpc.Status` (and a `google.rpc.BadRequest` detail
 *   naming the bad field, when there is one) in the request's encoding;
 * - a body past `maxBodyBytes` after inflation (gzip, deflate or brotli): 413; an unsupported
 *   `Content-Encoding`: 415; a corrupt compressed body: 400. Bodies are read by express's own raw body
 *   parser, whose refusals one error handler turns into a `google.rpc.Status`;
 * - more than `queue.maxQueued` requests in progress: 503 with `Retry-After` (a retryable answer for
 *   exporters), before the body is read.
 *
 * A refused request changes nothing in the store.
 *
 * @example
 * ```ts
 * app.use(otlpHttpRouter(store, { maxBodyBytes: 16 * 1024 * 1024 }, counters));
 * ```
 */
export function otlpHttpRouter(store: TraceStore, options: OtlpHttpOptions, counters: OtlpIngestCounters): Router {
  const router = Router();
  const readBody = express.raw({ type: () => true, limit: options.maxBodyBytes });
  router.post(
    '/v1/traces',
    (req: Request, res: Response, next: NextFunction) => {
      const release = options.queue.tryEnter();
      if (release !== undefined) {
        res.once('close', release);
        next();
        return;
      }
      counters.overloadedRequests++;
      res.setHeader('Retry-After', String(INGEST_RETRY_AFTER_S));
      res.setHeader('Connection', 'close');
      sendRpcStatus(
        res,
        otlpEncodingOf(req.headers['content-type']) ?? 'json',
        503,
        RpcCode.UNAVAILABLE,
        `the ingest queue is full (${options.queue.maxQueued} requests in progress): retry after ${INGEST_RETRY_AFTER_S} s; --max-ingest-queue (option maxIngestQueue) sets the bound`,
      );
    },
    (req: Request, res: Response, next: NextFunction) => {
      if (otlpEncodingOf(req.headers['content-type']) !== undefined) {
        next();
        return;
      }
      counters.failedRequests++;
      discardBody(req, res, options.maxBodyBytes);
      const received = req.headers['content-type'] === undefined ? 'none' : JSON.stringify(req.headers['content-type']);
      sendRpcStatus(res, 'json', 415, RpcCode.INVALID_ARGUMENT, `Content-Type must be application/x-protobuf or application/json, received ${received}`);
    },
    readBody,
    (req: Request, res: Response) => {
      const encoding = otlpEncodingOf(req.headers['content-type'])!;
      const body: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      let spans: OtlpToSpansResult;
      try {
        spans = decodeOtlpBody(body, encoding);
      } catch (error) {
        // Only the sender's faults are 400s; anything else is a bug, answered 500 by the error handler.
        if (!isOtlpBodyDecodeError(error) && !isInvalidOtlpRequestError(error)) throw error;
        counters.failedRequests++;
        sendBadRequest(res, encoding, error);
        return;
      }
      options.onIngest?.(body, encoding);
      const added = store.add(spans.spans);
      const reasons = new Map<string, number>();
      for (const { reason } of spans.rejected) reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
      if (added.droppedAtTraceLimit > 0) reasons.set(`the trace holds the most spans kept per trace (maxSpansPerTrace ${store.maxSpansPerTrace})`, added.droppedAtTraceLimit);
      if (added.dropped > added.droppedAtTraceLimit) reasons.set('the trace alone fills the store (maxSpans)', added.dropped - added.droppedAtTraceLimit);
      const rejectedCount = spans.rejected.length + added.dropped;
      counters.requests++;
      counters.acceptedSpans += added.added + added.updated + added.unchanged;
      counters.rejectedSpans += rejectedCount;
      const response: OtlpExportTraceServiceResponse =
        rejectedCount === 0 ? {} : { partialSuccess: { rejectedSpans: String(rejectedCount), errorMessage: describeRejections(rejectedCount, reasons) } };
      sendExportResponse(res, encoding, response);
    },
  );
  // The one place a refused body becomes an answer: express's body parser found it too large (413),
  // compressed in an unsupported way (415) or unreadable (400); OTLP/HTTP wants a google.rpc.Status.
  router.use('/v1/traces', (error: unknown, req: Request, res: Response, next: NextFunction) => {
    const failure = bodyParserFailure(error);
    if (failure === undefined || res.headersSent) {
      next(error);
      return;
    }
    counters.failedRequests++;
    if (failure.status === 413) res.setHeader('Connection', 'close');
    const code = failure.status === 413 ? RpcCode.RESOURCE_EXHAUSTED : RpcCode.INVALID_ARGUMENT;
    sendRpcStatus(res, otlpEncodingOf(req.headers['content-type']) ?? 'json', failure.status, code, failure.message);
  });
  return router;
}

function sendBadRequest(res: Response, encoding: OtlpEncoding, error: unknown): void {
  if (isInvalidOtlpRequestError(error)) {
    sendRpcStatus(res, encoding, 400, RpcCode.INVALID_ARGUMENT, error.message, [{ field: error.path, description: `must be ${error.expected}` }]);
  } else {
    sendRpcStatus(res, encoding, 400, RpcCode.INVALID_ARGUMENT, messageOf(error), [{ field: 'body', description: messageOf(error) }]);
  }
}

/** "3 spans rejected: traceId must be ... (2); startTimeUnixNano must be ... (1)". */
function describeRejections(rejected: number, counts: ReadonlyMap<string, number>): string {
  const reasons = [...counts].slice(0, MAX_REASONS_IN_MESSAGE).map(([reason, count]) => `${reason} (${count})`);
  const more = counts.size > MAX_REASONS_IN_MESSAGE ? `, and ${counts.size - MAX_REASONS_IN_MESSAGE} other reasons` : '';
  return `${rejected} span${rejected === 1 ? '' : 's'} rejected: ${reasons.join('; ')}${more}`;
}

/** Lets an unread body drain so the connection can be reused, or closes the connection when it is too big to drain. */
function discardBody(req: Request, res: Response, maxBodyBytes: number): void {
  const declared = Number(req.headers['content-length']);
  if (!Number.isFinite(declared) || declared > maxBodyBytes) res.setHeader('Connection', 'close');
  req.resume();
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
