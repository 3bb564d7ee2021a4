import express, { Router } from 'express';
import type { AgentsResponse, RunAgentRequest, RunAgentResponse } from '@overlap/shared';
import { HttpError } from '../errors/HttpError.js';
import { requireMediaType } from '../http/requireMediaType.js';
import type { RunnerRegistry } from '../runners/RunnerRegistry.js';

/** Largest `POST /api/agents/run` body. */
const MAX_RUN_BODY_BYTES = 64 * 1024;

/**
 * `GET /api/agents`: the agents connected runners offer (`AgentsResponse`).
 * `POST /api/agents/run` with a `RunAgentRequest` (`{ runnerId?, agent, params }`): asks a runner to run
 * the agent; 202 with a `RunAgentResponse` once the runner has accepted (its traces then arrive as usual).
 * The body must be `Content-Type: application/json` (else 415: a browser must pre-flight it, so another
 * site's page cannot post one) and is read by express's JSON parser (limit 64 KiB, gzip inflated); its
 * errors, like every {@link HttpError} here, become `{ error: { code, message } }` in the API's error handler.
 */
export function agentRoutes(registry: Pick<RunnerRegistry, 'list' | 'requestRun'>): Router {
  const router = Router();
  router.get('/agents', (_req, res) => {
    const body: AgentsResponse = { runners: registry.list() };
    res.json(body);
  });
  router.post('/agents/run', requireMediaType(['application/json']), express.json({ limit: MAX_RUN_BODY_BYTES, type: 'application/json' }), async (req, res) => {
    const result: RunAgentResponse = await registry.requestRun(readRunRequest(req.body));
    res.status(202).json(result);
  });
  return router;
}

/** Checks a run request's shape; the parameters' values are checked against the agent by the registry. */
function readRunRequest(body: unknown): RunAgentRequest {
  const given = body ?? {};
  if (typeof given !== 'object' || given === null || Array.isArray(given)) throw invalidBody('body', 'an object', given);
  const { runnerId, agent, params, ...rest } = given as Record<string, unknown>;
  const unknown = Object.keys(rest)[0];
  if (unknown !== undefined) throw invalidBody(unknown, 'no such field (known: runnerId, agent, params)', unknown);
  if (runnerId !== undefined && (typeof runnerId !== 'string' || runnerId === '')) throw invalidBody('runnerId', 'a non-empty string', runnerId);
  if (typeof agent !== 'string' || agent === '') throw invalidBody('agent', 'a non-empty string', agent);
  if (params !== undefined && (typeof params !== 'object' || params === null || Array.isArray(params))) {
    throw invalidBody('params', 'an object of numbers by parameter name', params);
  }
  return { agent, ...(runnerId === undefined ? {} : { runnerId }), params: (params ?? {}) as Record<string, number> };
}

function invalidBody(field: string, expected: string, received: unknown): HttpError {
  return new HttpError(400, 'invalid_body', `${field}: expected ${expected}, received ${JSON.stringify(received) ?? 'undefined'}`);
}
