import type { Request, Response } from 'express';
import { RpcCode, otlpEncodingOf, sendRpcStatus } from '../ingest/rpcStatus.js';
import { sendJsonError } from './jsonErrors.js';

/** The OTLP/HTTP traces path: refusals there are a `google.rpc.Status`, as exporters expect. */
export const OTLP_TRACES_PATH = '/v1/traces';

const RPC_CODE_OF_STATUS: Record<number, number> = {
  401: RpcCode.UNAUTHENTICATED,
  403: RpcCode.PERMISSION_DENIED,
  405: RpcCode.UNIMPLEMENTED,
  413: RpcCode.RESOURCE_EXHAUSTED,
  415: RpcCode.INVALID_ARGUMENT,
  429: RpcCode.RESOURCE_EXHAUSTED,
  503: RpcCode.UNAVAILABLE,
};

/**
 * Refuses a request in the format of the route it asked for: a `google.rpc.Status` (in the request's
 * encoding) on `/v1/traces`, `{ error: { code, message } }` everywhere else. Every refusal of the
 * security checks and the method table goes through here, so each says what to do in the same words
 * wherever it happens.
 *
 * @example
 * ```ts
 * sendRefusal(req, res, 403, 'origin_not_allowed', 'requests from https://evil.example are refused ...');
 * ```
 */
export function sendRefusal(req: Request, res: Response, status: number, code: string, message: string): void {
  if (isOtlpTracesRequest(req)) {
    sendRpcStatus(res, otlpEncodingOf(req.headers['content-type']) ?? 'json', status, RPC_CODE_OF_STATUS[status] ?? RpcCode.INVALID_ARGUMENT, message);
  } else {
    sendJsonError(res, status, code, message);
  }
}

/** Whether the request is for `/v1/traces`, wherever in the app it is being handled (`req.path` is relative to a router's mount point). */
export function isOtlpTracesRequest(req: Request): boolean {
  const url = req.originalUrl ?? req.url;
  const end = url.search(/[?#]/);
  return (end === -1 ? url : url.slice(0, end)).replace(/\/+$/, '') === OTLP_TRACES_PATH;
}
