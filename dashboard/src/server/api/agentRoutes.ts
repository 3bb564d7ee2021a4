import { Router } from 'express';
import { z } from 'zod';
import { isHttpError } from '../errors/HttpError.js';
import { sendJsonError } from '../http/jsonErrors.js';
import { readLimitedBody } from '../ingest/readLimitedBody.js';
import type { RunnerRegistry } from '../runners/RunnerRegistry.js';

/** Largest `POST /api/agents/run` body. */
const MAX_RUN_BODY_BYTES = 64 * 1024;

const runBodySchema = z.strictObject({
  runnerId: z.string().min(1).optional(),
  agent: z.string().min(1),
  params: z.record(z.string(), z.unknown()).default({}),
});

/**
 * `GET /api/agents`: the agents connected runners offer (`{ runners: ConnectedRunner[] }`).
 * `POST /api/agents/run` with `{ runnerId?, agent, params }`: asks a runner to run the agent; 202 with
 * `{ accepted: true, runnerId, agent, params }` once the runner has accepted (its traces then arrive as usual).
 */
export function agentRoutes(registry: Pick<RunnerRegistry, 'list' | 'requestRun'>): Router {
  const router = Router();
  router.get('/agents', (_req, res) => {
    res.json({ runners: registry.list() });
  });
  router.post('/agents/run', async (req, res) => {
    let raw: unknown;
    try {
      const body = await readLimitedBody(req, MAX_RUN_BODY_BYTES);
      raw = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
    } catch (error) {
      if (isHttpError(error)) sendJsonError(res, error.status, error.code, error.message);
      else sendJsonError(res, 400, 'invalid_body', `the body is not valid JSON: ${(error as Error).message}`);
      return;
    }
    const parsed = runBodySchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      sendJsonError(res, 400, 'invalid_body', `${issue?.path.join('.') || 'body'}: ${issue?.message}`);
      return;
    }
    try {
      const result = await registry.requestRun(parsed.data);
      res.status(202).json({ accepted: true, ...result });
    } catch (error) {
      if (isHttpError(error)) sendJsonError(res, error.status, error.code, error.message);
      else throw error;
    }
  });
  return router;
}
