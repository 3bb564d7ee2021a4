import { randomUUID } from 'node:crypto';
import type { Namespace, Socket } from 'socket.io';
import { z } from 'zod';
import { HttpError } from '../errors/HttpError.js';

/** A numeric parameter an agent takes when run from the page (a limit, a timeout, a count). */
export interface AgentParameter {
  name: string;
  description: string;
  default: number;
  min: number;
  max: number;
}

/** An agent a connected runner offers to run. */
export interface AgentDescriptor {
  name: string;
  title?: string;
  description?: string;
  parameters: AgentParameter[];
}

/** A runner process connected to the live channel. */
export interface ConnectedRunner {
  runnerId: string;
  serviceName: string;
  /** ISO time it registered. */
  connectedAt: string;
  agents: AgentDescriptor[];
}

/** What a runner answers to `run-agent`. */
export type RunAgentAck = { accepted: true; detail?: string } | { error: { code: string; message: string } };

const parameterSchema = z.strictObject({
  name: z.string().min(1).max(64),
  description: z.string().max(500).default(''),
  default: z.number().finite(),
  min: z.number().finite(),
  max: z.number().finite(),
});
const registrationSchema = z.strictObject({
  runnerId: z.string().min(1).max(128),
  serviceName: z.string().min(1).max(256),
  agents: z
    .array(
      z.strictObject({
        name: z.string().min(1).max(128),
        title: z.string().max(256).optional(),
        description: z.string().max(2000).optional(),
        parameters: z.array(parameterSchema).max(20).default([]),
      }),
    )
    .max(200),
});

/**
 * The runner processes connected to namespace `/runners` and the agents they offer. A runner emits
 * `register` (`{ runnerId, serviceName, agents }`, acknowledged with `{ ok: true }` or an error) and is
 * forgotten when it disconnects. {@link RunnerRegistry.requestRun} sends it `run-agent`
 * (`{ agent, params, requestId }`) and waits for its acknowledgement.
 */
export class RunnerRegistry {
  readonly #runners = new Map<string, { info: ConnectedRunner; socket: Socket }>();
  readonly #listeners = new Set<() => void>();

  constructor(namespace: Namespace) {
    namespace.on('connection', (socket) => {
      socket.on('register', (payload: unknown, ack?: unknown) => {
        const reply = typeof ack === 'function' ? (ack as (a: unknown) => void) : () => {};
        const parsed = registrationSchema.safeParse(payload);
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          reply({ error: { code: 'invalid_registration', message: `${issue?.path.join('.') || 'registration'}: ${issue?.message}` } });
          return;
        }
        const info: ConnectedRunner = { ...parsed.data, connectedAt: new Date().toISOString() };
        this.#runners.set(socket.id, { info, socket });
        reply({ ok: true });
        this.#changed();
      });
      socket.on('disconnect', () => {
        if (this.#runners.delete(socket.id)) this.#changed();
      });
    });
  }

  /** The connected runners that registered. */
  list(): ConnectedRunner[] {
    return [...this.#runners.values()].map((r) => r.info);
  }

  /** Calls `listener` whenever a runner registers or leaves; returns a disposer. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Asks a runner to run an agent with `params` (missing ones take their defaults). With no `runnerId`,
   * the first runner that offers the agent is asked.
   *
   * @throws {@link HttpError} 404 no such runner or agent, 400 bad parameters, 504 no answer, 502 the runner refused.
   */
  async requestRun(request: { runnerId?: string; agent: string; params: Record<string, unknown> }, timeoutMs = 5_000): Promise<{
    runnerId: string;
    agent: string;
    params: Record<string, number>;
    requestId: string;
    detail?: string;
  }> {
    const candidates = [...this.#runners.values()].filter(
      (r) => (request.runnerId === undefined || r.info.runnerId === request.runnerId) && r.info.agents.some((a) => a.name === request.agent),
    );
    const target = candidates[0];
    if (target === undefined) {
      throw new HttpError(404, 'not_found', `no connected runner offers agent "${request.agent}"${request.runnerId ? ` as runner "${request.runnerId}"` : ''}`);
    }
    const descriptor = target.info.agents.find((a) => a.name === request.agent)!;
    const params: Record<string, number> = {};
    for (const parameter of descriptor.parameters) {
      const value = request.params[parameter.name] ?? parameter.default;
      if (typeof value !== 'number' || !Number.isFinite(value) || value < parameter.min || value > parameter.max) {
        throw new HttpError(400, 'invalid_parameter', `${parameter.name}: expected a number from ${parameter.min} to ${parameter.max}, received ${JSON.stringify(value)}`);
      }
      params[parameter.name] = value;
    }
    const unknown = Object.keys(request.params).filter((k) => !descriptor.parameters.some((p) => p.name === k));
    if (unknown.length > 0) throw new HttpError(400, 'invalid_parameter', `unknown parameter(s) for "${request.agent}": ${unknown.join(', ')}`);
    // The runner puts it on the run's span (`overlap.request.id`), so the page can open exactly that trace.
    const requestId = randomUUID();
    let ack: RunAgentAck;
    try {
      ack = (await target.socket.timeout(timeoutMs).emitWithAck('run-agent', { agent: request.agent, params, requestId })) as RunAgentAck;
    } catch {
      throw new HttpError(504, 'runner_timeout', `runner "${target.info.runnerId}" did not answer within ${timeoutMs} ms`);
    }
    if (ack === null || typeof ack !== 'object' || !('accepted' in ack)) {
      const error = (ack as { error?: { message?: string } } | null)?.error;
      throw new HttpError(502, 'runner_refused', `runner "${target.info.runnerId}" refused: ${error?.message ?? 'no reason given'}`);
    }
    return { runnerId: target.info.runnerId, agent: request.agent, params, requestId, ...(ack.detail ? { detail: ack.detail } : {}) };
  }

  #changed(): void {
    for (const listener of this.#listeners) listener();
  }
}
