import { randomUUID } from 'node:crypto';
import { EventChannel, readRunnerRegistration, resolveAgentParams } from '@overlap/shared';
import type { ConnectedRunner, Disposer, RegisterAck, RunAgentAck, RunAgentRequest, RunAgentResponse } from '@overlap/shared';
import { HttpError } from '../errors/HttpError.js';
import type { RunnerSocket, RunnersNamespace } from '../live/DashboardIo.js';

/**
 * The runner processes connected to namespace `/runners` and the agents they offer. A runner emits
 * `register` (`{ runnerId, serviceName, agents }`, acknowledged with `{ ok: true }` or an error) and is
 * forgotten when it disconnects. {@link RunnerRegistry.requestRun} sends it `run-agent`
 * (`{ agent, params, requestId }`) and waits for its acknowledgement.
 */
export class RunnerRegistry {
  readonly #runners = new Map<string, { info: ConnectedRunner; socket: RunnerSocket }>();
  readonly #changes = new EventChannel<void>();

  constructor(namespace: RunnersNamespace) {
    namespace.on('connection', (socket) => {
      // The payload comes off the network: typed by the contract, read as unknown until checked.
      socket.on('register', (payload: unknown, ack?: unknown) => {
        const reply = typeof ack === 'function' ? (ack as (answer: RegisterAck) => void) : () => {};
        const reading = readRunnerRegistration(payload);
        if (!reading.ok) {
          reply({ error: { code: 'invalid_registration', message: reading.message } });
          return;
        }
        const info: ConnectedRunner = { ...reading.value, connectedAt: new Date().toISOString() };
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
  onChange(listener: () => void): Disposer {
    return this.#changes.on(listener);
  }

  /**
   * Asks a runner to run an agent with `params` (missing ones take their defaults; checked with
   * `resolveAgentParams`, as the runner checks them again). With no `runnerId`, the first runner that
   * offers the agent is asked.
   *
   * @throws {@link HttpError} 404 no such runner or agent, 400 bad parameters, 504 no answer, 502 the runner refused.
   */
  async requestRun(request: RunAgentRequest, timeoutMs = 5_000): Promise<RunAgentResponse> {
    const candidates = [...this.#runners.values()].filter(
      (r) => (request.runnerId === undefined || r.info.runnerId === request.runnerId) && r.info.agents.some((a) => a.name === request.agent),
    );
    const target = candidates[0];
    if (target === undefined) {
      throw new HttpError(404, 'not_found', `no connected runner offers agent "${request.agent}"${request.runnerId ? ` as runner "${request.runnerId}"` : ''}`);
    }
    const descriptor = target.info.agents.find((a) => a.name === request.agent)!;
    const resolved = resolveAgentParams(descriptor.parameters, request.params ?? {});
    if (!resolved.ok) throw new HttpError(400, 'invalid_parameter', resolved.problem.message);
    const params = resolved.params;
    // The runner puts it on the run's span (`overlap.request.id`), so the page can open exactly that trace.
    const requestId = randomUUID();
    let ack: RunAgentAck;
    try {
      ack = await target.socket.timeout(timeoutMs).emitWithAck('run-agent', { agent: request.agent, params, requestId });
    } catch {
      throw new HttpError(504, 'runner_timeout', `runner "${target.info.runnerId}" did not answer within ${timeoutMs} ms`);
    }
    if (ack === null || typeof ack !== 'object' || !('accepted' in ack) || ack.accepted !== true) {
      const error = (ack as { error?: { message?: string } } | null)?.error;
      throw new HttpError(502, 'runner_refused', `runner "${target.info.runnerId}" refused: ${error?.message ?? 'no reason given'}`);
    }
    return { accepted: true, runnerId: target.info.runnerId, agent: request.agent, params, requestId, ...(ack.detail ? { detail: ack.detail } : {}) };
  }

  #changed(): void {
    this.#changes.emit();
  }
}
